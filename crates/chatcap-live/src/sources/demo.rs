//! The demo source: the built-in scenario (`scenarios/afternoon.toml`, `chatcap demo`'s) played
//! by the simulator in accelerated time, `speed` simulated seconds per real second. Each poll
//! advances the simulation to the time elapsed and publishes its floor, shifted to the real
//! clock; at the scenario's end it starts again with the next seed.

use std::sync::Arc;

use chatcap_core::{Snapshot, Timestamp};
use chatcap_sim::{Playback, Scenario, Study};

use super::{Polled, Poller};
use crate::clock::Clock;
use crate::config::SourceConfig;
use crate::http::CallError;

/// The built-in scenario.
pub(crate) const SCENARIO: &str = include_str!("../../../../scenarios/afternoon.toml");

pub(crate) struct Demo {
    clock: Arc<dyn Clock>,
    speed: f64,
    /// The scenario lives as long as the process: a playback borrows it.
    scenario: &'static Scenario,
    play: Option<Playback<'static>>,
    seed: u64,
    /// When the current run started, on the real clock.
    started: Timestamp,
}

impl Demo {
    pub(crate) fn new(cfg: &SourceConfig, clock: Arc<dyn Clock>) -> Self {
        let scenario = match Study::from_toml(SCENARIO) {
            Ok(study) => study.scenarios.into_iter().next().map(|(_, s)| s),
            Err(_) => None,
        };
        // One scenario per demo source, for the life of the process.
        let scenario: &'static Scenario = Box::leak(Box::new(scenario.unwrap_or_else(empty_scenario)));
        let started = clock.now();
        Self { clock, speed: cfg.speed, scenario, play: None, seed: 1, started }
    }
}

/// A scenario of nothing, should the built-in one ever fail to read (a test holds it to it).
fn empty_scenario() -> Scenario {
    Scenario {
        floor: Snapshot::default(),
        traffic: vec![],
        interval_s: 900.0,
        intervals: 1,
        warmup_s: 0.0,
        handle: chatcap_sim::HandleTime::Exponential { mean_s: 300.0 },
        aht_by_concurrency: None,
        patience: chatcap_sim::Patience::Unlimited,
        route_by: chatcap_core::RouteBy::Ranking(chatcap_core::Ranking::LeastLoaded),
        relaxations: vec![],
        schedule: vec![],
        target_s: 60.0,
        by_interval: Default::default(),
    }
}

/// The snapshot of a floor, moved from simulated time to `at` on the real clock: times in
/// state are relative already; visitors' arrivals keep their distance from the floor's now.
fn on_real_clock(floor: &chatcap_core::Floor, at: Timestamp) -> Snapshot {
    let mut s = floor.to_snapshot();
    let sim_now = floor.now();
    for v in &mut s.queue {
        v.arrived_at = at.saturating_sub(sim_now.saturating_duration_since(v.arrived_at));
    }
    for a in &mut s.agents {
        if a.time_in_state.is_none() {
            a.time_in_state = Some(std::time::Duration::ZERO);
        }
    }
    s.taken_at = at;
    s
}

impl Poller for Demo {
    async fn poll(&mut self) -> Result<Polled, CallError> {
        let as_of = self.clock.now();
        let elapsed = as_of.saturating_duration_since(self.started).as_secs_f64() * self.speed;
        let horizon = self.scenario.horizon_s();
        let play = match &mut self.play {
            Some(p) => p,
            None => self.play.insert(
                Playback::new(self.scenario, self.seed).map_err(|e| CallError::bad_payload("demo", e))?,
            ),
        };
        let going = play.advance_to(elapsed.min(horizon));
        let snapshot = on_real_clock(play.floor(), as_of);
        if !going || elapsed >= horizon {
            // The afternoon is over: the next poll starts another, with the next seed.
            self.play = None;
            self.seed += 1;
            self.started = as_of;
        }
        let vendor = vec![
            ("simulated_s".to_owned(), elapsed.min(horizon) as i64),
            ("seed".to_owned(), self.seed as i64),
        ];
        Ok(Polled { snapshot, warnings: Vec::new(), as_of, vendor })
    }

    fn reset_auth(&mut self) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_scenario_reads() {
        let study = Study::from_toml(SCENARIO).unwrap();
        assert!(!study.scenarios[0].1.floor.agents.is_empty());
    }
}
