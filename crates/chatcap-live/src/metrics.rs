//! Prometheus metrics, kept in atomics and maps and written out as the text format.
//!
//! Requests are counted per route (a fixed set, known when the server is built) in atomics, so
//! the hot path takes no lock; vendor calls, retries and polls are rare and go through a mutex.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Duration;

/// Upper bounds of the request latency histogram, in seconds.
pub const REQUEST_BUCKETS: [f64; 12] =
    [0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.1, 0.5, 2.5];

/// Upper bounds of the poll latency histogram, in seconds.
pub const POLL_BUCKETS: [f64; 10] = [0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];

/// The statuses counted per route; anything else counts as `other`.
const STATUSES: [u16; 10] = [200, 400, 401, 404, 405, 406, 415, 429, 500, 503];

#[derive(Debug, Default)]
struct RouteCounters {
    by_status: [AtomicU64; STATUSES.len() + 1],
    buckets: [AtomicU64; REQUEST_BUCKETS.len()],
    count: AtomicU64,
    sum_ns: AtomicU64,
}

#[derive(Debug, Default)]
struct Histogram {
    buckets: Vec<u64>,
    count: u64,
    sum: f64,
}

impl Histogram {
    fn observe(&mut self, bounds: &[f64], secs: f64) {
        if self.buckets.is_empty() {
            self.buckets = vec![0; bounds.len()];
        }
        for (b, &le) in self.buckets.iter_mut().zip(bounds) {
            if secs <= le {
                *b += 1;
            }
        }
        self.count += 1;
        self.sum += secs;
    }
}

#[derive(Debug, Default)]
struct Vendor {
    calls: BTreeMap<(String, &'static str, String), u64>,
    retries: BTreeMap<(String, &'static str), u64>,
    polls: BTreeMap<(String, &'static str), u64>,
    poll_latency: BTreeMap<String, Histogram>,
}

/// The metrics of one server.
#[derive(Debug)]
pub struct Metrics {
    routes: Vec<&'static str>,
    counters: Vec<RouteCounters>,
    vendor: Mutex<Vendor>,
}

/// Per source, the gauges read when metrics are written.
#[derive(Clone, Debug)]
pub struct SourceGauges {
    /// The source's name.
    pub source: String,
    /// Age of its data in seconds; `None` before its first good poll.
    pub age_s: Option<f64>,
    /// Whether its data is stale (or missing).
    pub stale: bool,
    /// Whether it stopped polling.
    pub stopped: bool,
    /// Agents on its floor.
    pub agents: usize,
}

impl Metrics {
    /// Metrics for a server with these routes (their index is the route's id); one more,
    /// `unmatched`, counts requests no route matched.
    pub fn new(routes: &[&'static str]) -> Self {
        let mut all = routes.to_vec();
        all.push("unmatched");
        let counters = all.iter().map(|_| RouteCounters::default()).collect();
        Self { routes: all, counters, vendor: Mutex::new(Vendor::default()) }
    }

    /// The id of the `unmatched` pseudo-route.
    pub fn unmatched(&self) -> usize {
        self.routes.len() - 1
    }

    /// Counts a request to route `id` answered with `status` in `elapsed`.
    pub fn request(&self, id: usize, status: u16, elapsed: Duration) {
        let Some(c) = self.counters.get(id) else { return };
        let slot = STATUSES.iter().position(|&s| s == status).unwrap_or(STATUSES.len());
        c.by_status[slot].fetch_add(1, Relaxed);
        let secs = elapsed.as_secs_f64();
        // Only the first bucket that holds the value is counted; cumulated when written.
        if let Some(b) = REQUEST_BUCKETS.iter().position(|&le| secs <= le) {
            c.buckets[b].fetch_add(1, Relaxed);
        }
        c.count.fetch_add(1, Relaxed);
        c.sum_ns.fetch_add(elapsed.as_nanos().min(u128::from(u64::MAX)) as u64, Relaxed);
    }

    /// Requests counted for a route and status (for tests and the bench).
    pub fn requests(&self, route: &str, status: u16) -> u64 {
        let Some(id) = self.routes.iter().position(|r| *r == route) else { return 0 };
        let slot = STATUSES.iter().position(|&s| s == status).unwrap_or(STATUSES.len());
        self.counters[id].by_status[slot].load(Relaxed)
    }

    fn with_vendor(&self, f: impl FnOnce(&mut Vendor)) {
        if let Ok(mut v) = self.vendor.lock() {
            f(&mut v);
        }
    }

    /// Counts a vendor call by source, endpoint and outcome (an HTTP status, `timeout` or
    /// `error`).
    pub fn vendor_call(&self, source: &str, endpoint: &'static str, outcome: &str) {
        self.with_vendor(|v| {
            *v.calls.entry((source.to_owned(), endpoint, outcome.to_owned())).or_default() += 1;
        });
    }

    /// Counts a retry by source and reason.
    pub fn retry(&self, source: &str, reason: &'static str) {
        self.with_vendor(|v| *v.retries.entry((source.to_owned(), reason)).or_default() += 1);
    }

    /// Records a poll's outcome (`ok` or `failed`) and latency.
    pub fn poll(&self, source: &str, outcome: &'static str, elapsed: Duration) {
        self.with_vendor(|v| {
            *v.polls.entry((source.to_owned(), outcome)).or_default() += 1;
            v.poll_latency
                .entry(source.to_owned())
                .or_default()
                .observe(&POLL_BUCKETS, elapsed.as_secs_f64());
        });
    }

    /// Vendor calls counted for a source, endpoint and outcome.
    pub fn vendor_calls(&self, source: &str, endpoint: &str, outcome: &str) -> u64 {
        self.vendor
            .lock()
            .ok()
            .and_then(|v| {
                v.calls
                    .iter()
                    .find(|((s, e, o), _)| s == source && *e == endpoint && o == outcome)
                    .map(|(_, n)| *n)
            })
            .unwrap_or(0)
    }

    /// The Prometheus text format, with the sources' gauges.
    pub fn render(&self, sources: &[SourceGauges]) -> String {
        let mut out = String::with_capacity(4096);
        let v = self.vendor.lock().map(|v| Snapshot::of(&v)).unwrap_or_default();
        family(
            &mut out,
            "chatcap_vendor_calls_total",
            "counter",
            "Vendor API calls by source, endpoint and outcome",
        );
        for ((s, e, o), n) in &v.calls {
            let _ = writeln!(
                out,
                "chatcap_vendor_calls_total{{source=\"{}\",endpoint=\"{e}\",status=\"{}\"}} {n}",
                esc(s),
                esc(o)
            );
        }
        family(
            &mut out,
            "chatcap_vendor_retries_total",
            "counter",
            "Vendor calls retried after a failure, by source and reason",
        );
        for ((s, r), n) in &v.retries {
            let _ = writeln!(out, "chatcap_vendor_retries_total{{source=\"{}\",reason=\"{r}\"}} {n}", esc(s));
        }
        family(&mut out, "chatcap_polls_total", "counter", "Polls by source and outcome");
        for ((s, o), n) in &v.polls {
            let _ = writeln!(out, "chatcap_polls_total{{source=\"{}\",outcome=\"{o}\"}} {n}", esc(s));
        }
        family(
            &mut out,
            "chatcap_poll_duration_seconds",
            "histogram",
            "Time a poll took, all its vendor calls included",
        );
        for (s, h) in &v.latency {
            let s = esc(s);
            let mut cum = 0;
            for (le, b) in POLL_BUCKETS.iter().zip(&h.buckets) {
                cum = *b;
                let _ =
                    writeln!(out, "chatcap_poll_duration_seconds_bucket{{source=\"{s}\",le=\"{le}\"}} {cum}");
            }
            let _ = cum;
            let _ = writeln!(
                out,
                "chatcap_poll_duration_seconds_bucket{{source=\"{s}\",le=\"+Inf\"}} {}",
                h.count
            );
            let _ = writeln!(out, "chatcap_poll_duration_seconds_sum{{source=\"{s}\"}} {}", h.sum);
            let _ = writeln!(out, "chatcap_poll_duration_seconds_count{{source=\"{s}\"}} {}", h.count);
        }
        family(
            &mut out,
            "chatcap_data_age_seconds",
            "gauge",
            "Age of each source's data (absent before its first good poll)",
        );
        for g in sources {
            if let Some(age) = g.age_s {
                let _ = writeln!(out, "chatcap_data_age_seconds{{source=\"{}\"}} {age}", esc(&g.source));
            }
        }
        family(&mut out, "chatcap_data_stale", "gauge", "1 when a source's data is stale or missing");
        for g in sources {
            let _ =
                writeln!(out, "chatcap_data_stale{{source=\"{}\"}} {}", esc(&g.source), u8::from(g.stale));
        }
        family(
            &mut out,
            "chatcap_source_stopped",
            "gauge",
            "1 when a source stopped polling (see /readyz for why)",
        );
        for g in sources {
            let _ = writeln!(
                out,
                "chatcap_source_stopped{{source=\"{}\"}} {}",
                esc(&g.source),
                u8::from(g.stopped)
            );
        }
        family(&mut out, "chatcap_floor_agents", "gauge", "Agents on each source's floor");
        for g in sources {
            let _ = writeln!(out, "chatcap_floor_agents{{source=\"{}\"}} {}", esc(&g.source), g.agents);
        }
        family(&mut out, "chatcap_http_requests_total", "counter", "Requests by route and status");
        for (route, c) in self.routes.iter().zip(&self.counters) {
            for (i, n) in c.by_status.iter().enumerate() {
                let n = n.load(Relaxed);
                if n > 0 {
                    let status = STATUSES.get(i).map_or_else(|| "other".to_owned(), u16::to_string);
                    let _ = writeln!(
                        out,
                        "chatcap_http_requests_total{{route=\"{route}\",status=\"{status}\"}} {n}"
                    );
                }
            }
        }
        family(
            &mut out,
            "chatcap_http_request_duration_seconds",
            "histogram",
            "Time to answer a request, by route",
        );
        for (route, c) in self.routes.iter().zip(&self.counters) {
            let count = c.count.load(Relaxed);
            if count == 0 {
                continue;
            }
            let mut cum = 0;
            for (le, b) in REQUEST_BUCKETS.iter().zip(&c.buckets) {
                cum += b.load(Relaxed);
                let _ = writeln!(
                    out,
                    "chatcap_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{le}\"}} {cum}"
                );
            }
            let _ = writeln!(
                out,
                "chatcap_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {count}"
            );
            let sum = c.sum_ns.load(Relaxed) as f64 / 1e9;
            let _ = writeln!(out, "chatcap_http_request_duration_seconds_sum{{route=\"{route}\"}} {sum}");
            let _ = writeln!(out, "chatcap_http_request_duration_seconds_count{{route=\"{route}\"}} {count}");
        }
        out
    }
}

#[derive(Default)]
struct Snapshot {
    calls: Vec<((String, &'static str, String), u64)>,
    retries: Vec<((String, &'static str), u64)>,
    polls: Vec<((String, &'static str), u64)>,
    latency: Vec<(String, Histogram)>,
}

impl Snapshot {
    fn of(v: &Vendor) -> Snapshot {
        Snapshot {
            calls: v.calls.iter().map(|(k, n)| (k.clone(), *n)).collect(),
            retries: v.retries.iter().map(|(k, n)| (k.clone(), *n)).collect(),
            polls: v.polls.iter().map(|(k, n)| (k.clone(), *n)).collect(),
            latency: v
                .poll_latency
                .iter()
                .map(|(k, h)| {
                    (k.clone(), Histogram { buckets: h.buckets.clone(), count: h.count, sum: h.sum })
                })
                .collect(),
        }
    }
}

fn family(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

/// A label value escaped as the text format requires.
fn esc(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_counted_and_bucketed_cumulatively() {
        let m = Metrics::new(&["/a", "/b"]);
        m.request(0, 200, Duration::from_micros(30));
        m.request(0, 200, Duration::from_millis(3));
        m.request(1, 418, Duration::from_secs(9));
        let text = m.render(&[]);
        assert!(text.contains("chatcap_http_requests_total{route=\"/a\",status=\"200\"} 2"), "{text}");
        assert!(text.contains("chatcap_http_requests_total{route=\"/b\",status=\"other\"} 1"), "{text}");
        assert!(
            text.contains("chatcap_http_request_duration_seconds_bucket{route=\"/a\",le=\"0.00005\"} 1"),
            "{text}"
        );
        assert!(
            text.contains("chatcap_http_request_duration_seconds_bucket{route=\"/a\",le=\"0.005\"} 2"),
            "{text}"
        );
        assert!(
            text.contains("chatcap_http_request_duration_seconds_bucket{route=\"/b\",le=\"2.5\"} 0"),
            "{text}"
        );
        assert!(
            text.contains("chatcap_http_request_duration_seconds_bucket{route=\"/b\",le=\"+Inf\"} 1"),
            "{text}"
        );
        assert_eq!(m.requests("/a", 200), 2);
    }

    #[test]
    fn vendor_figures_and_gauges_are_written() {
        let m = Metrics::new(&[]);
        m.vendor_call("liveperson:1", "queuestate", "429");
        m.vendor_call("liveperson:1", "queuestate", "429");
        m.retry("liveperson:1", "throttled");
        m.poll("liveperson:1", "ok", Duration::from_millis(20));
        let g = SourceGauges {
            source: "liveperson:1".into(),
            age_s: Some(1.5),
            stale: false,
            stopped: false,
            agents: 7,
        };
        let text = m.render(&[g]);
        assert!(text.contains(
            "chatcap_vendor_calls_total{source=\"liveperson:1\",endpoint=\"queuestate\",status=\"429\"} 2"
        ));
        assert!(
            text.contains("chatcap_vendor_retries_total{source=\"liveperson:1\",reason=\"throttled\"} 1")
        );
        assert!(text.contains("chatcap_poll_duration_seconds_bucket{source=\"liveperson:1\",le=\"0.05\"} 1"));
        assert!(text.contains("chatcap_poll_duration_seconds_bucket{source=\"liveperson:1\",le=\"0.01\"} 0"));
        assert!(text.contains("chatcap_data_age_seconds{source=\"liveperson:1\"} 1.5"));
        assert!(text.contains("chatcap_floor_agents{source=\"liveperson:1\"} 7"));
    }
}
