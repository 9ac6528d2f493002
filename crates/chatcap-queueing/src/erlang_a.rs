//! Erlang A (M/M/n+M): Erlang C with exponential patience.

use std::time::Duration;

use super::{Traffic, positive, special};
use crate::QueueingError;

/// Erlang A: `agents` agents, one FCFS queue, visitors who leave after an exponential patience.
///
/// Always stable: any number of agents, including fewer than the erlangs of traffic.
///
/// With `n` agents serving at rate `mu` each and patience at rate `theta`, the queue behind the
/// `n`-th busy agent is a birth-death chain whose `k`-th state has weight
/// `t_k = prod_{i=1..k} lambda / (n mu + i theta)` relative to the state "all agents busy, nobody
/// waiting". A visitor that finds `k` others waiting has an offered wait (the wait of an
/// infinitely patient visitor) `V = sum_{i=0..k} Exp(n mu + i theta)`, so that
/// `E[e^-theta V | k] = n mu / (n mu + (k + 1) theta)`: every quantity below is a sum over `k`
/// of `t_k` times a closed-form factor, and the service level uses the offered-wait density
/// `n mu e^{-n mu v} e^{(lambda/theta)(1 - e^{-theta v})}` in the same series form (or, for
/// targets many patiences long on a floor whose slots free slower than visitors abandon, as a
/// part of an incomplete gamma function, integrated).
///
/// The sums run forward from `k = 0` with a running rescale, so nothing overflows however large
/// `lambda / theta` is; their cost grows with `max(0, (lambda - n mu) / theta) + sqrt(lambda / theta)`.
///
/// # Examples
///
/// ```
/// use chatcap_queueing::{ErlangA, Traffic};
/// use std::time::Duration;
/// // With patience equal to the handle time, the number in system is Poisson(a).
/// let traffic = Traffic::new(50.0 / 60.0, Duration::from_secs(60))?; // 50 erlangs
/// let m = ErlangA::new(traffic, 45, Duration::from_secs(60))?;
/// assert!((m.p_wait() - 0.778959767375).abs() < 1e-11);
/// assert!((m.p_abandon() - 0.119139594028).abs() < 1e-11);
/// # Ok::<(), chatcap_queueing::QueueingError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ErlangA {
    traffic: Traffic,
    agents: u32,
    patience_s: f64,
    p_wait: f64,
    p_abandon: f64,
    p_served: f64,
    asa_served_s: f64,
    mean_queue_len: f64,
    tail: Tail,
    sums: TailSums,
}

impl ErlangA {
    /// The Erlang A model of `agents` agents offered `traffic`, with mean patience `patience`.
    ///
    /// # Errors
    ///
    /// [`QueueingError::ZeroCount`] for no agents, [`QueueingError::InvalidRate`] for a zero patience,
    /// and [`QueueingError::ModelTooLarge`] when the queue states that matter number more than
    /// 100,000,000 (about `(lambda - n mu) / theta + 50 sqrt(lambda / theta)`: a patience millions
    /// of handle times long on an overloaded floor).
    pub fn new(traffic: Traffic, agents: u32, patience: Duration) -> Result<Self, QueueingError> {
        if agents == 0 {
            return Err(QueueingError::ZeroCount { what: "agents" });
        }
        let patience_s = positive("mean patience (s)", patience.as_secs_f64())?;
        let lambda = traffic.arrivals_per_s();
        let release = f64::from(agents) / traffic.aht_s();
        let tail = Tail { lambda, release, theta: 1.0 / patience_s };
        tail.check()?;
        let (b, not_b) = special::erlang_b_split(u64::from(agents), traffic.erlangs());
        let sums = tail.sums(lambda);
        let p_wait = tail.p_wait_split(b, not_b, &sums);
        let p_abandon = p_wait * sums.abandon;
        // 1 - P(abandon), as a sum of non-negative parts so that nothing cancels.
        let p_served = (1.0 - p_wait) + p_wait * sums.served;
        let asa_served_s = if p_served > 0.0 { p_wait * sums.served_wait_s / p_served } else { 0.0 };
        Ok(Self {
            traffic,
            agents,
            patience_s,
            p_wait,
            p_abandon,
            p_served,
            asa_served_s,
            mean_queue_len: p_wait * sums.queue_len,
            tail,
            sums,
        })
    }

    /// The traffic.
    pub fn traffic(&self) -> Traffic {
        self.traffic
    }

    /// The agents.
    pub fn agents(&self) -> u32 {
        self.agents
    }

    /// The mean patience in seconds.
    pub fn patience_s(&self) -> f64 {
        self.patience_s
    }

    /// The probability that an arrival waits (finds every agent busy).
    pub fn p_wait(&self) -> f64 {
        self.p_wait
    }

    /// The probability that an arrival abandons before it is served.
    pub fn p_abandon(&self) -> f64 {
        self.p_abandon
    }

    /// The average speed of answer of the served visitors, in seconds (those served at once
    /// count with a wait of zero).
    pub fn asa_served_s(&self) -> f64 {
        self.asa_served_s
    }

    /// The mean time in queue over all arrivals, served or not, in seconds.
    pub fn mean_wait_all_s(&self) -> f64 {
        self.mean_queue_len / self.traffic.arrivals_per_s()
    }

    /// Agent occupancy: served load over agents.
    pub fn occupancy(&self) -> f64 {
        (self.traffic.erlangs() * self.p_served / f64::from(self.agents)).min(1.0)
    }

    /// The mean number of visitors waiting.
    pub fn mean_queue_len(&self) -> f64 {
        self.mean_queue_len
    }

    /// The service level over all offered: the probability that an arrival is answered within
    /// `target` (abandoned visitors count as not answered).
    ///
    /// # Examples
    ///
    /// ```
    /// use chatcap_queueing::{ErlangA, Traffic};
    /// use std::time::Duration;
    /// let m = ErlangA::new(Traffic::per_hour(200.0, Duration::from_secs(180))?, 10, Duration::from_secs(120))?;
    /// let sl = m.service_level(Duration::from_secs(20));
    /// assert!(sl > 1.0 - m.p_wait() && sl < 1.0 - m.p_abandon());
    /// # Ok::<(), chatcap_queueing::QueueingError>(())
    /// ```
    pub fn service_level(&self, target: Duration) -> f64 {
        self.tail.within(self.p_wait, &self.sums, target.as_secs_f64()).answered
    }

    /// The share of answered visitors answered within `target`.
    pub fn answered_within_over_answered(&self, target: Duration) -> f64 {
        if self.p_served <= 0.0 {
            return 0.0;
        }
        (self.service_level(target) / self.p_served).min(1.0)
    }

    /// The probability that the offered wait (the wait of an infinitely patient arrival) is at
    /// most `target`.
    ///
    /// # Examples
    ///
    /// ```
    /// use chatcap_queueing::{ErlangA, Traffic};
    /// use std::time::Duration;
    /// let m = ErlangA::new(Traffic::per_hour(200.0, Duration::from_secs(180))?, 10, Duration::from_secs(120))?;
    /// let t = Duration::from_secs(20);
    /// // Abandoning visitors can reach 20 s of offered wait without being answered.
    /// assert!(m.p_offered_wait_le(t) > m.service_level(t));
    /// assert!(m.answered_within_over_answered(t) > m.service_level(t));
    /// # Ok::<(), chatcap_queueing::QueueingError>(())
    /// ```
    pub fn p_offered_wait_le(&self, target: Duration) -> f64 {
        self.tail.within(self.p_wait, &self.sums, target.as_secs_f64()).offered
    }
}

/// The queue once every slot is taken: arrivals at `lambda`, slots released at `release`, each
/// waiting visitor abandoning at `theta` (zero for infinitely patient visitors).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Tail {
    pub(crate) lambda: f64,
    pub(crate) release: f64,
    pub(crate) theta: f64,
}

/// Sums over the queue states, relative to their total weight `W = sum t_k`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct TailSums {
    /// `ln W`.
    pub(crate) ln_w: f64,
    /// `sum k t_k / W`: the mean queue length given a wait.
    pub(crate) queue_len: f64,
    /// The probability of being served, given a wait.
    pub(crate) served: f64,
    /// The probability of abandoning, given a wait.
    pub(crate) abandon: f64,
    /// `E[wait; served | wait]` in seconds.
    pub(crate) served_wait_s: f64,
}

/// Shares of all arrivals answered within a target, and with an offered wait within it.
pub(crate) struct Within {
    pub(crate) answered: f64,
    pub(crate) offered: f64,
}

/// Past this, the running sums are scaled down (a power of two, so scaling is exact).
const RESCALE_ABOVE: f64 = 1e280;
const RESCALE_BY: f64 = 6.223015277861142e-61; // 2^-200
const LN_RESCALE: f64 = 200.0 * std::f64::consts::LN_2;

/// The most queue states a tail sum takes on.
const MAX_TERMS: f64 = 1e8;

impl Tail {
    /// Refuses a tail whose sums would take more than [`MAX_TERMS`] steps.
    pub(crate) fn check(&self) -> Result<(), QueueingError> {
        if self.steps() > MAX_TERMS {
            return Err(QueueingError::ModelTooLarge { limit: crate::Limit::QueueStates });
        }
        Ok(())
    }

    /// About how many queue states the sums take on (0 without abandonment, where they are in
    /// closed form).
    fn steps(&self) -> f64 {
        if self.theta == 0.0 {
            return 0.0;
        }
        let (x, y) = (self.release / self.theta, self.lambda / self.theta);
        // Past the peak at y - x the terms fall like a Gaussian of width sqrt(y); below it,
        // geometrically with ratio y / x at worst.
        if y >= x {
            (y - x) + 50.0 * (y + 1.0).sqrt()
        } else {
            (45.0 * x / (x - y) + 10.0).min(50.0 * (x + 1.0).sqrt())
        }
    }

    /// The sums with arrival rate `lambda` (the tail's own, or a thinned one for the service
    /// level).
    pub(crate) fn sums(&self, lambda: f64) -> TailSums {
        let (r, th) = (self.release, self.theta);
        if th == 0.0 {
            // Geometric tail: t_k = rho^k; stable because callers check rho < 1.
            let rho = lambda / r;
            return TailSums {
                ln_w: -(-rho).ln_1p(),
                queue_len: rho / (1.0 - rho),
                served: 1.0,
                abandon: 0.0,
                served_wait_s: 1.0 / (r * (1.0 - rho)),
            };
        }
        let peak = (lambda - r) / th;
        let (mut t, mut w, mut len, mut served, mut abandon, mut wait) = (1.0f64, 0.0, 0.0, 0.0, 0.0, 0.0);
        let mut h = 0.0; // sum_{i=0..k} 1 / (r + (i + 1) theta): E[V | k]-like harmonic part
        let mut scale = 0.0;
        let mut k = 0.0f64;
        loop {
            let d = 1.0 / (r + (k + 1.0) * th);
            h += d;
            let srv = r * d;
            w += t;
            len += k * t;
            served += t * srv;
            abandon += t * ((k + 1.0) * th * d);
            wait += t * srv * h;
            t *= lambda * d;
            k += 1.0;
            if k > peak && t <= 1e-17 * w && t * k <= 1e-17 * len.max(f64::MIN_POSITIVE) {
                break;
            }
            if w > RESCALE_ABOVE {
                t *= RESCALE_BY;
                w *= RESCALE_BY;
                len *= RESCALE_BY;
                served *= RESCALE_BY;
                abandon *= RESCALE_BY;
                wait *= RESCALE_BY;
                scale += LN_RESCALE;
            }
        }
        TailSums {
            ln_w: w.ln() + scale,
            queue_len: len / w,
            served: served / w,
            abandon: abandon / w,
            served_wait_s: wait / w,
        }
    }

    /// The probability of waiting, given the Erlang B value of the agents without a queue.
    pub(crate) fn p_wait(&self, erlang_b: f64, sums: &TailSums) -> f64 {
        // 1 - B is exact for B of one half or more (Sterbenz), and below that loses nothing that
        // matters next to ln B.
        self.p_wait_split(erlang_b, 1.0 - erlang_b, sums)
    }

    /// As [`Tail::p_wait`], with `1 - B` given by the caller, precise also when `B` rounds to 1.
    pub(crate) fn p_wait_split(&self, erlang_b: f64, not_b: f64, sums: &TailSums) -> f64 {
        if erlang_b <= 0.0 {
            return 0.0;
        }
        if not_b <= 0.0 {
            // Nothing below "all busy" (1/B - 1 = 0): everyone waits.
            return 1.0;
        }
        // States below "all busy" weigh 1/B - 1 relative to it; the queue states weigh W.
        // In logs: 1/B overflows for a subnormal B, and W can be astronomically large.
        1.0 / (1.0 + (not_b.ln() - erlang_b.ln() - sums.ln_w).exp())
    }

    /// `P(served, V <= t | wait)` and `P(V <= t | wait)` as sums of positive terms, for when they
    /// are small.
    ///
    /// Given `k` waiting ahead, `V` has density proportional to `e^{-r v} (1 - e^{-theta v})^k`,
    /// so `P(V <= t | k) = I_z(k + 1, r/theta)` with `z = 1 - e^{-theta t}`: the probability
    /// that a negative binomial `J` (shape `r/theta`, success `z`) exceeds `k`. Swapping the sums,
    /// `sum_k t_k P(J > k) = sum_j P(J = j) sum_{k<j} t_k`, one forward pass; the served share
    /// uses shape `r/theta + 1` and weights `t_k r / (r + (k + 1) theta)`. `None` if the pass
    /// does not settle within a million steps more than twice the queue's (only for targets many
    /// patiences long, where the negative binomial spreads far and the differences are fine).
    fn within_waiting(&self, t: f64) -> Option<(f64, f64)> {
        let (lambda, r, th) = (self.lambda, self.release, self.theta);
        let x = r / th;
        let z = -(-th * t).exp_m1();
        let peak = (lambda - r) / th;
        // Queue side: t_k and the running sums of t_k and of its served share, scaled together.
        let (mut tk, mut w_cum, mut sv_cum) = (1.0f64, 0.0f64, 0.0f64);
        // Negative binomial side: P(J = j) over P(J = 0), for both shapes, scaled separately.
        let (mut p_off, mut p_srv) = (1.0f64, 1.0f64);
        let (mut sum_off, mut sum_srv) = (0.0f64, 0.0f64);
        let (mut ln_off, mut ln_srv) = (0.0f64, 0.0f64);
        let mut j = 0.0f64;
        let limit = (1e6 + 2.0 * self.steps()).min(5e7) as u64;
        // The served weights fall (a ratio below one, which settling needs) only from
        // j = (z (x + 1) - 1) / (1 - z) on, never when z rounds to one: then no pass settles.
        let falls_from = (z * (x + 1.0) - 1.0) / (-th * t).exp();
        if falls_from.is_nan() || falls_from >= 1.01 * limit as f64 {
            return None;
        }
        for _ in 0..limit {
            sum_off += p_off * w_cum;
            sum_srv += p_srv * sv_cum;
            let d = 1.0 / (r + (j + 1.0) * th);
            w_cum += tk;
            sv_cum += tk * r * d;
            tk *= lambda * d;
            let ratio_off = z * (x + j) / (j + 1.0);
            let ratio_srv = z * (x + 1.0 + j) / (j + 1.0);
            p_off *= ratio_off;
            p_srv *= ratio_srv;
            j += 1.0;
            // Below 1e140 each, so that their products stay finite.
            if w_cum > 1e140 {
                // The sums carry the queue's scale, which cancels in the ratios to W below.
                for v in [&mut tk, &mut w_cum, &mut sv_cum, &mut sum_off, &mut sum_srv] {
                    *v *= RESCALE_BY;
                }
            }
            // The sums also carry the weights' scale, kept in ln_off and ln_srv.
            if p_off > 1e140 || p_srv > 1e140 {
                p_off *= RESCALE_BY;
                p_srv *= RESCALE_BY;
                sum_off *= RESCALE_BY;
                sum_srv *= RESCALE_BY;
                ln_off += LN_RESCALE;
                ln_srv += LN_RESCALE;
            }
            // Falling weights are scaled up while their sums are small, so that they never turn
            // subnormal: there a weight times a ratio below one can round back to itself, and
            // the pass would never settle.
            if p_off > 0.0 && p_off < 1e-140 && sum_off < 1e100 {
                p_off /= RESCALE_BY;
                sum_off /= RESCALE_BY;
                ln_off -= LN_RESCALE;
            }
            if p_srv > 0.0 && p_srv < 1e-140 && sum_srv < 1e100 {
                p_srv /= RESCALE_BY;
                sum_srv /= RESCALE_BY;
                ln_srv -= LN_RESCALE;
            }
            let queue_done = j > peak && tk <= 1e-17 * w_cum;
            let off_done = ratio_off < 1.0 && p_off * w_cum <= 1e-17 * (1.0 - ratio_off) * sum_off;
            let srv_done = ratio_srv < 1.0 && p_srv * sv_cum <= 1e-17 * (1.0 - ratio_srv) * sum_srv;
            if queue_done && off_done && srv_done {
                // P(J = 0) is (1 - z)^shape = e^{-shape theta t}.
                let offered = (sum_off / w_cum) * (ln_off - r * t).exp();
                let answered = (sum_srv / w_cum) * (ln_srv - (r + th) * t).exp();
                return Some((answered.min(1.0), offered.min(1.0)));
            }
        }
        None
    }

    /// `P(served, V <= t | wait)` and `P(V <= t | wait)` as integrals, for targets too long for
    /// [`Tail::within_waiting`] to settle, when slots free no faster than visitors abandon.
    ///
    /// With `x = r/theta` and `y = lambda/theta`, the offered-wait density given a wait is
    /// `(r/W) e^{-r v + y (1 - e^{-theta v})}`, and `W = x e^y y^-x gamma(x, y)`; with
    /// `s = y e^{-theta v}` both shares are parts of incomplete gamma functions:
    /// `P(V <= t | wait) = int_{y w}^y s^(x-1) e^-s ds / gamma(x, y)` and the served share
    /// `int_{y w}^y s^x e^-s ds / (y gamma(x, y))`, where `w = e^{-theta t}`. Each part is a sum of
    /// positive terms, precise also where it is a sliver of the whole (slots freeing at 1e-13 of
    /// the rate visitors abandon), which the differences of [`Tail::within`] are not.
    fn within_waiting_integrated(&self, t: f64) -> (f64, f64) {
        let (x, y) = (self.release / self.theta, self.lambda / self.theta);
        if y == 0.0 {
            // No queue to speak of (arrivals rounding to none next to the patience rate): the
            // offered wait is the next release, Exp(r), and it is served if patience outlasts it.
            let (r, rt) = (self.release, self.release + self.theta);
            return (r / rt * -(-rt * t).exp_m1(), -(-r * t).exp_m1());
        }
        let ln_lo = y.ln() - self.theta * t;
        let whole = special::gamma_part(x, f64::NEG_INFINITY, y);
        let offered = special::gamma_part(x, ln_lo, y) / whole;
        let answered = special::gamma_part(x + 1.0, ln_lo, y) / (y * whole);
        (answered.clamp(0.0, 1.0), offered.clamp(0.0, 1.0))
    }

    /// Answered within `t` seconds, and offered wait within `t`, over all arrivals.
    pub(crate) fn within(&self, p_wait: f64, sums: &TailSums, t: f64) -> Within {
        if t <= 0.0 {
            return Within { answered: 1.0 - p_wait, offered: 1.0 - p_wait };
        }
        let (r, th) = (self.release, self.theta);
        if th == 0.0 {
            let left = (-(r - self.lambda) * t).exp();
            return Within { answered: 1.0 - p_wait * left, offered: 1.0 - p_wait * left };
        }
        // With y = lambda/theta and y' = y e^{-theta t}: P(V > t, wait) is the tail series at
        // lambda' = lambda e^{-theta t} times e^{-r t + y - y'}, and the served share of it
        // carries a further e^{-theta t}.
        let thinned = self.lambda * (-th * t).exp();
        let later = self.sums(thinned);
        let shift = later.ln_w - sums.ln_w - r * t - (self.lambda / th) * (-th * t).exp_m1();
        let p_later = p_wait * shift.exp().min(1.0);
        let served_later = p_wait * later.served * (shift - th * t).exp();
        let mut answered_waiting = (p_wait * sums.served - served_later).max(0.0);
        let mut offered_waiting = (p_wait - p_later).max(0.0);
        // The differences above lose digits when most waiting visitors are still waiting at t;
        // then sum the small probabilities directly instead, or integrate them.
        if p_later > 0.5 * p_wait || served_later > 0.5 * p_wait * sums.served {
            if let Some((answered, offered)) = self.within_waiting(t) {
                answered_waiting = p_wait * answered;
                offered_waiting = p_wait * offered;
            } else if r <= th {
                let (answered, offered) = self.within_waiting_integrated(t);
                answered_waiting = p_wait * answered;
                offered_waiting = p_wait * offered;
            }
        }
        Within {
            answered: ((1.0 - p_wait) + answered_waiting).clamp(0.0, 1.0),
            offered: ((1.0 - p_wait) + offered_waiting).clamp(0.0, 1.0),
        }
    }
}
