//! The modified offered load (Jennings, Mandelbaum, Massey and Whitt, 1996): the mean number of
//! chats an infinite-server floor would hold, `m'(t) = λ(t) − μ m(t)`, solved exactly for
//! arrival and service rates constant over each interval.

/// The modified offered load of each interval: the time average of `m(t)` over it, in
/// erlangs (chats in service on a floor with ample agents), for arrivals `rates_per_s[i]` and
/// mean handle times `aht_s[i]`, each constant over an interval of `interval_s` seconds.
///
/// Over an interval starting at `m0`, with `r = λ/μ`, `m(t0 + τ) = r + (m0 − r) e^{−μτ}`, so
/// the interval ends at `r + (m0 − r) e^{−μΔ}` and averages
/// `r + (m0 − r) (1 − e^{−μΔ}) / (μΔ)`. The day is taken as periodic: `m` starts where it
/// ends, the fixed point of the day's affine map `m0 ↦ A m0 + B` (`A = e^{−Σ μ_i Δ}`).
///
/// Empty input gives empty output; the two slices must be of the same length (the shorter
/// decides).
///
/// # Examples
///
/// ```
/// use chatcap_plan::modified_offered_load;
/// // Constant traffic: the offered load is λ/μ in every interval.
/// let m = modified_offered_load(&[0.1, 0.1], &[300.0, 300.0], 900.0);
/// assert!(m.iter().all(|x| (x - 30.0).abs() < 1e-9));
/// // A step up: the load lags behind λ/μ.
/// let m = modified_offered_load(&[0.0, 0.1], &[300.0, 300.0], 900.0);
/// assert!(m[1] < 30.0 && m[1] > 10.0);
/// ```
pub fn modified_offered_load(rates_per_s: &[f64], aht_s: &[f64], interval_s: f64) -> Vec<f64> {
    let n = rates_per_s.len().min(aht_s.len());
    if n == 0 {
        return Vec::new();
    }
    let step = |m0: f64, i: usize| -> (f64, f64) {
        let mu = 1.0 / aht_s[i];
        let r = rates_per_s[i] * aht_s[i];
        let x = mu * interval_s;
        // 1 - e^{-x}, accurate for small x.
        let decay = -(-x).exp_m1();
        let end = r + (m0 - r) * (1.0 - decay);
        let average = r + (m0 - r) * decay / x;
        (end, average)
    };
    // The day's map m0 -> A m0 + B: B from a start at 0, 1 - A = 1 - e^{-Σ μ Δ}.
    let mut b = 0.0;
    let mut exponent = 0.0;
    for (i, aht) in aht_s.iter().enumerate().take(n) {
        b = step(b, i).0;
        exponent += interval_s / aht;
    }
    let one_minus_a = -(-exponent).exp_m1();
    let mut m = if one_minus_a > 0.0 { b / one_minus_a } else { b };
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let (end, average) = step(m, i);
        out.push(average.max(0.0));
        m = end;
    }
    out
}
