//! `chatcap.Floor`: a vendor's snapshot of agents and queues, for a bot's questions.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use chatcap_answers::{Naming, Payload, SlotsQuery, TransferArgs, handle_time, max_wait, read_payloads};
use chatcap_core::{
    Capacity, Decision, DeclineReason, Floor as CoreFloor, Method, OfferPolicy, Slots, Stance, SyncReport,
    Timestamp, WaitEstimate,
};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use crate::errors::{answer_error, input_error, warn};

const KEYWORDS: Naming = Naming::Keywords;

/// The floor: agents, their chats and skills, and the visitors queued, read from a vendor's
/// payload and kept current with `sync`.
#[pyclass(module = "chatcap")]
pub(crate) struct Floor {
    floor: CoreFloor,
    /// What a Comm100 agent's `maxConcurrentChats: 0` stands for, for every later sync.
    zero: Capacity,
    warnings: Vec<String>,
}

/// A time in seconds since the Unix epoch, or the clock's now.
fn timestamp(now: Option<f64>) -> PyResult<Timestamp> {
    let ms = match now {
        Some(s) if s.is_finite() && s.abs() < 1e14 => (s * 1000.0).round() as i64,
        Some(s) => return Err(input_error(format!("now {s}: expected seconds since the Unix epoch"))),
        None => SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64),
    };
    Ok(Timestamp::from_millis(ms))
}

fn zero_max_chats(value: &Bound<'_, PyAny>) -> PyResult<Capacity> {
    if let Ok(s) = value.extract::<String>() {
        if s == "unlimited" {
            return Ok(Capacity::Unlimited);
        }
    } else if let Ok(n) = value.extract::<u32>() {
        return Ok(Capacity::Limited(n));
    }
    Err(input_error(format!("comm100_zero_max_chats {value}: expected a number of chats or \"unlimited\"")))
}

fn slots_value(py: Python<'_>, s: Slots) -> PyResult<Py<PyAny>> {
    Ok(match s.count() {
        Some(n) => n.into_pyobject(py)?.into_any().unbind(),
        None => py.None(),
    })
}

fn read(
    py: Python<'_>,
    data: &[u8],
    queue: Option<&[u8]>,
    now: Timestamp,
    zero: Capacity,
) -> PyResult<chatcap_adapter::Ingest> {
    py.detach(|| {
        let agents = [Payload { name: "payload", bytes: data }];
        let queue = queue.map(|bytes| Payload { name: "queue", bytes });
        read_payloads(&agents, queue, now, zero)
    })
    .map_err(answer_error)
}

fn warning_texts(py: Python<'_>, warnings: &[chatcap_adapter::Warning]) -> PyResult<Vec<String>> {
    let texts: Vec<String> = warnings.iter().map(|w| format!("{}: {}", w.at, w.message)).collect();
    for t in &texts {
        warn(py, t)?;
    }
    Ok(texts)
}

#[pymethods]
impl Floor {
    /// Reads a vendor payload (LivePerson availableAgents JSON or XML, agent info, a Comm100
    /// realTime/Agents page), recognised from its content, and optionally a queue payload.
    #[staticmethod]
    #[pyo3(signature = (data, queue=None, now=None, comm100_zero_max_chats=None))]
    fn from_payload(
        py: Python<'_>,
        data: &[u8],
        queue: Option<&[u8]>,
        now: Option<f64>,
        comm100_zero_max_chats: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Floor> {
        let zero = comm100_zero_max_chats.map_or(Ok(Capacity::Limited(3)), zero_max_chats)?;
        let ingest = read(py, data, queue, timestamp(now)?, zero)?;
        let warnings = warning_texts(py, &ingest.warnings)?;
        let floor = py
            .detach(|| CoreFloor::new(ingest.snapshot))
            .map_err(|e| input_error(format!("payload: {e}")))?;
        Ok(Floor { floor, zero, warnings })
    }

    /// The warnings of the last payload read: every assumption the adapter made.
    #[getter]
    fn warnings(&self) -> Vec<String> {
        self.warnings.clone()
    }

    /// Agents on the floor.
    #[getter]
    fn agent_count(&self) -> usize {
        self.floor.agent_count()
    }

    /// The skill ids, in the floor's order.
    #[getter]
    fn skills(&self) -> Vec<String> {
        self.floor.skills().map(|s| s.id.as_str().to_owned()).collect()
    }

    /// Available slots (None for unlimited): of the floor, a skill, or one agent (login or
    /// id); with `max_wait_s`, the chats that can start within that many seconds.
    #[pyo3(signature = (skill=None, max_wait_s=None, agent=None, aht_s=None))]
    fn slots(
        &self,
        py: Python<'_>,
        skill: Option<&str>,
        max_wait_s: Option<f64>,
        agent: Option<&str>,
        aht_s: Option<f64>,
    ) -> PyResult<Py<PyAny>> {
        let query = SlotsQuery::new(skill, agent, max_wait_s, aht_s, KEYWORDS).map_err(answer_error)?;
        let answer = query.answer(&self.floor).map_err(answer_error)?;
        if let Some(w) = &answer.warning {
            warn(py, w)?;
        }
        slots_value(py, answer.value)
    }

    /// Whether a bot should offer a human chat for `skill` now, within a wait budget.
    #[pyo3(signature = (skill, max_wait_s, aht_s=None, max_queue=None, fail_open=false))]
    fn offer<'py>(
        &self,
        py: Python<'py>,
        skill: &str,
        max_wait_s: f64,
        aht_s: Option<f64>,
        max_queue: Option<u64>,
        fail_open: bool,
    ) -> PyResult<Bound<'py, PyDict>> {
        let mut policy = OfferPolicy::new(max_wait(max_wait_s, KEYWORDS).map_err(answer_error)?)
            .with_missing_data(if fail_open { Stance::FailOpen } else { Stance::FailClosed });
        if let Some(s) = aht_s {
            policy = policy.with_handle_time(handle_time(s, KEYWORDS).map_err(answer_error)?);
        }
        if let Some(q) = max_queue {
            policy = policy.with_max_queue(q);
        }
        let decision = self.floor.offer(skill, &policy).map_err(|e| answer_error(e.into()))?;
        offer_dict(py, &decision)
    }

    /// Who can take a chat that `from_agent` holds, best first, to a skill or to one agent;
    /// with `explain`, every agent left out and why.
    #[pyo3(signature = (from_agent, to_skill=None, to_agent=None, strategy="least-loaded", limit=None, explain=false, weight="1", allow_over_capacity=false))]
    #[allow(clippy::too_many_arguments)] // the keyword arguments of the Python method
    fn transfer<'py>(
        &self,
        py: Python<'py>,
        from_agent: &str,
        to_skill: Option<&str>,
        to_agent: Option<&str>,
        strategy: &str,
        limit: Option<f64>,
        explain: bool,
        weight: &str,
        allow_over_capacity: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let args = TransferArgs {
            from: from_agent,
            to_skill,
            to_agent,
            strategy,
            limit,
            explain,
            allow_over_capacity,
            weight,
        };
        let floor = &self.floor;
        let answer = py.detach(|| chatcap_answers::transfer(floor, &args, KEYWORDS)).map_err(answer_error)?;
        Ok(pythonize::pythonize(py, &answer)?)
    }

    /// Brings the floor to the vendor's next payload, applying only what changed; returns what
    /// did, by kind. A payload that does not validate changes nothing.
    #[pyo3(signature = (data, queue=None, now=None))]
    fn sync<'py>(
        &mut self,
        py: Python<'py>,
        data: &[u8],
        queue: Option<&[u8]>,
        now: Option<f64>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let now = timestamp(now)?;
        let ingest = read(py, data, queue, now, self.zero)?;
        let floor = &mut self.floor;
        let report = py
            .detach(|| floor.sync(now, &ingest.snapshot))
            .map_err(|e| input_error(format!("payload: {e}")))?;
        self.warnings = warning_texts(py, &ingest.warnings)?;
        sync_dict(py, &report)
    }

    fn __repr__(&self) -> String {
        format!("<chatcap.Floor: {} agents, {} skills>", self.floor.agent_count(), self.floor.skill_count())
    }
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

fn estimate_dict<'py>(py: Python<'py>, e: &WaitEstimate) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    let kind = match e {
        WaitEstimate::AgentFreeNow => "agent_free_now",
        WaitEstimate::NoAgents => "no_agents",
        WaitEstimate::InsufficientData { .. } => "insufficient_data",
        WaitEstimate::Estimate { .. } => "estimate",
        _ => "other",
    };
    d.set_item("kind", kind)?;
    d.set_item("wait_s", if let WaitEstimate::Estimate { wait, .. } = e { Some(secs(*wait)) } else { None })?;
    if let WaitEstimate::InsufficientData { missing } = e {
        d.set_item("missing", missing.to_string())?;
    }
    if let WaitEstimate::Estimate { method, .. } = e {
        match method {
            Method::QueuePosition { ahead, release_rate_per_s } => {
                d.set_item("method", "queue_position")?;
                d.set_item("ahead", ahead)?;
                d.set_item("release_rate_per_s", release_rate_per_s)?;
            }
            Method::QueuePositionWithAbandonment { ahead, release_rate_per_s, abandon_rate_per_s } => {
                d.set_item("method", "queue_position_with_abandonment")?;
                d.set_item("ahead", ahead)?;
                d.set_item("release_rate_per_s", release_rate_per_s)?;
                d.set_item("abandon_rate_per_s", abandon_rate_per_s)?;
            }
            Method::HeadOfLine { .. } => d.set_item("method", "head_of_line")?,
            Method::LastToEnterService { .. } => d.set_item("method", "last_to_enter_service")?,
            Method::MovingAverage { .. } => d.set_item("method", "moving_average")?,
            _ => d.set_item("method", "other")?,
        }
    }
    d.set_item("text", e.to_string())?;
    Ok(d)
}

fn offer_dict<'py>(py: Python<'py>, decision: &Decision) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    match decision {
        Decision::Offer { estimate } => {
            d.set_item("decision", "offer")?;
            let reason = match estimate {
                WaitEstimate::AgentFreeNow => "agent_free_now",
                WaitEstimate::InsufficientData { .. } => "missing_data_fail_open",
                _ => "wait_within_budget",
            };
            d.set_item("reason", reason)?;
            d.set_item("estimate", estimate_dict(py, estimate)?)?;
        }
        Decision::Decline { reason } => {
            d.set_item("decision", "decline")?;
            let code = match reason {
                DeclineReason::NoEligibleAgents => "no_eligible_agents",
                DeclineReason::QueueFull { .. } => "queue_full",
                DeclineReason::WaitTooLong { .. } => "wait_too_long",
                DeclineReason::NoHandleTime => "no_handle_time",
                _ => "other",
            };
            d.set_item("reason", code)?;
            match reason {
                DeclineReason::WaitTooLong { estimate, max_wait } => {
                    let e = PyDict::new(py);
                    e.set_item("kind", "estimate")?;
                    e.set_item("wait_s", secs(*estimate))?;
                    e.set_item("max_wait_s", max_wait.as_secs())?;
                    d.set_item("estimate", e)?;
                }
                DeclineReason::QueueFull { queued, max_queue } => {
                    d.set_item("estimate", py.None())?;
                    d.set_item("queued", queued)?;
                    d.set_item("max_queue", max_queue)?;
                }
                _ => d.set_item("estimate", py.None())?,
            }
        }
    }
    d.set_item("message", decision.to_string())?;
    Ok(d)
}

fn sync_dict<'py>(py: Python<'py>, r: &SyncReport) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    let ids = |v: &[chatcap_core::AgentId]| v.iter().map(|a| a.as_str().to_owned()).collect::<Vec<_>>();
    let skills = |v: &[chatcap_core::SkillId]| v.iter().map(|s| s.as_str().to_owned()).collect::<Vec<_>>();
    let visitors = |v: &[chatcap_core::VisitorId]| v.iter().map(|x| x.0).collect::<Vec<_>>();
    for (key, list) in [
        ("joined", ids(&r.joined)),
        ("left", ids(&r.left)),
        ("state_changed", ids(&r.state_changed)),
        ("state_restarted", ids(&r.state_restarted)),
        ("voice_changed", ids(&r.voice_changed)),
        ("capacity_changed", ids(&r.capacity_changed)),
        ("chats_changed", ids(&r.chats_changed)),
        ("skills_changed", ids(&r.skills_changed)),
        ("login_changed", ids(&r.login_changed)),
        ("group_changed", ids(&r.group_changed)),
        ("skills_defined", skills(&r.skills_defined)),
        ("skills_retired", skills(&r.skills_retired)),
        ("skills_renamed", skills(&r.skills_renamed)),
    ] {
        d.set_item(key, PyList::new(py, list)?)?;
    }
    for (key, list) in [
        ("visitors_arrived", visitors(&r.visitors_arrived)),
        ("visitors_left", visitors(&r.visitors_left)),
        ("visitors_moved", visitors(&r.visitors_moved)),
    ] {
        d.set_item(key, PyList::new(py, list)?)?;
    }
    d.set_item("summary", r.to_string())?;
    Ok(d)
}
