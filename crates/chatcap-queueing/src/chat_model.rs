//! The chat concurrency model: agents that hold several chats at once.

use std::time::Duration;

use super::erlang_a::{Tail, TailSums};
use super::positive;
use crate::QueueingError;

/// The most chat slots a model takes: the balanced solution walks every total of chats.
const MAX_SLOTS: u64 = 100_000_000;

/// Above this many states [`ChatModel::solve`] leaves the exact solution for the window chain.
pub const EXACT_STATE_LIMIT: usize = 40_000;

/// Above this many states of the window chain (truncated on large floors:
/// [`ChatModel::window_states`]) [`ChatModel::solve`] uses the balanced approximation.
pub const WINDOW_STATE_LIMIT: usize = 640_000;

/// The most states [`ChatModel::solve_exact`] takes.
pub(crate) const CHAIN_STATE_LIMIT: usize = 500_000;

/// The most states [`ChatModel::solve_window`] takes: a cap on its memory.
pub(crate) const WINDOW_CHAIN_LIMIT: usize = 2_000_000;

/// The fewest agents at the lowest or the top level of a spread over three levels that the
/// truncated window chain keeps ([`Truncation`]), and the most, per root of the agents.
const TRUNCATION_EDGE: u32 = 48;
const TRUNCATION_EDGE_PER_ROOT: f64 = 2.5;

/// The most probability the truncated window chain may leave at its boundary before it is
/// widened; what it leaves is added to the result's error bound.
const TRUNCATION_MASS: f64 = 1e-7;

/// The truncated window chain keeps the levels whose balanced mass is within `e^-69` (about
/// 1e-30) of the largest.
const TRUNCATION_LEVELS_LN: f64 = 69.0;

/// The error bound of a solved chain: the tests hold the exact solver to 1e-11 of a dense solve.
const CHAIN_TOLERANCE: f64 = 1e-9;

/// The window chain's error envelope over the grid, times the agents: at 3 chats, and at 4 or 5
/// ([`ChatModel::window_bound`]).
const WINDOW_ENVELOPE: [f64; 2] = [0.12, 0.025];

/// The agents past which the window chain's bound shrinks its step from the balanced answer by
/// the root of how many times larger the floor is ([`ChatModel::window_bound`]).
const WINDOW_STEP_FROM: f64 = 20.0;

/// The most states of the larger of the two window chains that the scaled approximation solves
/// ([`ChatModel::solve_scaled`]); the smaller has about a third as many.
const SCALED_REFERENCE_STATES: usize = WINDOW_STATE_LIMIT / 2;

/// The fewest agents of the smaller reference floor of the scaled approximation: below about
/// 200 agents the answer carried over does not yet settle steadily as the references grow (at
/// 800 agents of 300/400/600 s and the critical load, carried over from 50, 100, 200 and 400
/// agents it was off by 1.9e-4, 3.1e-4, 2.8e-4 and 1.6e-4), so the change between the two
/// references does not bound what carrying over costs.
const SCALED_FEWEST_AGENTS: u32 = 200;

/// The scaled approximation's bound on what carrying the correction over costs: this many times
/// the change in its answer between the two reference floors ([`ChatModel::solve_scaled`]).
const SCALED_STEP_FACTOR: f64 = 3.0;

/// The balanced approximation's error bound in P(wait) past the chains' reach, by chat limit
/// (2 to 5), from its largest distance to the chain at the floors of [`BALANCED_BOUND_FROM`]
/// with handle times `k x 300 s` (per-agent throughput flat from one chat up: the hardest case
/// where it never falls, and at 4 and 5 chats past the grid's ratio of 3, harder than the
/// grid's own), measured by the test
/// `chat_model_balanced_gap_at_the_chains_reach` (README, "The chat model's error table"): at
/// 2 chats, where that chain is exact, one and a half times the 3.37e-2 measured at 280 agents;
/// at 3 to 5 chats three times the distance (9.52e-3 at 199 agents of 3, 4.70e-3 at 162 of 4,
/// 2.85e-3 at 140 of 5), which adds the window chain's own bound there (twice the distance).
const BALANCED_BOUND: [f64; 4] = [5.1e-2, 2.9e-2, 1.5e-2, 8.6e-3];

/// The agents, by chat limit, from which [`BALANCED_BOUND`] applies: the floors it was measured
/// at, the largest with at most 40,000 states in the exact chain (2 chats) or the window chain.
const BALANCED_BOUND_FROM: [u32; 4] = [280, 199, 162, 140];

/// The mean patience, in seconds, over which [`BALANCED_BOUND`] was measured.
const BALANCED_BOUND_PATIENCE_S: std::ops::RangeInclusive<f64> = 30.0..=600.0;

/// The methods [`ChatModel::solve`] chooses among.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Quick {
    Exact,
    Window,
    Scaled,
    Balanced,
}

/// The chat concurrency model: agents that hold several chats at once.
///
/// `N` agents each hold at most `m` chats; while an agent holds `k` chats, each of them ends at
/// rate `1 / AHT_k`. A new chat goes to a least-loaded agent below its cap, else it waits in one
/// FCFS queue whose head takes the next freed slot; waiting visitors leave after an exponential
/// patience (or never).
///
/// The state is how many agents hold 0, 1, ..., m chats (least-loaded routing makes agents
/// interchangeable), plus the queue length once every agent holds `m`. The queue only exists
/// in that one state, where slots free up at `N m / AHT_m`, so it is the Erlang A tail of
/// [`ErlangA`](crate::ErlangA) attached to the "all full" state: the chain censored to the
/// other states is a loss system, solved exactly ([`ChatModel::solve_exact`]) by BiCGSTAB
/// preconditioned with symmetric Gauss-Seidel sweeps, in unknowns scaled by the level masses,
/// then Gauss-Seidel sweeps with an exact aggregation over the total number of chats after each
/// sweep until the distribution settles to the last bits. The Krylov start takes two to five
/// times less time than the sweeps alone (the README's chat model section). The window chain
/// below is solved by sweeps over lines of states, each an exact birth-death solve, whose
/// passes grow far slower than the agents ([`ChatModel::solve_window`]).
///
/// The exact chain has `C(N + m, m)` states, too many past a few dozen agents of several chats.
/// Least-loaded routing keeps the agents' loads close together, which two smaller chains use:
///
/// - [`ChatModel::solve_window`] keeps the spreads where every agent holds within two chats of
///   every other (about `(m - 1) N² / 2` states); a departure that would widen the spread is
///   taken from the next busier agent instead. On large floors it keeps only the spreads that
///   hold any probability to speak of (levels within 1e-30 of the likeliest, few agents at either
///   end of a spread), and adds what it leaves out to its bound.
/// - [`ChatModel::solve_balanced`] keeps them within one: with `L` chats, `L mod N` agents hold
///   one more chat than the others, which makes the total a birth-death chain, solved in one
///   pass over `N m` levels.
///
/// Past the window chain's reach, [`ChatModel::solve_scaled`] solves it on two smaller floors in
/// the same regime (their balanced chains as deep below the full floor) and carries how much
/// more often it finds the floor full than the balanced chain does over to this floor.
///
/// [`ChatModel::solve`] takes the exact chain while it is small, then the window chain, then the
/// scaled approximation (the balanced one where handle times are equal, which makes it exact),
/// and every result says which ([`ChatModelResult::method`]) and what bounds its error
/// ([`ChatModelResult::p_wait_error_bound`]).
///
/// # Accuracy
///
/// Both approximations are exact for equal handle times (then only the total matters) and the
/// window chain for one or two chats per agent. With handle times that grow with concurrency the
/// spread of loads costs throughput, which both understate, so both understate P(wait) over the
/// grid below; not always where an agent's throughput falls as it takes another chat (at
/// 300/900/900 s and 60 agents, the critical load, the balanced answer is 1.8e-3 above the
/// exact one).
/// Over 700 floors (2 to 5 chats, 3 to 280 agents, top-level handle time 1 to 3 times the first
/// level's, loads from 70 % to 110 %, patience 120 s; the table in the README) the balanced
/// approximation is off by up to 6.6e-2 at 2 chats and 1.9e-2 at 3, and still by 5e-3 at 140
/// agents of 3 chats; the window chain (exact at 2 chats) by at most `0.12 / N` at 3 chats and
/// `0.025 / N` at 4 or 5, which is below 2e-3 past the exact limit of [`ChatModel::solve`]. The
/// test `chat_model_error_grid` holds every cell of a smaller grid, with shorter and longer
/// patience and none, to the bound each result states
/// ([`ChatModelResult::p_wait_error_bound`]).
///
/// Against the exact chain (512 floors of 12 to 100 agents, 3 to 5 chats, loads 90 % to 110 %,
/// patience 30 s to 600 s or none) the window chain's error falls as about `1 / N` and stays within
/// 0.56 of its bound, which shrinks its step from the balanced answer by `sqrt(20 / N)` past 20
/// agents. Past the window chain's reach the scaled approximation carries its correction over:
/// against the window chain solved at 2,400 and 3,200 agents near the critical load, where the
/// correction peaks, it was off by at most 0.21 of its own bound (README).
///
/// The balanced approximation alone errs far more, and its error falls slowly with the floor
/// (about as `N^-0.4` where per-agent throughput is flat from one chat up, the hardest case
/// among handle times where throughput never falls with concurrency): at 280 agents of 2 chats,
/// 199 of 3, 162 of 4 and 140 of 5 it is 3.4e-2, 9.5e-3, 4.7e-3 and 2.9e-3 from the chain, so
/// its stated bound from there on is 5.1e-2, 2.9e-2, 1.5e-2 and 8.6e-3. Where throughput falls
/// at some concurrency (300/300/900 s) it was off by up to 3.5e-1 at 100 agents, and states no
/// bound.
///
/// # Examples
///
/// ```
/// use chatcap_queueing::ChatModel;
/// use std::time::Duration;
/// let s = Duration::from_secs;
/// let model = ChatModel::new(10, &[s(300), s(360), s(420)], 70.0 / 600.0, Some(s(120)))?;
/// let r = model.solve();
/// assert!(r.p_wait() > 0.0 && r.p_wait() < 1.0);
/// assert!(r.service_level(s(30)) > 1.0 - r.p_wait());
/// # Ok::<(), chatcap_queueing::QueueingError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct ChatModel {
    agents: u32,
    /// `1 / AHT_k` for k = 1..=m, per second.
    rate: Vec<f64>,
    arrivals_per_s: f64,
    theta: f64,
}

/// How a [`ChatModelResult`] was computed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ChatModelMethod {
    /// The exact stationary distribution over the occupancy counts.
    Exact {
        /// The states of the chain without its queue.
        states: usize,
        /// Passes over the chain: two for each iteration of the Krylov solver that starts it, then
        /// one for each Gauss-Seidel sweep until the distribution changed by less than 1e-13
        /// (relative); at 2 chats past [`EXACT_STATE_LIMIT`], where the window chain is the
        /// exact chain, the window chain's passes.
        sweeps: u32,
    },
    /// The chain restricted to agents within two chats of each other.
    Window {
        /// The states of the chain without its queue.
        states: usize,
        /// Passes over the chain: one for each sweep over its lines, then one for each
        /// Gauss-Seidel sweep, each until the distribution changed by less than 1e-13 (relative).
        sweeps: u32,
    },
    /// The window chain's correction carried over from smaller floors ([`ChatModel::solve_scaled`]).
    Scaled {
        /// The agents of the larger reference floor.
        reference_agents: u32,
        /// The states of its window chain.
        states: usize,
        /// Its passes, as for [`ChatModelMethod::Window`].
        sweeps: u32,
    },
    /// The balanced birth-death approximation.
    Balanced,
}

/// The steady state of a [`ChatModel`].
///
/// # Examples
///
/// ```
/// use chatcap_queueing::ChatModel;
/// use std::time::Duration;
/// let s = Duration::from_secs;
/// let r = ChatModel::new(6, &[s(300), s(420), s(600)], 0.04, Some(s(90)))?.solve();
/// // Chats in service are the served arrivals times their mean handle time (Little's law).
/// let mean_aht = r.mean_chats_in_service() / (0.04 * r.p_served());
/// assert!(mean_aht > 300.0 && mean_aht < 600.0);
/// assert!(r.p_abandon() < r.p_wait());
/// # Ok::<(), chatcap_queueing::QueueingError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ChatModelResult {
    method: ChatModelMethod,
    p_wait: f64,
    p_abandon: f64,
    p_served: f64,
    asa_served_s: f64,
    mean_queue_len: f64,
    arrivals_per_s: f64,
    mean_chats: f64,
    busy_agents: f64,
    agents: u32,
    max_chats: u32,
    tail: Tail,
    sums: TailSums,
    bound: Option<f64>,
}

impl ChatModel {
    /// A model of `agents` agents with one mean handle time per concurrency level
    /// (`aht_by_concurrency[k - 1]` while an agent holds `k` chats; its length is the chat
    /// limit), arrivals per second, and an optional mean patience (`None`: nobody abandons).
    ///
    /// # Errors
    ///
    /// [`QueueingError::ZeroCount`] for no agents or no handle times,
    /// [`QueueingError::InvalidRate`] for a zero handle time or patience or a rate that is not a
    /// finite number above zero, [`QueueingError::UnstableQueue`] without patience when the
    /// arrivals reach the rate at which full agents free slots, and [`QueueingError::ModelTooLarge`]
    /// beyond 100,000,000 chat slots or for a queue too long to sum (as in [`ErlangA::new`](crate::ErlangA::new)).
    pub fn new(
        agents: u32,
        aht_by_concurrency: &[Duration],
        arrivals_per_s: f64,
        patience: Option<Duration>,
    ) -> Result<Self, QueueingError> {
        if agents == 0 {
            return Err(QueueingError::ZeroCount { what: "agents" });
        }
        if aht_by_concurrency.is_empty() {
            return Err(QueueingError::ZeroCount { what: "handle times per concurrency level" });
        }
        let max_chats = u32::try_from(aht_by_concurrency.len()).map_err(|_| {
            QueueingError::HandleTimesMismatch { max_chats: u32::MAX, given: aht_by_concurrency.len() }
        })?;
        let rate = aht_by_concurrency
            .iter()
            .map(|d| positive("mean handle time (s)", d.as_secs_f64()).map(|s| 1.0 / s))
            .collect::<Result<Vec<_>, _>>()?;
        let arrivals_per_s = positive("arrival rate", arrivals_per_s)?;
        let theta = match patience {
            Some(p) => 1.0 / positive("mean patience (s)", p.as_secs_f64())?,
            None => 0.0,
        };
        let slots = u64::from(agents) * u64::from(max_chats);
        if slots > MAX_SLOTS {
            return Err(QueueingError::ModelTooLarge { limit: crate::Limit::ChatSlots });
        }
        let full_release = slots as f64 * rate[rate.len() - 1];
        if theta == 0.0 && arrivals_per_s >= full_release {
            return Err(QueueingError::UnstableQueue {
                agents: slots,
                traffic_erlangs: arrivals_per_s / rate[rate.len() - 1],
            });
        }
        Tail { lambda: arrivals_per_s, release: full_release, theta }.check()?;
        Ok(Self { agents, rate, arrivals_per_s, theta })
    }

    /// The agents.
    pub fn agents(&self) -> u32 {
        self.agents
    }

    /// The chat limit per agent.
    pub fn max_chats(&self) -> u32 {
        self.rate.len() as u32
    }

    /// The states of the exact solution (agents spread over `0..=m` chats), `None` if they do not
    /// fit in a `usize`.
    ///
    /// # Examples
    ///
    /// ```
    /// use chatcap_queueing::ChatModel;
    /// use std::time::Duration;
    /// let model = ChatModel::new(20, &[Duration::from_secs(300); 4], 0.2, None)?;
    /// assert_eq!(model.exact_states(), Some(10_626)); // C(24, 4)
    /// # Ok::<(), chatcap_queueing::QueueingError>(())
    /// ```
    pub fn exact_states(&self) -> Option<usize> {
        // C(N + m, m), built up one factor at a time (each partial product is a binomial).
        let (n, m) = (u128::from(self.agents), self.rate.len() as u128);
        let mut c: u128 = 1;
        for i in 1..=m {
            c = c.checked_mul(n + i)? / i;
        }
        usize::try_from(c).ok()
    }

    /// The states of the window chain that [`ChatModel::solve_window`] solves, `None` if they do
    /// not fit in a `usize`: `(m - 1) C(N + 2, 2) - (m - 2) (N + 1)`, or on a floor where that
    /// keeps fewer than half of them, the truncated chain's (every spread within one chat; the
    /// spreads over three levels at levels whose balanced mass is within 1e-30 of the largest,
    /// with at most `max(48, 2.5 √N)` agents at the window's lowest or top level unless the other
    /// end holds that few).
    ///
    /// # Examples
    ///
    /// ```
    /// use chatcap_queueing::ChatModel;
    /// use std::time::Duration;
    /// let model = ChatModel::new(100, &[Duration::from_secs(300); 3], 0.5, None)?;
    /// assert_eq!(model.window_states(), Some(10_201)); // 2 C(102, 2) - 101
    /// # Ok::<(), chatcap_queueing::QueueingError>(())
    /// ```
    pub fn window_states(&self) -> Option<usize> {
        match self.truncation() {
            Some(t) => usize::try_from(t.states(self.agents, self.rate.len() as u32)).ok(),
            None => self.full_window_states(),
        }
    }

    /// The states of the whole window chain, `None` if they do not fit in a `usize`.
    fn full_window_states(&self) -> Option<usize> {
        let m = self.rate.len() as u128;
        if m <= 2 {
            return self.exact_states();
        }
        // Every window of 3 levels holds C(N + 2, 2) spreads; adjacent windows share the
        // N + 1 spreads over their 2 common levels.
        let n = u128::from(self.agents);
        let per_window = (n + 2) * (n + 1) / 2;
        let states = (m - 1) * per_window - (m - 2) * (n + 1);
        usize::try_from(states).ok()
    }

    /// The best solution within the limits for a quick answer: the exact solution up to
    /// [`EXACT_STATE_LIMIT`] states, else the window chain up to [`WINDOW_STATE_LIMIT`] states
    /// (about 4 s on one core at the limit; at the critical load of 300/600/900 s, the largest
    /// chain per agent, 1,900 agents of 3 chats), else the balanced approximation. At 2 chats the
    /// window chain is the exact chain, and the result says so. The result says which ([`ChatModelResult::method`]) and how far it may be
    /// from the exact answer ([`ChatModelResult::p_wait_error_bound`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use chatcap_queueing::{ChatModel, ChatModelMethod};
    /// use std::time::Duration;
    /// let s = Duration::from_secs;
    /// // 80 agents of 3 chats: 91,881 exact states, 6,561 in the window chain.
    /// let model = ChatModel::new(80, &[s(300), s(400), s(600)], 0.36, Some(s(120)))?;
    /// let r = model.solve();
    /// assert!(matches!(r.method(), ChatModelMethod::Window { states: 6_561, .. }));
    /// assert!(r.p_wait_error_bound().unwrap() <= 2e-3);
    /// # Ok::<(), chatcap_queueing::QueueingError>(())
    /// ```
    pub fn solve(&self) -> ChatModelResult {
        match self.quick_method() {
            Quick::Exact => self.exact(),
            Quick::Window => self.window(),
            Quick::Scaled => self.quick_scaled().unwrap_or_else(|| self.solve_balanced()),
            Quick::Balanced => self.solve_balanced(),
        }
    }

    /// Whether [`ChatModel::solve`] solves a chain (exact, window, or the window chain on the
    /// scaled approximation's reference floors) rather than the balanced approximation.
    pub(crate) fn solves_a_chain(&self) -> bool {
        self.quick_method() != Quick::Balanced
    }

    /// The method [`ChatModel::solve`] takes.
    fn quick_method(&self) -> Quick {
        let within = |states: Option<usize>, limit| states.is_some_and(|s| s <= limit);
        if self.exact_fits() && within(self.exact_states(), EXACT_STATE_LIMIT) {
            Quick::Exact
        } else if self.exact_fits() && within(self.window_states(), WINDOW_STATE_LIMIT) {
            Quick::Window
        } else if self.rate.len() <= 7 && !self.equal_handle_times() {
            Quick::Scaled
        } else {
            Quick::Balanced
        }
    }

    /// The scaled approximation from the reference floor [`ChatModel::solve`] takes.
    fn quick_scaled(&self) -> Option<ChatModelResult> {
        let shape = self.balanced_shape();
        let near = self.scaled_reference(shape.depth)?;
        self.scaled(&shape, near)
    }

    /// The exact stationary solution.
    ///
    /// Its cost grows with the number of states, `C(N + m, m)` (10,626 for 20 agents of 4 chats).
    ///
    /// # Examples
    ///
    /// ```
    /// use chatcap_queueing::{ChatModel, ChatModelMethod};
    /// use std::time::Duration;
    /// let s = Duration::from_secs;
    /// let model = ChatModel::new(4, &[s(300), s(420)], 0.02, Some(s(90)))?;
    /// let exact = model.solve_exact()?;
    /// assert!(matches!(exact.method(), ChatModelMethod::Exact { states: 15, .. }));
    /// // The balanced approximation is close, not equal, when handle times differ.
    /// assert!((model.solve_balanced().p_wait() - exact.p_wait()).abs() < 0.01);
    /// # Ok::<(), chatcap_queueing::QueueingError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`QueueingError::ModelTooLarge`] above 7 chats per agent, 65,535 agents or 500,000 states
    /// (about 12 s and 60 MB on one core at the limit: the iterations grow with the agents
    /// too, so the time grows faster than the states).
    pub fn solve_exact(&self) -> Result<ChatModelResult, QueueingError> {
        if !self.exact_fits() {
            return Err(QueueingError::ModelTooLarge { limit: crate::Limit::ExactShape });
        }
        match self.exact_states() {
            Some(s) if s <= CHAIN_STATE_LIMIT => Ok(self.exact()),
            _ => Err(QueueingError::ModelTooLarge { limit: crate::Limit::ExactStates }),
        }
    }

    /// The balanced birth-death approximation: cost proportional to `N m`, memory constant.
    ///
    /// Exact for equal handle times; otherwise its error bound is the one measured at the
    /// largest floors the chains take, for those floors and larger ones within the measured
    /// range ([`ChatModelResult::p_wait_error_bound`]), and `None` elsewhere.
    ///
    /// # Examples
    ///
    /// ```
    /// use chatcap_queueing::{ChatModel, ChatModelMethod};
    /// use std::time::Duration;
    /// let s = Duration::from_secs;
    /// let model = ChatModel::new(5_000, &[s(300), s(360), s(420)], 30.0, Some(s(120)))?;
    /// let r = model.solve_balanced();
    /// assert_eq!(r.method(), ChatModelMethod::Balanced);
    /// assert!(r.slot_occupancy() > 0.5 && r.slot_occupancy() <= 1.0);
    /// # Ok::<(), chatcap_queueing::QueueingError>(())
    /// ```
    pub fn solve_balanced(&self) -> ChatModelResult {
        let shape = self.balanced_shape();
        let mut r =
            self.finish(ChatModelMethod::Balanced, shape.p_full, 1.0 - shape.p_full, shape.chats, shape.busy);
        // Exact for equal handle times and one chat per agent; past the chains' reach, the
        // envelope measured there; otherwise nothing bounds it.
        r.bound = if self.equal_handle_times() { Some(CHAIN_TOLERANCE) } else { self.balanced_bound() };
        r
    }

    /// The balanced chain without its queue ([`BalancedShape`]), in one pass over the levels in
    /// constant memory.
    fn balanced_shape(&self) -> BalancedShape {
        let n = u64::from(self.agents);
        let top = n * self.rate.len() as u64;
        // The ln of each level's unnormalized weight follows from the one before, and the sums
        // are kept relative to a reference weight, moved up (and the sums rescaled) only when a
        // weight passes it by e^600. Terms stay below e^600 and the sums below 10^8 (or 10^16
        // for the squared depth) times that, far from overflow.
        const HEADROOM: f64 = 600.0;
        let ln_lambda = self.arrivals_per_s.ln();
        let (mut ln_w, mut reference) = (0.0f64, 0.0f64);
        let top_f = top as f64;
        // Level 0 weighs 1: no chats, no busy agent, `N m` below full.
        let (mut z, mut chats, mut busy, mut depth, mut depth2) =
            (1.0f64, 0.0f64, 0.0f64, top_f, top_f * top_f);
        for l in 1..=top {
            ln_w += ln_lambda - self.balanced_departures(l).ln();
            if ln_w > reference + HEADROOM {
                let scale = (reference - ln_w).exp();
                (z, chats, busy) = (z * scale, chats * scale, busy * scale);
                (depth, depth2) = (depth * scale, depth2 * scale);
                reference = ln_w;
            }
            let p = (ln_w - reference).exp();
            let below = (top - l) as f64;
            z += p;
            chats += l as f64 * p;
            busy += l.min(n) as f64 * p;
            depth += below * p;
            depth2 += below * below * p;
        }
        // ln_w is now the "all full" level's.
        let full_weight = (ln_w - reference).exp();
        let p_full = full_weight / z;
        let mean = depth / z;
        let sd = (depth2 / z - mean * mean).max(0.0).sqrt();
        BalancedShape {
            p_full,
            // Means over the non-full states, in the censored chain.
            chats: (chats - top_f * full_weight) / z,
            busy: (busy - n as f64 * full_weight) / z,
            depth: if sd > 0.0 { mean / sd } else { f64::INFINITY },
        }
    }

    /// The rate at which chats end with `chats` in progress spread as evenly as they can be:
    /// `chats mod N` agents hold one more than the others.
    fn balanced_departures(&self, chats: u64) -> f64 {
        let n = u64::from(self.agents);
        let (q, r) = (chats / n, chats % n);
        let at = |k: u64| if k == 0 { 0.0 } else { k as f64 * self.rate[k as usize - 1] };
        (n - r) as f64 * at(q) + r as f64 * if r > 0 { at(q + 1) } else { 0.0 }
    }

    /// The window chain's truncation on a large floor ([`Truncation`]): the levels where the
    /// balanced chain's mass is within a factor 1e-30 of its largest, and at most
    /// [`TRUNCATION_EDGE`] agents at either end of a spread over three levels. `None` (the whole
    /// window chain) where that would keep more than half of its states.
    fn truncation(&self) -> Option<Truncation> {
        let (n, m) = (self.agents, self.rate.len() as u32);
        if m < 2 || !self.exact_fits() {
            return None;
        }
        let top = u64::from(n) * u64::from(m);
        let ln_lambda = self.arrivals_per_s.ln();
        let mut ln_w = vec![0.0f64; top as usize + 1];
        for l in 1..=top {
            ln_w[l as usize] = ln_w[l as usize - 1] + ln_lambda - self.balanced_departures(l).ln();
        }
        let max = ln_w.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let floor = max - TRUNCATION_LEVELS_LN;
        let lo = ln_w.iter().position(|&w| w >= floor)? as u32;
        let hi = ln_w.iter().rposition(|&w| w >= floor)? as u32;
        // Fluctuations grow as the root of the floor.
        let edge = ((TRUNCATION_EDGE_PER_ROOT * f64::from(n).sqrt()).ceil() as u32).max(TRUNCATION_EDGE);
        let t = Truncation { edge, lo, hi };
        let full = self.full_window_states()? as u64;
        (2 * t.states(n, m) < full).then_some(t)
    }

    /// The exact solver packs a state in 16 bits for each of up to 8 levels.
    fn exact_fits(&self) -> bool {
        self.rate.len() <= 7 && self.agents <= 0xffff
    }

    /// The window chain: the exact chain restricted to the spreads where every agent holds
    /// within two chats of every other, a departure that would widen the spread being taken
    /// from the next busier agent instead (at its own rate). Least-loaded routing keeps the
    /// spread narrow, and the balanced approximation is the same construction with a window of
    /// one chat. With one or two chats per agent every spread fits, and this is the exact
    /// solution.
    ///
    /// Its states grow as `(m - 1) N² / 2` ([`ChatModel::window_states`]) rather than
    /// `N^m / m!`. It is solved by block Gauss-Seidel sweeps over lines of states, each line a
    /// birth-death chain solved exactly: the spreads within one chat (the balanced chain over
    /// every level), then in each window of three levels the spreads with the same agents at the
    /// top level, by decreasing count. Inside a window that count never rises, so a sweep is
    /// exact given the balanced chain, and an exact aggregation over the total of chats between
    /// sweeps settles the level masses: at 3 chats (300/600/900 s, patience 120 s, the critical
    /// load) 43, 78 and 148 passes at 50, 200 and 800 agents, against 257 and 1,947 passes of
    /// BiCGSTAB at 50 and 200 (README, the chat model section). Over a grid of floors (README,
    /// "The chat model's error table") its error in P(wait) is at most `0.12 / N` at 3 chats per
    /// agent and `0.025 / N` at 4 or 5 (patience 120 s), below 2e-3 wherever
    /// [`ChatModel::solve`] uses it.
    ///
    /// On a large floor the chain is truncated to the states that hold any probability to speak
    /// of ([`ChatModel::window_states`]): a transition to a state left out goes to a kept state
    /// of the same level instead (a departure from the window's top level, or the balanced
    /// spread), so the level chain is untouched. If more than 1e-7 of the probability then sits
    /// next to what was left out, the ends are widened by half and the chain solved again; what
    /// stays there is added to the error bound (the truncation moved P(wait) by a quarter to a
    /// third of it where measured). At 2 chats this is the exact chain, and the result's method
    /// says [`ChatModelMethod::Exact`].
    ///
    /// # Examples
    ///
    /// ```
    /// use chatcap_queueing::{ChatModel, ChatModelMethod};
    /// use std::time::Duration;
    /// let s = Duration::from_secs;
    /// let model = ChatModel::new(30, &[s(300), s(400), s(600)], 0.14, Some(s(120)))?;
    /// let (window, exact) = (model.solve_window()?, model.solve_exact()?);
    /// assert!(matches!(window.method(), ChatModelMethod::Window { states: 961, .. }));
    /// let bound = window.p_wait_error_bound().unwrap();
    /// assert!((window.p_wait() - exact.p_wait()).abs() <= bound);
    /// # Ok::<(), chatcap_queueing::QueueingError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`QueueingError::ModelTooLarge`] above 7 chats per agent, 65,535 agents or 2,000,000 states
    /// ([`ChatModel::window_states`]; at the critical load of 300/600/900 s, the largest chain per
    /// agent, 3,200 agents of 3 chats take 1.4 million states and 9 s on one core).
    pub fn solve_window(&self) -> Result<ChatModelResult, QueueingError> {
        if !self.exact_fits() {
            return Err(QueueingError::ModelTooLarge { limit: crate::Limit::WindowShape });
        }
        match self.window_states() {
            Some(s) if s <= WINDOW_CHAIN_LIMIT => Ok(self.window()),
            _ => Err(QueueingError::ModelTooLarge { limit: crate::Limit::WindowStates }),
        }
    }

    /// The window chain solved ([`ChatModel::solve_window`]), widened until its truncation leaves
    /// out at most [`TRUNCATION_MASS`] or the chain would pass [`WINDOW_CHAIN_LIMIT`] states.
    fn window_solution(&self) -> WindowSolution {
        let n = self.agents;
        let m = self.rate.len() as u32;
        let mut truncation = self.truncation();
        let (mut chain, mut pi, mut sweeps);
        loop {
            chain = Chain::build(self, Some(2), truncation);
            let lines = chain.lines.as_ref().expect("a window chain has lines");
            (pi, sweeps) = chain.solve_lines(self, lines);
            // Wider while the truncation leaves out more than it may, and a wider one fits.
            let Some(t) = truncation else { break };
            let left_out = chain.boundary_mass(&pi);
            let whole = self.full_window_states().map_or(u64::MAX, |s| s as u64);
            if !left_out.is_finite() {
                // A truncated solve that broke down: the whole chain, if it fits.
                if whole > WINDOW_CHAIN_LIMIT as u64 {
                    break;
                }
                truncation = None;
                continue;
            }
            if left_out <= TRUNCATION_MASS {
                break;
            }
            let wider = Truncation { edge: t.edge.saturating_mul(3) / 2, ..t };
            let wider_states = wider.states(n, m);
            if wider_states > WINDOW_CHAIN_LIMIT as u64 {
                break;
            }
            truncation = (2 * wider_states < whole).then_some(wider);
        }
        let left_out = chain.boundary_mass(&pi);
        WindowSolution { chain, pi, sweeps, left_out }
    }

    fn window(&self) -> ChatModelResult {
        if self.rate.len() < 2 {
            return self.exact();
        }
        let WindowSolution { chain, pi, sweeps, left_out } = self.window_solution();
        let states = chain.states;
        if self.rate.len() == 2 {
            // Every spread of two chats is in the window: this is the exact chain.
            let mut r = self.finish_chain(&chain, &pi, ChatModelMethod::Exact { states, sweeps });
            r.bound = Some(CHAIN_TOLERANCE + left_out);
            return r;
        }
        let mut r = self.finish_chain(&chain, &pi, ChatModelMethod::Window { states, sweeps });
        r.bound = if self.equal_handle_times() {
            Some(CHAIN_TOLERANCE + left_out)
        } else {
            self.window_bound(r.p_wait, self.solve_balanced().p_wait).map(|b| b + left_out)
        };
        r
    }

    /// The window chain's error bound in P(wait) on this floor, given its answer and the balanced
    /// one: `None` outside the error grid's handle times ([`ChatModel::within_grid`]).
    ///
    /// The larger of the grid's envelope (`0.12 / N` at 3 chats, `0.025 / N` at 4 or 5, with
    /// patience 120 s) and twice the step from the balanced answer, that step shrunk by
    /// `sqrt(20 / N)` past 20 agents. Against the exact chain the window chain's error falls as
    /// about `1 / N` while the step falls as about `1 / sqrt N` (at 3 chats of 300/600/900 s, the
    /// critical load and patience 600 s: 4.1e-3 against a step of 1.6e-2 at 40 agents, 1.1e-3
    /// against 1.1e-2 at 140), and over 512 floors of 12 to 100 agents (3 to 5 chats, loads 90 %
    /// to 110 %, patience 30 s to 600 s or none) the error was at most 0.56 of this bound (README,
    /// "The chat model's error table"). Long patience near the critical load moves both the error
    /// and the step, in proportion.
    fn window_bound(&self, p_wait: f64, balanced: f64) -> Option<f64> {
        if !self.within_grid() {
            return None;
        }
        let n = f64::from(self.agents);
        let c = if self.rate.len() <= 3 { WINDOW_ENVELOPE[0] } else { WINDOW_ENVELOPE[1] };
        let shrink = (WINDOW_STEP_FROM / n).sqrt().min(1.0);
        Some((c / n).max(2.0 * (p_wait - balanced).abs() * shrink))
    }

    /// The window chain's correction to the balanced approximation, carried over from two
    /// smaller floors in the same regime: the scaled approximation, for floors past the window
    /// chain's reach.
    ///
    /// The window chain is solved on a reference floor of `reference_agents` agents and on one
    /// of half as many, each at the arrival rate that puts its balanced chain as deep below the
    /// full floor as this floor's (the mean of the free slots over their standard deviation, in
    /// the balanced chain without its queue, a loss system). How much more often the window
    /// chain finds every agent full than the balanced one does on the larger reference floor
    /// multiplies this floor's balanced "all full" probability, and the queue is attached to
    /// that as in the other methods. The depth of the balanced chain is what stays put as a
    /// floor grows in the same regime: at the critical load of handle times where an agent's
    /// throughput is flat (300/600/900 s), where the correction falls slowest, the ratio moves
    /// by 0.13 % between 400 and 800 agents, and the answer carried over from 800
    /// agents was within 3.1e-4 of the window chain at 1,600 (README, "The chat model's error
    /// table").
    ///
    /// The bound adds to the window chain's own bound on this floor
    /// ([`ChatModelResult::p_wait_error_bound`]) three times the change in the answer from the
    /// smaller reference floor to the larger, and what the references' truncations left out. The
    /// change alone does not bound what carrying over costs (the answer carried over settles
    /// unevenly as the references grow: off the window chain at 800 agents by 1.3e-4 from 400
    /// agents where the change from 200 was 2.5e-5), but the sum held with room: against the
    /// window chain solved at 2,400 and 3,200 agents the answer of [`ChatModel::solve`] was off
    /// by at most 0.21 of its bound (README, "The chat model's error table"), and the window
    /// chain itself by at most 0.56 of its own against the exact chain. The bound is stated where
    /// the window chain's is (2 to 5 chats, handle times never shorter at a higher concurrency and
    /// at most 3 times the first level's at the top) and an agent's throughput never falls
    /// as it takes another chat; elsewhere it is `None`. Where the balanced approximation is
    /// exact (equal handle times) it is the answer.
    ///
    /// [`ChatModel::solve`] takes this past the window chain's limit, with the largest reference
    /// floor whose window chain has at most 320,000 states (and at most half this floor).
    ///
    /// # Examples
    ///
    /// ```
    /// use chatcap_queueing::{ChatModel, ChatModelMethod};
    /// use std::time::Duration;
    /// let s = Duration::from_secs;
    /// let aht = [s(300), s(600), s(900)];
    /// // 800 agents at the critical load, carried over from 400 and 200 agents.
    /// let model = ChatModel::new(800, &aht, 800.0 / 300.0, Some(s(120)))?;
    /// let (scaled, window) = (model.solve_scaled(400)?, model.solve_window()?);
    /// assert!(matches!(scaled.method(), ChatModelMethod::Scaled { reference_agents: 400, .. }));
    /// let bound = scaled.p_wait_error_bound().unwrap();
    /// assert!((scaled.p_wait() - window.p_wait()).abs() <= bound);
    /// # Ok::<(), chatcap_queueing::QueueingError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`QueueingError::ReferenceFloor`] for a reference floor under 400 agents or larger than
    /// this one, and [`QueueingError::ModelTooLarge`] where its window chain does not fit
    /// ([`ChatModel::solve_window`]).
    pub fn solve_scaled(&self, reference_agents: u32) -> Result<ChatModelResult, QueueingError> {
        if reference_agents < 2 * SCALED_FEWEST_AGENTS || reference_agents > self.agents {
            return Err(QueueingError::ReferenceFloor { reference: reference_agents, agents: self.agents });
        }
        if self.rate.len() > 7 || reference_agents > 0xffff {
            return Err(QueueingError::ModelTooLarge { limit: crate::Limit::WindowShape });
        }
        // One chat per agent has equal handle times too.
        if self.equal_handle_times() {
            return Ok(self.solve_balanced());
        }
        let shape = self.balanced_shape();
        self.reference(reference_agents, shape.depth)
            .and_then(|near| self.scaled(&shape, near))
            .ok_or(QueueingError::ModelTooLarge { limit: crate::Limit::WindowStates })
    }

    /// The reference floor [`ChatModel::solve`] scales from: the largest with at most
    /// [`SCALED_REFERENCE_STATES`] window states at its matched arrival rate, at most half this
    /// floor and at least twice [`SCALED_FEWEST_AGENTS`].
    fn scaled_reference(&self, depth: f64) -> Option<ChatModel> {
        let mut n1 = (self.agents / 2).min(0xffff);
        loop {
            if n1 < 2 * SCALED_FEWEST_AGENTS {
                return None;
            }
            let reference = self.reference(n1, depth)?;
            let states = reference.window_states()?;
            if states <= SCALED_REFERENCE_STATES {
                return Some(reference);
            }
            // The chain grows as about N^1.5 at worst, more slowly elsewhere.
            let shrink = (SCALED_REFERENCE_STATES as f64 / states as f64).powf(2.0 / 3.0) * 0.97;
            n1 = ((f64::from(n1) * shrink) as u32).min(n1 - 1);
        }
    }

    /// The model of `agents` agents with this one's handle times and patience, at the arrival
    /// rate that puts its balanced chain `depth` standard deviations below the full floor; `None`
    /// if no rate does (within a factor e^61 of this floor's per agent).
    fn reference(&self, agents: u32, depth: f64) -> Option<ChatModel> {
        if !depth.is_finite() {
            return None;
        }
        let mut model = ChatModel { agents, rate: self.rate.clone(), arrivals_per_s: 0.0, theta: self.theta };
        let guess = self.arrivals_per_s * f64::from(agents) / f64::from(self.agents);
        let mut depth_at = |ln_rate: f64| {
            model.arrivals_per_s = ln_rate.exp();
            model.balanced_shape().depth
        };
        // Deeper at lower rates: bracket, then bisect in the log of the rate.
        let (mut lo, mut hi) = (guess.ln() - 1.0, guess.ln() + 1.0);
        let mut widened = 0;
        while depth_at(lo) < depth || depth_at(hi) > depth {
            widened += 1;
            if widened > 60 {
                return None;
            }
            (lo, hi) = (lo - 1.0, hi + 1.0);
        }
        for _ in 0..64 {
            let mid = 0.5 * (lo + hi);
            if mid <= lo || mid >= hi {
                break;
            }
            if depth_at(mid) > depth { lo = mid } else { hi = mid }
        }
        let rate = (0.5 * (lo + hi)).exp();
        model.arrivals_per_s = rate;
        (rate.is_finite() && rate > 0.0).then_some(model)
    }

    /// The scaled approximation from the reference floor `near` (its arrival rate matched to
    /// this floor's balanced `shape`) and one of half as many agents, `None` if a reference's
    /// window chain passes [`WINDOW_CHAIN_LIMIT`] states or its ratio is not a number.
    fn scaled(&self, shape: &BalancedShape, near: ChatModel) -> Option<ChatModelResult> {
        let n1 = near.agents;
        let ratio = |model: ChatModel| -> Option<(f64, WindowSolution)> {
            if model.window_states()? > WINDOW_CHAIN_LIMIT {
                return None;
            }
            let solution = model.window_solution();
            let window_full = solution.pi[solution.chain.states - 1];
            let balanced_full = model.balanced_shape().p_full;
            let ratio =
                if window_full == 0.0 && balanced_full == 0.0 { 1.0 } else { window_full / balanced_full };
            (ratio.is_finite() && ratio > 0.0).then_some((ratio, solution))
        };
        let (far, smaller) = ratio(self.reference(n1 / 2, shape.depth)?)?;
        let (near, solution) = ratio(near)?;
        let p_full = (shape.p_full * near).min(1.0);
        // The other states keep the balanced chain's shape, with what is left to them.
        let rest = if shape.p_full < 1.0 { (1.0 - p_full) / (1.0 - shape.p_full) } else { 0.0 };
        let method = ChatModelMethod::Scaled {
            reference_agents: n1,
            states: solution.chain.states,
            sweeps: solution.sweeps,
        };
        let mut r = self.finish(method, p_full, 1.0 - p_full, shape.chats * rest, shape.busy * rest);
        let p_wait_from = |full: f64| r.tail.p_wait(full, &r.sums);
        let carried = (r.p_wait - p_wait_from((shape.p_full * far).min(1.0))).abs();
        let left_out = solution.left_out + smaller.left_out;
        // Measured where throughput never falls; where it does, the balanced chain misses
        // congested states whose weight moves quickly with the floor, and nothing is claimed.
        r.bound = self
            .window_bound(r.p_wait, p_wait_from(shape.p_full))
            .filter(|_| self.throughput_never_falls())
            .map(|b| b + SCALED_STEP_FACTOR * carried + left_out);
        Some(r)
    }

    /// The balanced approximation's measured bound ([`BALANCED_BOUND`]): for the grid's handle
    /// times where an agent's throughput never falls as it takes another chat (`k / AHT_k` never
    /// decreasing), patience of 30 s to 600 s, and floors at least as large as those it was
    /// measured at. Its errors fell with the floor over every profile measured (from half the
    /// floor), so larger floors keep within it. Where throughput falls at some concurrency the
    /// error measured was far larger (3.5e-1 at 100 agents of 300/300/900 s) and no bound is
    /// claimed.
    fn balanced_bound(&self) -> Option<f64> {
        let m = self.rate.len();
        let patience_s = 1.0 / self.theta; // infinite without patience
        let measured = self.within_grid()
            && self.throughput_never_falls()
            && BALANCED_BOUND_PATIENCE_S.contains(&patience_s);
        (measured && self.agents >= BALANCED_BOUND_FROM[m - 2]).then(|| BALANCED_BOUND[m - 2])
    }

    /// Whether an agent's throughput `k / AHT_k` never falls as it takes another chat.
    fn throughput_never_falls(&self) -> bool {
        (1..self.rate.len())
            .all(|k| (k + 1) as f64 * self.rate[k] >= k as f64 * self.rate[k - 1] * (1.0 - 1e-12))
    }

    /// Whether every level's handle time is the same (then only the total of chats matters).
    fn equal_handle_times(&self) -> bool {
        self.rate.windows(2).all(|w| w[0] == w[1])
    }

    /// Whether the handle times are those the error grid covers: not shorter at a higher
    /// concurrency, at most 3 times longer at the top level than at the first, 2 to 5 chats.
    fn within_grid(&self) -> bool {
        let (first, top) = (self.rate[0], self.rate[self.rate.len() - 1]);
        (2..=5).contains(&self.rate.len())
            && self.rate.windows(2).all(|w| w[1] <= w[0])
            && first <= 3.0 * top * (1.0 + 1e-12)
    }

    fn exact(&self) -> ChatModelResult {
        let chain = Chain::build(self, None, None);
        let (pi, sweeps) = chain.solve(self);
        let mut r = self.finish_chain(&chain, &pi, ChatModelMethod::Exact { states: chain.states, sweeps });
        r.bound = Some(CHAIN_TOLERANCE);
        r
    }

    fn finish_chain(&self, chain: &Chain, pi: &[f64], method: ChatModelMethod) -> ChatModelResult {
        let full = chain.states - 1; // the last state in level order is "all full"
        let (mut chats, mut busy) = (0.0, 0.0);
        for ((p, &level), &idle) in pi.iter().zip(&chain.level).zip(&chain.idle).take(full) {
            chats += f64::from(level) * p;
            busy += f64::from(self.agents - idle) * p;
        }
        self.finish(method, pi[full], 1.0 - pi[full], chats, busy)
    }

    /// Attaches the queue to the censored solution: `p_full` is the probability of the "all
    /// full" state in the chain without queue, `chats` and `busy` the sums of chats and busy
    /// agents over the other states, weighted by their probabilities (which add up to
    /// `without_full`).
    fn finish(
        &self,
        method: ChatModelMethod,
        p_full: f64,
        without_full: f64,
        chats: f64,
        busy: f64,
    ) -> ChatModelResult {
        let m = self.rate.len();
        let slots = f64::from(self.agents) * m as f64;
        let tail = Tail { lambda: self.arrivals_per_s, release: slots * self.rate[m - 1], theta: self.theta };
        let sums = tail.sums(self.arrivals_per_s);
        let p_wait = tail.p_wait(p_full, &sums);
        // The non-full states keep their shares of 1 - P(wait).
        let c = if without_full > 0.0 { (1.0 - p_wait) / without_full } else { 0.0 };
        let p_served = (1.0 - p_wait) + p_wait * sums.served;
        ChatModelResult {
            method,
            p_wait,
            p_abandon: p_wait * sums.abandon,
            p_served,
            asa_served_s: if p_served > 0.0 { p_wait * sums.served_wait_s / p_served } else { 0.0 },
            mean_queue_len: p_wait * sums.queue_len,
            arrivals_per_s: self.arrivals_per_s,
            mean_chats: chats * c + slots * p_wait,
            busy_agents: busy * c + f64::from(self.agents) * p_wait,
            agents: self.agents,
            max_chats: m as u32,
            tail,
            sums,
            bound: None,
        }
    }
}

impl ChatModelResult {
    /// How this result was computed.
    pub fn method(&self) -> ChatModelMethod {
        self.method
    }

    /// The probability that an arrival waits (every agent holds its limit).
    pub fn p_wait(&self) -> f64 {
        self.p_wait
    }

    /// How far [`p_wait`](Self::p_wait) may be from the exact model's, `None` when unknown.
    ///
    /// A solved chain is within 1e-9 of its own solution. The window chain's bound is the
    /// envelope of its measured error over the grid in the README, `0.12 / N` at 3 chats per
    /// agent and `0.025 / N` at 4 or 5, or twice its distance from the balanced answer, shrunk by
    /// `sqrt(20 / N)` past 20 agents, where that is larger (long patience near the critical load
    /// moves both approximations further). It applies to the floors the grid covers: 2 to 5
    /// chats, handle times never shorter at a higher concurrency and at most 3 times longer at
    /// the top level than at the first; elsewhere it is `None`. The scaled approximation's adds
    /// three times the change in its answer between its two reference floors, where the window
    /// chain's applies and an agent's throughput never falls with concurrency
    /// ([`ChatModel::solve_scaled`]). The balanced approximation is exact (1e-9) for equal handle
    /// times. Otherwise its bound is measured at 280 agents of 2 chats, 199 of 3, 162 of 4 and 140 of 5
    /// (patience 30 s to 600 s, loads 90 % to 150 % of
    /// `N m / AHT_m`, the error peaking at the critical load) and holds on those floors and
    /// larger ones, over which its error falls: 5.1e-2 at 2 chats, 2.9e-2 at 3, 1.5e-2 at 4,
    /// 8.6e-3 at 5. It applies to handle times in the grid where an agent's throughput never
    /// falls as it takes another chat (`k / AHT_k` never decreasing); where it falls the error
    /// measured reached 3.5e-1. It is `None` there, on smaller floors, for handle times outside
    /// the grid, and for patience outside 30 s to 600 s or none.
    ///
    /// # Examples
    ///
    /// ```
    /// use chatcap_queueing::{ChatModel, ChatModelMethod};
    /// use std::time::Duration;
    /// let s = Duration::from_secs;
    /// // 5,000 agents at 84 % of the floor's release rate: the truncated window chain.
    /// let model = ChatModel::new(5_000, &[s(300), s(360), s(420)], 30.0, Some(s(120)))?;
    /// let r = model.solve();
    /// assert!(matches!(r.method(), ChatModelMethod::Window { .. }));
    /// assert!(r.p_wait_error_bound().unwrap() < 2e-3);
    /// // 20,000 agents at the critical load of flat throughput: past the window chain's limit.
    /// let aht = [s(300), s(600), s(900)];
    /// let huge = ChatModel::new(20_000, &aht, 20_000.0 / 300.0, Some(s(120)))?;
    /// assert_eq!(huge.solve_balanced().p_wait_error_bound(), Some(2.9e-2)); // 3 chats
    /// // The window chain's correction carried over from floors of 400 and 200 agents.
    /// assert!(huge.solve_scaled(400)?.p_wait_error_bound().unwrap() < 2e-3);
    /// let patient = ChatModel::new(20_000, &aht, 60.0, None)?;
    /// assert_eq!(patient.solve_balanced().p_wait_error_bound(), None); // no patience: not measured
    /// let even = ChatModel::new(20_000, &[s(300); 3], 60.0, Some(s(120)))?;
    /// assert_eq!(even.solve().p_wait_error_bound(), Some(1e-9));
    /// # Ok::<(), chatcap_queueing::QueueingError>(())
    /// ```
    pub fn p_wait_error_bound(&self) -> Option<f64> {
        self.bound
    }

    /// The probability that an arrival abandons.
    pub fn p_abandon(&self) -> f64 {
        self.p_abandon
    }

    /// The mean time in queue over all arrivals, in seconds.
    pub fn mean_wait_all_s(&self) -> f64 {
        self.mean_queue_len / self.arrivals_per_s
    }

    /// The average speed of answer of the served visitors, in seconds.
    pub fn asa_served_s(&self) -> f64 {
        self.asa_served_s
    }

    /// The mean number of visitors waiting.
    pub fn mean_queue_len(&self) -> f64 {
        self.mean_queue_len
    }

    /// The share of arrivals answered within `target` (abandoned visitors count as not answered).
    pub fn service_level(&self, target: Duration) -> f64 {
        self.tail.within(self.p_wait, &self.sums, target.as_secs_f64()).answered
    }

    /// The mean number of chats in service.
    pub fn mean_chats_in_service(&self) -> f64 {
        self.mean_chats
    }

    /// The mean share of agents holding at least one chat.
    pub fn agent_utilization(&self) -> f64 {
        (self.busy_agents / f64::from(self.agents)).min(1.0)
    }

    /// The mean share of chat slots in use: chats in service over `N m`.
    pub fn slot_occupancy(&self) -> f64 {
        (self.mean_chats / (f64::from(self.agents) * f64::from(self.max_chats))).min(1.0)
    }

    /// The probability that an arrival is served.
    pub fn p_served(&self) -> f64 {
        self.p_served
    }
}

/// The chain without its queue: states sorted by total chats (level), then by key.
/// A solved window chain ([`ChatModel::window_solution`]).
struct WindowSolution {
    chain: Chain,
    pi: Vec<f64>,
    sweeps: u32,
    /// The probability next to the states its truncation left out.
    left_out: f64,
}

/// The balanced chain without its queue, a loss system ([`ChatModel::balanced_shape`]).
#[derive(Clone, Copy, Debug)]
struct BalancedShape {
    /// The probability of "all full".
    p_full: f64,
    /// The sums of chats and of busy agents over the other states, weighted by their probabilities.
    chats: f64,
    busy: f64,
    /// How far the chats in progress sit below the full floor, in standard deviations: the mean
    /// of `N m - L` over its standard deviation.
    depth: f64,
}

struct Chain {
    states: usize,
    level: Vec<u32>,
    /// Agents holding no chat, per state.
    idle: Vec<u32>,
    /// First state of each level, plus the end.
    level_start: Vec<usize>,
    /// Total departure rate per state (chats ending).
    departure: Vec<f64>,
    /// Total rate out of each state in the censored chain.
    out: Vec<f64>,
    /// Incoming transitions in CSR form: sources and rates. Sources sort by index, hence by
    /// level: those from the level below (arrivals) come before `in_split`, those from above
    /// (departures) after.
    in_start: Vec<usize>,
    in_split: Vec<usize>,
    in_from: Vec<u32>,
    in_rate: Vec<f64>,
    /// The window chain's partition into lines ([`Lines`]); `None` for the exact chain.
    lines: Option<Lines>,
    /// The kept states next to those a truncation leaves out ([`Truncation`]).
    boundary: Vec<u32>,
}

/// A partition of the window chain's states into lines, each a path of states one level apart
/// that only arrivals and departures along it connect within the line: a birth-death chain,
/// solved exactly in one pass.
///
/// The first line holds the spreads within one chat (one per level, from no chats to all full:
/// the balanced chain). Every other spread has agents at three levels `w`, `w + 1` and `w + 2`;
/// its line is `(w, b)`, `b` agents at `w + 2`, along which the `a` agents at `w` run from
/// `N - b` down to 1 (an arrival takes `a` down, a departure from `w + 1`, or from `w` taken
/// from `w + 1`, takes it up). Out of a line `(w, b)` the flow only goes to `(w, b - 1)` (a
/// departure from `w + 2`) or to the first line (an arrival at `a = 1`, or a departure at
/// `b = 1`), and into it only from those and from the first line (a departure from `w + 1`
/// where no agent holds `w`). Swept first line first, then each window's lines by decreasing
/// `b`, the sweep is exact given the first line: only the balanced chain's coupling to the
/// spreads is iterated.
struct Lines {
    /// First position of each line in `order`, plus the end.
    start: Vec<usize>,
    /// The states, line by line, each line by increasing level.
    order: Vec<u32>,
    /// Per position: the rate into the state from the one before it in its line (an arrival).
    below: Vec<f64>,
    /// Per position: the rate into the state from the one after it in its line (a departure).
    above: Vec<f64>,
    /// Per position: the pivot of the line's elimination, the same in scaled unknowns as in
    /// rates, found without subtractions (as in the GTH algorithm) from the rates out of the line;
    /// zero only at the end of a line that nothing leaves (the whole chain, with one agent).
    pivot: Vec<f64>,
    /// Per position: the state's level and departure rate, copied in line order so that a sweep
    /// reads them in sequence.
    level: Vec<u32>,
    departure: Vec<f64>,
    /// Per position: the incoming transitions from outside the line, in CSR form over positions,
    /// those from the level below before `in_split`.
    in_start: Vec<usize>,
    in_split: Vec<usize>,
    in_from: Vec<u32>,
    in_rate: Vec<f64>,
}

const BITS: u32 = 16;

/// Which spreads over three levels the window chain keeps on a large floor: those with at most
/// `edge` agents at the lowest or at the top level of their window, in the levels `lo..=hi`.
/// The spreads within one chat are all kept.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Truncation {
    edge: u32,
    lo: u32,
    hi: u32,
}

impl Truncation {
    /// The agents `a` at level `low` kept with `b` agents at `low + 2` (and the rest at
    /// `low + 1`): at least one, at most `edge` unless `b` is, within the kept levels (the
    /// spread's level is `n (low + 1) + b - a`).
    fn kept_low(&self, n: u32, low: u32, b: u32) -> std::ops::Range<u32> {
        let base = i64::from(n) * i64::from(low + 1) + i64::from(b);
        let mut top = i64::from(n - b);
        if b > self.edge {
            top = top.min(i64::from(self.edge));
        }
        let first = (base - i64::from(self.hi)).max(1);
        let last = top.min(base - i64::from(self.lo));
        if first > last { 0..0 } else { first as u32..last as u32 + 1 }
    }

    /// The states kept: one spread within one chat per level, plus the kept spreads.
    fn states(&self, n: u32, m: u32) -> u64 {
        let mut states = u64::from(n) * u64::from(m) + 1;
        for low in 0..m - 1 {
            for b in 1..n {
                states += self.kept_low(n, low, b).count() as u64;
            }
        }
        states
    }
}

impl Chain {
    /// The chain over every spread of the agents (`window: None`), or over those whose agents
    /// all hold within `window` chats of each other, a departure that would widen the spread
    /// being taken from the next busier agent that keeps it.
    fn build(model: &ChatModel, window: Option<u32>, truncation: Option<Truncation>) -> Chain {
        let n = model.agents;
        let m = model.rate.len();
        let count = |key: u128, k: usize| ((key >> (BITS * k as u32)) & 0xffff) as u32;
        let spread = |key: u128| {
            let low = (0..=m).find(|&k| count(key, k) > 0).unwrap_or(0);
            let high = (0..=m).rev().find(|&k| count(key, k) > 0).unwrap_or(0);
            (high - low) as u32
        };
        // Every way to spread n agents over levels 0..=m (or over each window of levels), as
        // keys with 16 bits per level.
        let mut keys = Vec::new();
        let mut counts = vec![0u32; m + 1];
        let w = window.map_or(m, |w| (w as usize).min(m));
        match truncation {
            None => {
                for low in 0..=m - w {
                    enumerate(&mut keys, &mut counts, low, low + w, n);
                }
            }
            Some(t) => {
                // Every spread within one chat, then the kept spreads over three levels.
                for low in 0..m {
                    enumerate(&mut keys, &mut counts, low, low + 1, n);
                }
                for low in 0..m - 1 {
                    for b in 1..n {
                        for a in t.kept_low(n, low as u32, b) {
                            let c = n - a - b;
                            keys.push(
                                (u128::from(a) << (BITS * low as u32))
                                    | (u128::from(c) << (BITS * (low + 1) as u32))
                                    | (u128::from(b) << (BITS * (low + 2) as u32)),
                            );
                        }
                    }
                }
            }
        }
        let level_of = |key: u128| (1..=m).map(|k| k as u32 * count(key, k)).sum::<u32>();
        keys.sort_by_key(|&k| (level_of(k), k));
        keys.dedup(); // adjacent windows share the spreads over their common levels
        let states = keys.len();
        let level: Vec<u32> = keys.iter().map(|&k| level_of(k)).collect();
        let top = n * m as u32;
        let mut level_start = vec![0usize; top as usize + 2];
        for (s, &l) in level.iter().enumerate().rev() {
            level_start[l as usize] = s;
        }
        level_start[top as usize + 1] = states;
        let find = |key: u128| -> Option<usize> {
            let l = level_of(key) as usize;
            let range = &keys[level_start[l]..level_start[l + 1]];
            range.binary_search(&key).ok().map(|i| level_start[l] + i)
        };
        let one = |k: usize| 1u128 << (BITS * k as u32);
        // The state a transition from `from` to `to` goes to: `to` itself, or where the
        // truncation leaves it out, a state of the same level that is kept. A departure that
        // would take the agents at the window's lowest level past the limit is taken from its
        // top level instead (as a departure that would widen the spread is); a spread outside
        // the kept levels becomes the balanced spread of its level.
        let index = |from: u128, to: u128| -> usize {
            if let Some(t) = find(to) {
                return t;
            }
            let low = (0..=m).find(|&k| count(to, k) > 0).unwrap_or(0);
            if low + 2 <= m && count(from, low + 2) > 0 {
                let instead = from - one(low + 2) + one(low + 1);
                if level_of(instead) == level_of(to)
                    && let Some(t) = find(instead)
                {
                    return t;
                }
            }
            let l = level_of(to);
            let (q, r) = ((l / n) as usize, l % n);
            let mut balanced = u128::from(n - r) << (BITS * q as u32);
            if r > 0 {
                balanced += u128::from(r) << (BITS * (q + 1) as u32);
            }
            find(balanced).expect("every balanced spread is kept")
        };
        let mut edges: Vec<(u32, u32, f64)> = Vec::with_capacity(states * (m + 1));
        let mut departure = vec![0.0; states];
        let mut out = vec![0.0; states];
        for (s, &key) in keys.iter().enumerate() {
            // Arrival: the least-loaded agent below the cap takes it.
            if let Some(j) = (0..m).find(|&j| count(key, j) > 0) {
                let t = index(key, key - one(j) + one(j + 1));
                edges.push((s as u32, t as u32, model.arrivals_per_s));
                out[s] += model.arrivals_per_s;
            }
            for k in 1..=m {
                let c = count(key, k);
                if c > 0 {
                    let rate = f64::from(c) * k as f64 * model.rate[k - 1];
                    // Within a window the departure may move to a busier agent: the first level
                    // from k up whose agent can lose a chat without widening the spread.
                    let from = (k..=m)
                        .find(|&j| {
                            count(key, j) > 0 && window.is_none_or(|w| spread(key - one(j) + one(j - 1)) <= w)
                        })
                        .expect("the busiest agent can always lose a chat");
                    let t = index(key, key - one(from) + one(from - 1));
                    edges.push((s as u32, t as u32, rate));
                    departure[s] += rate;
                    out[s] += rate;
                }
            }
        }
        edges.sort_by_key(|&(from, to, _)| (to, from));
        let mut in_start = vec![0usize; states + 1];
        for &(_, to, _) in &edges {
            in_start[to as usize + 1] += 1;
        }
        for i in 0..states {
            in_start[i + 1] += in_start[i];
        }
        let in_split: Vec<usize> = (0..states)
            .map(|t| {
                let edges_in = &edges[in_start[t]..in_start[t + 1]];
                in_start[t] + edges_in.iter().filter(|e| level[e.0 as usize] < level[t]).count()
            })
            .collect();
        let idle = keys.iter().map(|&k| count(k, 0)).collect();
        let in_from: Vec<u32> = edges.iter().map(|e| e.0).collect();
        let in_rate: Vec<f64> = edges.iter().map(|e| e.2).collect();
        let lines = window.map(|_| {
            // The line of each state: 0 for the spreads within one chat, else one per window
            // `w` and agents `b` at its top level, windows up, `b` down.
            let line_of = |key: u128| -> usize {
                let low = (0..=m).find(|&k| count(key, k) > 0).unwrap_or(0);
                let high = (0..=m).rev().find(|&k| count(key, k) > 0).unwrap_or(0);
                if high - low <= 1 { 0 } else { 1 + low * n as usize + (n - count(key, high)) as usize }
            };
            let mut order: Vec<u32> = (0..states as u32).collect();
            order.sort_by_key(|&s| (line_of(keys[s as usize]), level[s as usize]));
            let mut start = vec![0usize];
            for i in 1..states {
                let (p, q) = (order[i - 1] as usize, order[i] as usize);
                if line_of(keys[p]) != line_of(keys[q]) {
                    start.push(i);
                } else {
                    debug_assert_eq!(level[p] + 1, level[q], "a line steps one level at a time");
                }
            }
            start.push(states);
            let mut position = vec![0u32; states];
            for (i, &s) in order.iter().enumerate() {
                position[s as usize] = i as u32;
            }
            let (mut below, mut above) = (vec![0.0; states], vec![0.0; states]);
            // The rate out of each state to states off its line.
            let mut leak = vec![0.0; states];
            let mut pin_start = Vec::with_capacity(states + 1);
            let mut pin_split = Vec::with_capacity(states);
            let (mut pin_from, mut pin_rate) = (Vec::new(), Vec::new());
            pin_start.push(0);
            for line in start.windows(2) {
                for i in line[0]..line[1] {
                    let s = order[i] as usize;
                    for e in in_start[s]..in_start[s + 1] {
                        let t = in_from[e];
                        if e == in_split[s] {
                            pin_split.push(pin_from.len());
                        }
                        if i > line[0] && t == order[i - 1] {
                            below[i] += in_rate[e];
                        } else if i + 1 < line[1] && t == order[i + 1] {
                            above[i] += in_rate[e];
                        } else {
                            pin_from.push(position[t as usize]);
                            pin_rate.push(in_rate[e]);
                            leak[position[t as usize] as usize] += in_rate[e];
                        }
                    }
                    if pin_split.len() == i {
                        pin_split.push(pin_from.len());
                    }
                    pin_start.push(pin_from.len());
                }
            }
            // Forward elimination along each line: the pivot is what leaves the state other than
            // forward, plus the forward rate; what leaves it backward only counts in the share
            // that does not come back.
            let mut pivot = vec![0.0; states];
            for line in start.windows(2) {
                let mut kept = 0.0; // the previous position's pivot less its forward rate, over it
                for i in line[0]..line[1] {
                    let forward = if i + 1 < line[1] { below[i + 1] } else { 0.0 };
                    let backward = if i > line[0] { above[i - 1] } else { 0.0 };
                    let rest = leak[i] + backward * kept;
                    pivot[i] = rest + forward;
                    kept = if pivot[i] > 0.0 { rest / pivot[i] } else { 0.0 };
                }
            }
            Lines {
                pivot,
                level: order.iter().map(|&s| level[s as usize]).collect(),
                departure: order.iter().map(|&s| departure[s as usize]).collect(),
                start,
                order,
                below,
                above,
                in_start: pin_start,
                in_split: pin_split,
                in_from: pin_from,
                in_rate: pin_rate,
            }
        });
        let boundary = match truncation {
            None => Vec::new(),
            Some(t) => (0..states as u32)
                .filter(|&st| {
                    let key = keys[st as usize];
                    let low = (0..=m).find(|&k| count(key, k) > 0).unwrap_or(0);
                    let spread_two = low + 2 <= m && count(key, low + 2) > 0;
                    let l = level[st as usize];
                    spread_two
                        && ((count(key, low) == t.edge && count(key, low + 2) > t.edge)
                            || l == t.lo
                            || l == t.hi)
                })
                .collect(),
        };
        Chain {
            boundary,
            states,
            level,
            idle,
            level_start,
            departure,
            out,
            in_start,
            in_split,
            in_from,
            in_rate,
            lines,
        }
    }

    /// The probability on the states next to those a truncation leaves out: an estimate, from
    /// above, of what it moves (over the README's truncation test, P(wait) moved by a quarter to
    /// a third of it).
    fn boundary_mass(&self, pi: &[f64]) -> f64 {
        self.boundary.iter().map(|&s| pi[s as usize]).sum()
    }

    /// The stationary distribution (summing to 1) and the sweeps it took.
    ///
    /// Works on the distribution within each level (summing to 1 per level) and the ratios of
    /// adjacent level masses, which the level chain gives exactly (`lambda / departures`), so
    /// that nothing underflows however unlikely a level is.
    fn solve(&self, model: &ChatModel) -> (Vec<f64>, u32) {
        let levels = self.level_start.len() - 1;
        let lambda = model.arrivals_per_s;
        // Mean departure rate of each level (level 0 has none), first as if the agents' loads
        // were balanced.
        let mut dep: Vec<f64> = (0..levels).map(|l| model.balanced_departures(l as u64)).collect();
        // Twice: the second time in unknowns scaled by the level masses the first found, so
        // that every level, however unlikely, is solved to the same relative precision.
        let mut start = vec![1.0; self.states];
        let mut sweeps = 0;
        let mut solved = false;
        for _ in 0..2 {
            match self.krylov(&start, &dep, lambda) {
                Some((x, iterations)) => {
                    start = x;
                    self.normalize(&mut start, &mut dep);
                    sweeps += 2 * iterations;
                    solved = true;
                }
                None => break,
            }
        }
        let mut cond = start;
        if !solved {
            for l in 0..levels {
                let range = self.level_start[l]..self.level_start[l + 1];
                let size = range.len() as f64;
                cond[range].fill(1.0 / size);
            }
        }
        self.settle(cond, dep, lambda, sweeps)
    }

    /// The stationary distribution by line sweeps ([`Lines`]) from the level masses of the
    /// balanced chain, each after an exact aggregation over the levels, until the distribution
    /// changed by less than 1e-13 (relative), then as [`Chain::solve`] from there.
    fn solve_lines(&self, model: &ChatModel, lines: &Lines) -> (Vec<f64>, u32) {
        let levels = self.level_start.len() - 1;
        let lambda = model.arrivals_per_s;
        let mut dep: Vec<f64> = (0..levels).map(|l| model.balanced_departures(l as u64)).collect();
        // The values in line order, each level's summing to 1.
        let mut y: Vec<f64> = lines
            .level
            .iter()
            .map(|&l| 1.0 / (self.level_start[l as usize + 1] - self.level_start[l as usize]) as f64)
            .collect();
        let (mut g, mut h, mut total) = (vec![0.0; self.states], vec![0.0; self.states], vec![0.0; levels]);
        let mut sweeps = 0;
        let mut settling = Settling::default();
        loop {
            lines.normalize(&mut y, &mut dep, &mut total);
            let change = lines.sweep(&mut y, &dep, lambda, &mut g, &mut h);
            sweeps += 1;
            if settling.done(change) || sweeps >= 100_000 {
                break;
            }
        }
        let mut cond = vec![0.0; self.states];
        for (&s, &v) in lines.order.iter().zip(&y) {
            cond[s as usize] = v;
        }
        self.settle(cond, dep, lambda, sweeps)
    }

    /// Gauss-Seidel sweeps from `cond` until the distribution settles to the last bits, then the
    /// level masses; `sweeps` counts the passes so far.
    fn settle(&self, mut cond: Vec<f64>, mut dep: Vec<f64>, lambda: f64, mut sweeps: u32) -> (Vec<f64>, u32) {
        let levels = self.level_start.len() - 1;
        // Gauss-Seidel sweeps from there (from the start if the solver broke down) until the
        // distribution settles to the last bits.
        let mut settling = Settling::default();
        loop {
            self.normalize(&mut cond, &mut dep);
            let mut change = 0.0f64;
            for s in 0..self.states {
                let new = self.inflow(s, &cond, &dep, lambda) / self.out[s];
                // Subnormal values carry too few bits to settle to 1e-13.
                if new >= f64::MIN_POSITIVE {
                    change = change.max(((new - cond[s]) / new).abs());
                }
                cond[s] = new;
            }
            sweeps += 1;
            // The cap only guards against a chain that never settles to the last bits.
            if settling.done(change) || sweeps >= 100_000 {
                break;
            }
        }
        self.normalize(&mut cond, &mut dep);
        // Level masses from the level chain, in logs, then scaled to sum to 1.
        let mut ln_mass = Vec::with_capacity(levels);
        let mut acc = 0.0f64;
        for (l, d) in dep.iter().enumerate() {
            if l > 0 {
                acc += (lambda / d).ln();
            }
            ln_mass.push(acc);
        }
        let max = ln_mass.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let z: f64 = ln_mass.iter().map(|m| (m - max).exp()).sum();
        for (l, m) in ln_mass.iter().enumerate() {
            let mass = (m - max).exp() / z;
            for p in &mut cond[self.level_start[l]..self.level_start[l + 1]] {
                *p *= mass;
            }
        }
        (cond, sweeps)
    }

    /// `A y` for the balance equations in unknowns scaled per level by the level masses that
    /// `dep` implies, the last state's equation replaced by the mean of `y` (the scale).
    fn apply(&self, y: &[f64], out: &mut [f64], dep: &[f64], lambda: f64) {
        let last = self.states - 1;
        for s in 0..last {
            out[s] = self.out[s] * y[s] - self.inflow(s, y, dep, lambda);
        }
        out[last] = y.iter().sum::<f64>() / self.states as f64;
    }

    /// The flow into state `s` from the values `y` of its neighbours, each scaled by the mass
    /// of the source's level over this one's as `dep` implies.
    fn inflow(&self, s: usize, y: &[f64], dep: &[f64], lambda: f64) -> f64 {
        let l = self.level[s] as usize;
        let (mut from_below, mut from_above) = (0.0, 0.0);
        for e in self.in_start[s]..self.in_split[s] {
            from_below += y[self.in_from[e] as usize] * self.in_rate[e];
        }
        for e in self.in_split[s]..self.in_start[s + 1] {
            from_above += y[self.in_from[e] as usize] * self.in_rate[e];
        }
        let mut inflow = from_below * (dep[l] / lambda);
        if l + 1 < dep.len() {
            inflow += from_above * (lambda / dep[l + 1]);
        }
        inflow
    }

    /// `M⁻¹ r` for the symmetric Gauss-Seidel splitting of [`Chain::apply`]'s matrix: a sweep
    /// up the levels (arrivals) and one down (departures).
    fn precondition(&self, r: &[f64], z: &mut [f64], dep: &[f64], lambda: f64) {
        let levels = dep.len();
        let last = self.states - 1;
        for s in 0..last {
            let l = self.level[s] as usize;
            let mut from_below = 0.0;
            for e in self.in_start[s]..self.in_split[s] {
                from_below += z[self.in_from[e] as usize] * self.in_rate[e];
            }
            z[s] = (r[s] + from_below * (dep[l] / lambda)) / self.out[s];
        }
        z[last] = r[last] * self.states as f64;
        for s in (0..last).rev() {
            let l = self.level[s] as usize;
            if l + 1 >= levels {
                continue;
            }
            let mut from_above = 0.0;
            for e in self.in_split[s]..self.in_start[s + 1] {
                let t = self.in_from[e] as usize;
                if t != last {
                    from_above += z[t] * self.in_rate[e];
                }
            }
            z[s] += from_above * (lambda / dep[l + 1]) / self.out[s];
        }
    }

    /// The stationary distribution within each level by preconditioned BiCGSTAB on the balance
    /// equations, and the iterations it took; `None` if it broke down or did not settle (the
    /// sweeps then start afresh).
    fn krylov(&self, start: &[f64], dep: &[f64], lambda: f64) -> Option<(Vec<f64>, u32)> {
        let n = self.states;
        if n < 2 || dep.iter().skip(1).any(|&d| !(usable(d) && d > 0.0)) {
            return None;
        }
        let mut x = start.to_vec();
        let (mut r, mut v, mut p, mut ph, mut sh, mut t) =
            (vec![0.0; n], vec![0.0; n], vec![0.0; n], vec![0.0; n], vec![0.0; n], vec![0.0; n]);
        self.apply(&x, &mut r, dep, lambda);
        for ri in &mut r {
            *ri = -*ri;
        }
        // The scale of the solution: the start's own, so that a start that solves the
        // equations is already done.
        let norm_b = start.iter().sum::<f64>() / n as f64;
        r[n - 1] += norm_b;
        let r0 = r.clone();
        let (mut rho, mut alpha, mut omega) = (1.0f64, 1.0f64, 1.0f64);
        let mut iterations = 0;
        let settled = loop {
            if iterations >= 2_000 {
                break false;
            }
            iterations += 1;
            let rho_new = dot(&r0, &r);
            if !usable(rho_new) {
                break false;
            }
            let beta = (rho_new / rho) * (alpha / omega);
            for i in 0..n {
                p[i] = r[i] + beta * (p[i] - omega * v[i]);
            }
            self.precondition(&p, &mut ph, dep, lambda);
            self.apply(&ph, &mut v, dep, lambda);
            let r0v = dot(&r0, &v);
            if !usable(r0v) {
                break false;
            }
            alpha = rho_new / r0v;
            for i in 0..n {
                r[i] -= alpha * v[i];
                x[i] += alpha * ph[i];
            }
            if dot(&r, &r).sqrt() < 1e-14 * norm_b {
                break true;
            }
            self.precondition(&r, &mut sh, dep, lambda);
            self.apply(&sh, &mut t, dep, lambda);
            let tt = dot(&t, &t);
            if !usable(tt) {
                break false;
            }
            omega = dot(&t, &r) / tt;
            for i in 0..n {
                x[i] += omega * sh[i];
                r[i] -= omega * t[i];
            }
            rho = rho_new;
            if !usable(omega) || !x[0].is_finite() {
                break false;
            }
            if dot(&r, &r).sqrt() < 1e-14 * norm_b {
                break true;
            }
        };
        if !settled {
            return None;
        }
        for xi in &mut x {
            *xi = xi.max(0.0);
        }
        for l in 0..dep.len() {
            let range = self.level_start[l]..self.level_start[l + 1];
            let total: f64 = x[range.clone()].iter().sum();
            if !(usable(total) && total > 0.0) {
                return None;
            }
        }
        Some((x, iterations))
    }

    /// Scales each level's values to sum to 1 and sets its mean departure rate.
    fn normalize(&self, cond: &mut [f64], dep: &mut [f64]) {
        for (l, d) in dep.iter_mut().enumerate() {
            let range = self.level_start[l]..self.level_start[l + 1];
            let total: f64 = cond[range.clone()].iter().sum();
            let mut rate = 0.0;
            for s in range {
                cond[s] /= total;
                rate += cond[s] * self.departure[s];
            }
            *d = rate;
        }
    }
}

impl Lines {
    /// As [`Chain::normalize`], over the values in line order (`total` is scratch, one per level).
    fn normalize(&self, y: &mut [f64], dep: &mut [f64], total: &mut [f64]) {
        total.fill(0.0);
        for (v, &l) in y.iter().zip(&self.level) {
            total[l as usize] += v;
        }
        dep.fill(0.0);
        for ((v, &l), &d) in y.iter_mut().zip(&self.level).zip(&self.departure) {
            *v /= total[l as usize];
            dep[l as usize] += *v * d;
        }
    }

    /// One block Gauss-Seidel sweep over the lines, each solved exactly (a tridiagonal solve
    /// without pivoting: the line's matrix is an M-matrix), in the scaled unknowns of
    /// [`Chain::inflow`] in line order; returns the largest relative change.
    fn sweep(&self, y: &mut [f64], dep: &[f64], lambda: f64, g: &mut [f64], h: &mut [f64]) -> f64 {
        let levels = dep.len();
        let mut change = 0.0f64;
        for line in self.start.windows(2) {
            let (first, end) = (line[0], line[1]);
            for i in first..end {
                let l = self.level[i] as usize;
                let (mut from_below, mut from_above) = (0.0, 0.0);
                for e in self.in_start[i]..self.in_split[i] {
                    from_below += y[self.in_from[e] as usize] * self.in_rate[e];
                }
                for e in self.in_split[i]..self.in_start[i + 1] {
                    from_above += y[self.in_from[e] as usize] * self.in_rate[e];
                }
                let down = dep[l] / lambda;
                let up = if l + 1 < levels { lambda / dep[l + 1] } else { 0.0 };
                let rhs = from_below * down + from_above * up;
                let (sub, sup) = (self.below[i] * down, self.above[i] * up);
                let h_prev = if i > first { h[i - 1] } else { 0.0 };
                let pivot = self.pivot[i];
                if pivot > 0.0 {
                    g[i] = sup / pivot;
                    // Where nothing leaves the line for many levels (the spreads within one chat
                    // of a light load, whose spreads over three levels hold next to nothing), an
                    // early sweep's inflow from those spreads grows along it past the range of a
                    // float; as the spreads settle towards nothing the inflow does too, so the
                    // cap only holds where the values are far from settled.
                    h[i] = ((rhs + sub * h_prev) / pivot).min(H_CAP);
                } else {
                    // A closed line: its balance fixes the values up to their scale.
                    (g[i], h[i]) = (0.0, 1.0);
                }
            }
            let mut after = 0.0;
            for i in (first..end).rev() {
                let new = h[i] + g[i] * after;
                // Subnormal values carry too few bits to settle to 1e-13.
                if new >= f64::MIN_POSITIVE {
                    change = change.max(((new - y[i]) / new).abs());
                }
                y[i] = new;
                after = new;
            }
        }
        change
    }
}

/// The most a line sweep's forward elimination carries ([`Lines::sweep`]).
const H_CAP: f64 = 1e300;

/// When iterations have settled: the largest relative change of a sweep is below 1e-13, or
/// below 1e-10 and no longer falling for 20 sweeps (rounding then sets the change: a state
/// whose value flipped between two neighbouring roundings, 1.3e-13 apart, was seen in a
/// truncated window chain of 800 agents).
struct Settling {
    best: f64,
    stalled: u32,
}

impl Default for Settling {
    fn default() -> Self {
        Self { best: f64::INFINITY, stalled: 0 }
    }
}

impl Settling {
    fn done(&mut self, change: f64) -> bool {
        if change < 0.999 * self.best {
            (self.best, self.stalled) = (change, 0);
        } else {
            self.stalled += 1;
        }
        change < 1e-13 || (self.best < 1e-10 && self.stalled >= 20)
    }
}

/// Pushes every spread of `left` agents over the levels `k..=last` (the others hold none).
fn enumerate(keys: &mut Vec<u128>, counts: &mut [u32], k: usize, last: usize, left: u32) {
    if k == last {
        counts[k] = left;
        keys.push(counts.iter().enumerate().map(|(i, &c)| u128::from(c) << (BITS * i as u32)).sum());
        counts[k] = 0;
        return;
    }
    for c in 0..=left {
        counts[k] = c;
        enumerate(keys, counts, k + 1, last, left - c);
    }
    counts[k] = 0;
}

/// Finite and not zero: a value the solver can divide by.
fn usable(v: f64) -> bool {
    v.is_finite() && v != 0.0
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The stationary distribution of a chain by the GTH algorithm on its dense rate matrix
    /// (state elimination without subtractions: each probability to a few ulps).
    #[allow(clippy::needless_range_loop)] // the elimination reads as its textbook form
    fn dense_gth(chain: &Chain) -> Vec<f64> {
        let n = chain.states;
        let mut p = vec![vec![0.0f64; n]; n];
        for to in 0..n {
            for e in chain.in_start[to]..chain.in_start[to + 1] {
                p[chain.in_from[e] as usize][to] += chain.in_rate[e];
            }
        }
        for k in (1..n).rev() {
            let out: f64 = p[k][..k].iter().sum();
            for row in p.iter_mut().take(k) {
                row[k] /= out;
            }
            for i in 0..k {
                let f = p[i][k];
                if f != 0.0 {
                    for j in 0..k {
                        p[i][j] += f * p[k][j];
                    }
                }
            }
        }
        let mut x = vec![0.0; n];
        x[0] = 1.0;
        for k in 1..n {
            x[k] = (0..k).map(|i| x[i] * p[i][k]).sum();
        }
        let z: f64 = x.iter().sum();
        x.iter().map(|v| v / z).collect()
    }

    /// The chain's lines, checked to hold every state once.
    fn on_lines(chain: &Chain) -> &Lines {
        let lines = chain.lines.as_ref().expect("a window chain has lines");
        let mut seen = vec![0; chain.states];
        for &st in &lines.order {
            seen[st as usize] += 1;
        }
        assert!(seen.iter().all(|&c| c == 1), "every state on one line");
        lines
    }

    /// The line sweeps give a dense GTH solve's distribution, state by state, to 1e-12 of each
    /// state's probability, on small window chains of 3 to 5 chats: handle times rising, flat
    /// and falling with concurrency, light to heavy load, with and without patience.
    #[test]
    fn window_line_sweeps_match_a_dense_solve() {
        let s = Duration::from_secs;
        let profiles = [
            vec![s(300), s(600), s(900)],
            vec![s(300), s(300), s(900)],
            vec![s(600), s(400), s(300)],
            vec![s(300), s(360), s(420), s(480)],
            vec![s(300), s(375), s(450), s(525), s(600)],
        ];
        let mut checked = 0;
        let mut worst = (0.0f64, 0.0f64); // lines, BiCGSTAB
        for aht in &profiles {
            let m = aht.len();
            for n in [1, 2, 3, 5, 8, 13, 21] {
                for load in [0.3, 0.9, 1.0, 1.3] {
                    for patience in [Some(s(30)), Some(s(120)), None] {
                        let lambda = load * f64::from(n) * m as f64 / aht[m - 1].as_secs_f64();
                        let Ok(model) = ChatModel::new(n, aht, lambda, patience) else { continue };
                        let chain = Chain::build(&model, Some(2), None);
                        let lines = on_lines(&chain);
                        let dense = dense_gth(&chain);
                        let (new, _) = chain.solve_lines(&model, lines);
                        let (old, _) = chain.solve(&model);
                        for (st, ((d, a), b)) in dense.iter().zip(&new).zip(&old).enumerate() {
                            if *d < 1e-250 {
                                continue;
                            }
                            worst.0 = worst.0.max((a - d).abs() / d);
                            worst.1 = worst.1.max((b - d).abs() / d);
                            assert!(
                                (a - d).abs() <= 1e-12 * d,
                                "{aht:?} N={n} load={load} {patience:?} state {st}: {a:e} vs {d:e}"
                            );
                        }
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked > 300, "{checked} {worst:?}");
    }

    /// Truncated window chains ([`Truncation`]: few agents allowed at a window's ends, levels
    /// cut at both ends, so that transitions are redirected at every kind of boundary), of 2 to
    /// 4 chats, solved by line sweeps, give a dense GTH solve of the same chain to 1e-12.
    #[test]
    fn truncated_window_line_sweeps_match_a_dense_solve() {
        let s = Duration::from_secs;
        let profiles =
            [vec![s(300), s(450)], vec![s(300), s(600), s(900)], vec![s(300), s(360), s(420), s(480)]];
        let mut checked = 0;
        for aht in &profiles {
            let m = aht.len() as u32;
            for n in [6, 11, 18] {
                for load in [0.3, 1.0, 1.3] {
                    for patience in [Some(s(120)), None] {
                        let lambda = load * f64::from(n * m) / aht[aht.len() - 1].as_secs_f64();
                        let Ok(model) = ChatModel::new(n, aht, lambda, patience) else { continue };
                        for edge in [1, 3] {
                            let t = Truncation { edge, lo: n / 2, hi: n * m - n / 3 };
                            let chain = Chain::build(&model, Some(2), Some(t));
                            assert!(chain.states < model.full_window_states().unwrap());
                            assert!(!chain.boundary.is_empty());
                            let lines = on_lines(&chain);
                            let dense = dense_gth(&chain);
                            let (swept, _) = chain.solve_lines(&model, lines);
                            for (st, (d, a)) in dense.iter().zip(&swept).enumerate() {
                                if *d >= 1e-250 {
                                    assert!(
                                        (a - d).abs() <= 1e-12 * d,
                                        "{aht:?} N={n} load={load} {patience:?} {t:?} state {st}: {a:e} vs {d:e}"
                                    );
                                }
                            }
                            checked += 1;
                        }
                    }
                }
            }
        }
        assert!(checked >= 70, "{checked}");
    }

    /// What a truncation leaves out moves P(wait) by less than the probability on its boundary
    /// (which the result adds to its bound), against the whole window chain: 400 agents of 2 and
    /// 3 chats near and at the critical load, with truncations narrow enough to matter and the
    /// one [`ChatModel::solve_window`] takes, whose boundary holds at most 1e-7.
    #[test]
    fn truncation_moves_p_wait_less_than_its_boundary_mass() {
        let s = Duration::from_secs;
        let n = 400;
        let mut bites = 0;
        for aht in [vec![s(300), s(450)], vec![s(300), s(600), s(900)], vec![s(300), s(400), s(600)]] {
            let m = aht.len();
            for load in [0.9, 1.0] {
                let lambda = load * f64::from(n) * m as f64 / aht[m - 1].as_secs_f64();
                let model = ChatModel::new(n, &aht, lambda, Some(s(120))).unwrap();
                let p_wait = |chain: &Chain| {
                    let (pi, _) = chain.solve_lines(&model, chain.lines.as_ref().unwrap());
                    (
                        model.finish_chain(chain, &pi, ChatModelMethod::Balanced).p_wait,
                        chain.boundary_mass(&pi),
                    )
                };
                let (whole, _) = p_wait(&Chain::build(&model, Some(2), None));
                let default = model.truncation().expect("400 agents are truncated");
                for edge in [12, 24, default.edge] {
                    let (cut, left_out) =
                        p_wait(&Chain::build(&model, Some(2), Some(Truncation { edge, ..default })));
                    assert!(
                        (cut - whole).abs() <= left_out + 1e-13,
                        "{aht:?} load {load} edge {edge}: {cut} vs {whole}, boundary {left_out:e}"
                    );
                    if (cut - whole).abs() > 1e-6 {
                        bites += 1;
                    }
                }
                let solved = model.solve_window().unwrap();
                assert!(
                    (solved.p_wait() - whole).abs() <= 1e-7,
                    "{aht:?} load {load}: {} vs {whole}",
                    solved.p_wait()
                );
            }
        }
        assert!(bites >= 4, "{bites}");
    }
}
