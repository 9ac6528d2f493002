//! Wait-time estimates and staffing: Erlang C, Erlang A, the chat model and the staffing search.

use chatcap_core::{
    ChatModel, ChatModelMethod, ErlangA, ErlangC, StaffingTarget, Traffic, WINDOW_STATE_LIMIT, staff_chat,
    staff_erlang_a, staff_erlang_c,
};
use serde::Serialize;

use crate::args::{Check, Param};
use crate::{AnswerError, Naming};

/// An answer and what the shell should warn about it.
#[derive(Clone, Debug, PartialEq)]
pub struct Answer<T> {
    /// The answer.
    pub value: T,
    /// A caveat the user should see (the shells print it as a warning), if any.
    pub warning: Option<String>,
}

/// The arguments of Erlang C, as the shells take them (checked by [`erlang_c`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ErlangCArgs {
    /// Arrivals per hour.
    pub arrivals_per_hour: f64,
    /// Mean handle time in seconds.
    pub aht_s: f64,
    /// Agents, a whole number.
    pub agents: f64,
    /// Service-level target time in seconds; 0 asks for the share answered with no wait.
    pub target_s: f64,
}

/// Erlang C at a staffing: `chatcap erlang-c --json`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct ErlangCAnswer {
    /// Erlang B: the blocking probability of the same agents without a queue.
    pub erlang_b: f64,
    /// The probability that a visitor waits.
    pub p_wait: f64,
    /// The mean wait of all visitors, in seconds.
    pub asa_s: f64,
    /// The share answered within the target time.
    pub service_level: f64,
    /// Agent occupancy, the load over the agents.
    pub occupancy: f64,
    /// The mean number of visitors waiting.
    pub mean_queue_len: f64,
}

/// The arguments of Erlang A (checked by [`erlang_a`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ErlangAArgs {
    /// Traffic, agents and target, as for Erlang C.
    pub load: ErlangCArgs,
    /// Mean patience of a waiting visitor in seconds.
    pub patience_s: f64,
}

/// Erlang A at a staffing: `chatcap erlang-a --json`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct ErlangAAnswer {
    /// The probability that a visitor waits.
    pub p_wait: f64,
    /// The probability that a visitor gives up.
    pub p_abandon: f64,
    /// The mean wait of the visitors served, in seconds.
    pub asa_served_s: f64,
    /// The mean wait of all visitors (served or not), in seconds.
    pub mean_wait_all_s: f64,
    /// Answered within the target, over offered.
    pub service_level: f64,
    /// Answered within the target, over answered.
    pub sl_served_within_t_over_served: f64,
    /// The probability that the offered wait is at most the target.
    pub p_offered_wait_le_t: f64,
    /// Agent occupancy.
    pub occupancy: f64,
    /// The mean number of visitors waiting.
    pub mean_queue_len: f64,
}

/// The arguments of the staffing search (checked by [`staff`]).
#[derive(Clone, Debug, PartialEq)]
pub struct StaffArgs {
    /// Arrivals per hour.
    pub arrivals_per_hour: f64,
    /// Mean handle time in seconds (the chat model uses the per-level times instead).
    pub aht_s: f64,
    /// Service-level target time in seconds.
    pub target_s: f64,
    /// Share of arrivals to answer within the target time.
    pub service_level: f64,
    /// Highest acceptable agent occupancy.
    pub max_occupancy: Option<f64>,
    /// Mean patience in seconds: staff with abandonment.
    pub patience_s: Option<f64>,
    /// Chats each agent may hold, with a handle time per level: staff with the chat model.
    pub chat: Option<(f64, Vec<f64>)>,
}

/// The fewest agents meeting a target and what they achieve: `chatcap staff --json`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct StaffAnswer {
    /// The fewest agents meeting the target.
    pub required_agents: u32,
    /// The service level they achieve.
    pub achieved_sl: f64,
    /// The probability of waiting at that staffing.
    pub p_wait: f64,
    /// The mean wait at that staffing (of the served, with abandonment), in seconds.
    pub asa_s: f64,
    /// The probability of giving up (0 without patience).
    pub p_abandon: f64,
    /// Agent occupancy.
    pub occupancy: f64,
    /// The offered load, in agents.
    pub offered_load_agents: f64,
    /// The agents are fewer than the offered load: abandonment, not the agents, meets the target.
    pub below_offered_load: bool,
}

/// The arguments of the chat concurrency model (checked by [`chat_model`]).
#[derive(Clone, Debug, PartialEq)]
pub struct ChatModelArgs {
    /// Agents, a whole number.
    pub agents: f64,
    /// Chats each agent may hold at once.
    pub max_chats: f64,
    /// Mean handle time in seconds while an agent holds 1, 2, ..., `max_chats` chats.
    pub aht_by_concurrency: Vec<f64>,
    /// Arrivals per hour.
    pub arrivals_per_hour: f64,
    /// Mean patience in seconds; `None` for visitors who never give up.
    pub patience_s: Option<f64>,
    /// Service-level target time in seconds.
    pub target_s: f64,
}

/// The chat concurrency model at a staffing: `chatcap chat-model --json`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct ChatModelAnswer {
    /// The probability that a visitor waits.
    pub p_wait: f64,
    /// The probability that a visitor gives up.
    pub p_abandon: f64,
    /// The mean wait of all visitors, in seconds.
    pub mean_wait_all_s: f64,
    /// The mean wait of the visitors served, in seconds.
    pub asa_served_s: f64,
    /// Answered within the target, over offered.
    pub service_level: f64,
    /// The mean number of chats in service.
    pub mean_chats_in_service: f64,
    /// The share of agents holding at least one chat.
    pub agent_utilization: f64,
    /// The share of chat slots taken.
    pub slot_occupancy: f64,
    /// "exact" (the stationary distribution over occupancy counts), "window" (the chain of
    /// spreads within two chats, past the exact solver's state limit), "scaled" (the window
    /// chain's correction carried over from smaller floors, past the window chain's limit) or
    /// "balanced" (the birth-death approximation, where nothing else applies).
    pub method: &'static str,
    /// How far `p_wait` may be from the exact model's; `None` when nothing bounds it.
    pub p_wait_error_bound: Option<f64>,
    /// The states of the exact solution, whichever method answered.
    pub exact_states: Option<usize>,
}

fn traffic_agents_target(
    c: Check,
    load: &ErlangCArgs,
) -> Result<(Traffic, u32, std::time::Duration), AnswerError> {
    let arrivals_per_hour = c.positive(Param::ArrivalsPerHour, load.arrivals_per_hour)?;
    let aht = c.secs(Param::AhtS, load.aht_s)?;
    let agents = c.count(Param::Agents, load.agents)?;
    let target = c.target_secs(load.target_s)?;
    Ok((Traffic::per_hour(arrivals_per_hour, aht)?, agents, target))
}

/// Erlang C: the probability of waiting, ASA, service level and occupancy.
///
/// # Errors
///
/// [`AnswerError::Argument`] for an argument out of range, [`AnswerError::Queueing`] when the
/// agents do not exceed the load (the queue would grow without bound).
pub fn erlang_c(args: &ErlangCArgs, naming: Naming) -> Result<ErlangCAnswer, AnswerError> {
    let (traffic, agents, target) = traffic_agents_target(Check(naming), args)?;
    let c = ErlangC::new(traffic, agents)?;
    Ok(ErlangCAnswer {
        erlang_b: c.erlang_b(),
        p_wait: c.p_wait(),
        asa_s: c.asa_s(),
        service_level: c.service_level(target),
        occupancy: c.occupancy(),
        mean_queue_len: c.mean_queue_len(),
    })
}

/// Erlang A: waiting, abandonment and three service levels, with exponential patience.
///
/// # Errors
///
/// [`AnswerError::Argument`] for an argument out of range; [`AnswerError::Queueing`] for
/// inputs the model rejects.
pub fn erlang_a(args: &ErlangAArgs, naming: Naming) -> Result<ErlangAAnswer, AnswerError> {
    let c = Check(naming);
    let (traffic, agents, target) = traffic_agents_target(c, &args.load)?;
    let m = ErlangA::new(traffic, agents, c.secs(Param::PatienceS, args.patience_s)?)?;
    Ok(ErlangAAnswer {
        p_wait: m.p_wait(),
        p_abandon: m.p_abandon(),
        asa_served_s: m.asa_served_s(),
        mean_wait_all_s: m.mean_wait_all_s(),
        service_level: m.service_level(target),
        sl_served_within_t_over_served: m.answered_within_over_answered(target),
        p_offered_wait_le_t: m.p_offered_wait_le(target),
        occupancy: m.occupancy(),
        mean_queue_len: m.mean_queue_len(),
    })
}

/// The fewest agents meeting a service-level target, optionally under an occupancy cap: with
/// Erlang C, with Erlang A when a patience is given, with the chat model when chats per agent
/// and their handle times are. The warning says when the agents are fewer than the offered
/// load.
///
/// # Errors
///
/// [`AnswerError::Argument`] for an argument out of range; [`AnswerError::Queueing`] when no
/// staffing within the models' limits meets the target.
pub fn staff(args: &StaffArgs, naming: Naming) -> Result<Answer<StaffAnswer>, AnswerError> {
    let c = Check(naming);
    let arrivals_per_hour = c.positive(Param::ArrivalsPerHour, args.arrivals_per_hour)?;
    let aht = c.secs(Param::AhtS, args.aht_s)?;
    let mut target = StaffingTarget::new(
        c.fraction(Param::ServiceLevel, args.service_level)?,
        c.target_secs(args.target_s)?,
    )?;
    if let Some(o) = args.max_occupancy {
        target = target.with_max_occupancy(c.fraction(Param::MaxOccupancy, o)?)?;
    }
    let patience = args.patience_s.map(|p| c.secs(Param::PatienceS, p)).transpose()?;
    let s = match &args.chat {
        Some((m, ahts)) => {
            let ahts = c.handle_times(*m, ahts)?;
            staff_chat(arrivals_per_hour / 3600.0, &ahts, patience, &target)?
        }
        None => {
            let traffic = Traffic::per_hour(arrivals_per_hour, aht)?;
            match patience {
                Some(p) => staff_erlang_a(traffic, p, &target)?,
                None => staff_erlang_c(traffic, &target)?,
            }
        }
    };
    let warning = s.below_offered_load().then(|| {
        format!(
            "{} agents are fewer than the offered load of {:.1}: they cannot serve every visitor, \
             and the target is met only because {:.1}% of visitors give up",
            s.agents(),
            s.offered_load(),
            s.p_abandon() * 100.0
        )
    });
    Ok(Answer {
        value: StaffAnswer {
            required_agents: s.agents(),
            achieved_sl: s.service_level(),
            p_wait: s.p_wait(),
            asa_s: s.asa_s(),
            p_abandon: s.p_abandon(),
            occupancy: s.occupancy(),
            offered_load_agents: s.offered_load(),
            below_offered_load: s.below_offered_load(),
        },
        warning,
    })
}

/// The chat concurrency model: agents holding several chats at once, each slower at a higher
/// concurrency. The warning says when nothing bounds the error of `p_wait`.
///
/// # Errors
///
/// [`AnswerError::Argument`] for an argument out of range; [`AnswerError::Queueing`] for
/// inputs the model rejects.
pub fn chat_model(args: &ChatModelArgs, naming: Naming) -> Result<Answer<ChatModelAnswer>, AnswerError> {
    let c = Check(naming);
    let agents = c.count(Param::Agents, args.agents)?;
    let ahts = c.handle_times(args.max_chats, &args.aht_by_concurrency)?;
    let arrivals_per_s = c.positive(Param::ArrivalsPerHour, args.arrivals_per_hour)? / 3600.0;
    let patience = args.patience_s.map(|p| c.secs(Param::PatienceS, p)).transpose()?;
    let target = c.target_secs(args.target_s)?;
    let model = ChatModel::new(agents, &ahts, arrivals_per_s, patience)?;
    let r = model.solve();
    let method = match r.method() {
        ChatModelMethod::Exact { .. } => "exact",
        ChatModelMethod::Window { .. } => "window",
        ChatModelMethod::Scaled { .. } => "scaled",
        _ => "balanced",
    };
    let bound = r.p_wait_error_bound();
    let warning = bound.is_none().then(|| {
        let why = match r.method() {
            ChatModelMethod::Scaled { reference_agents, .. } => format!(
                "{} states of the window chain are past its {WINDOW_STATE_LIMIT}: this is the window \
                 chain's correction carried over from floors of {reference_agents} and {} agents, \
                 whose error was measured for 2 to 5 chats and handle times at most 3 times the \
                 first level's where an agent's throughput never falls as it takes another chat, \
                 and this floor is outside that",
                model.window_states().map_or("more than 2^64".to_owned(), |s| s.to_string()),
                reference_agents / 2
            ),
            ChatModelMethod::Balanced => "this is the balanced approximation, which assumes agents stay \
                 evenly loaded, on a floor past the window chain's limit and outside what its error \
                 was measured for; with handle times that differ by concurrency its P(wait) can be \
                 off by a percentage point or more"
                .to_owned(),
            _ => "these handle times are outside the grid the window chain's error was measured on \
                 (never shorter at a higher concurrency, at most 3 times the first level's)"
                .to_owned(),
        };
        format!("{why}; P(wait) has no error bound")
    });
    Ok(Answer {
        value: ChatModelAnswer {
            p_wait: r.p_wait(),
            p_abandon: r.p_abandon(),
            mean_wait_all_s: r.mean_wait_all_s(),
            asa_served_s: r.asa_served_s(),
            service_level: r.service_level(target),
            mean_chats_in_service: r.mean_chats_in_service(),
            agent_utilization: r.agent_utilization(),
            slot_occupancy: r.slot_occupancy(),
            method,
            p_wait_error_bound: bound,
            exact_states: model.exact_states(),
        },
        warning,
    })
}
