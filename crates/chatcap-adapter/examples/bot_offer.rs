//! A chat bot's loop against LivePerson: every 10 seconds, read the `availableAgents` and
//! Operations `queuestate` payloads, bring the floor up to date with [`Floor::sync`], log what
//! changed and what the adapter assumed, and ask per skill whether to offer a human chat,
//! logging the reason either way.
//!
//! The four polls are recorded payloads under `testdata/liveperson/sync/`, 10 s apart, of a
//! floor of six or seven agents on three skills. Poll 2 changes nothing but the time in state.
//! In poll 3 Cid closes his sales chat and goes Away, Fay's new account appears and she logs
//! in, and the billing queue grows from 1 to 3. In poll 4 Cid is back Online, Eve logs off (she
//! stays listed, Offline, as LivePerson lists offline agents too), Gus's account is gone from the
//! list, a supervisor raises Bob's limit from 2 to 4 and he takes two billing chats, Ann's chats
//! change, and the billing queue is empty.
//!
//! `queuestate` reports counts, not visitors: per skill, how many wait and how long the
//! longest has waited. The adapter therefore synthesises the visitors of every poll afresh,
//! numbered from 1 in the order of the report: the longest-waiting one arrived
//! `currentMaxWaitTimeInQueue` before the poll, the others at the poll time. Read the queue
//! part of a sync report accordingly: a visitor id is a place in that numbering, not a person
//! (one skill's queue growing renumbers the visitors of the skills after it). "Queued" means a
//! queue grew, "left the queue" that it shrank (served or abandoned, a poll cannot tell); the
//! head keeps its id and arrival from poll to poll while its wait grows with the clock, but any
//! other waiting visitor is "moved" by every poll, its arrival restamped.
//!
//! The adapter never reads the clock: each poll's time is passed in (here a fixed base plus
//! 10 s per poll), and each warning and error names the file it came from.
//!
//! Run with `cargo run -p chatcap-adapter --example bot_offer`.
#![allow(clippy::disallowed_macros)] // an example prints what it decides

use std::collections::BTreeMap;
use std::error::Error;
use std::path::Path;
use std::time::Duration;

use chatcap_adapter::{Ingest, Warning, WarningKind, liveperson};
use chatcap_core::{AgentId, Floor, LookupError, MaxWait, OfferPolicy, Stance, SyncReport, Timestamp};

/// When the first poll was taken: 2024-06-01 10:00:00 UTC.
const T0: Timestamp = Timestamp::from_millis(1_717_236_000_000);
/// The polling interval.
const EVERY: Duration = Duration::from_secs(10);
/// The recorded polls.
const POLLS: u32 = 4;

fn main() -> Result<(), Box<dyn Error>> {
    let policy = OfferPolicy::new(MaxWait::from_secs(120)?)
        .with_max_queue(10)
        .with_handle_time(Duration::from_secs(420))
        .with_missing_data(Stance::FailClosed);
    // Logins by agent id, to name in the log the agents a report lists, those gone included.
    let mut logins: BTreeMap<AgentId, String> = BTreeMap::new();

    let at = taken_at(1);
    let ingest = read_poll(1, at)?;
    remember_logins(&ingest, &mut logins);
    println!("poll 1 at {at} (+0 s):");
    print_warnings(&ingest.warnings);
    let mut floor = Floor::new(ingest.snapshot)?;
    println!("  floor built: {} agents, {} skills", floor.agent_count(), floor.skill_count());
    ask(&floor, &policy)?;

    for poll in 2..=POLLS {
        let at = taken_at(poll);
        let ingest = read_poll(poll, at)?;
        remember_logins(&ingest, &mut logins);
        println!("poll {poll} at {at} (+{} s):", at.saturating_duration_since(T0).as_secs());
        print_warnings(&ingest.warnings);
        let report = floor.sync(at, &ingest.snapshot)?;
        print_report(&report, &logins);
        ask(&floor, &policy)?;
    }
    Ok(())
}

/// When a poll (from 1) was taken.
fn taken_at(poll: u32) -> Timestamp {
    T0.saturating_add(EVERY * poll.saturating_sub(1))
}

/// One poll's payloads, read with the adapter into one snapshot: the agents, then the visitors
/// `queuestate` stands for.
fn read_poll(poll: u32, at: Timestamp) -> Result<Ingest, Box<dyn Error>> {
    let agents_file = format!("poll_{poll}_available_agents.json");
    let queue_file = format!("poll_{poll}_queuestate.json");
    let mut ingest = liveperson::available_agents_json(&read(&agents_file)?, at)
        .map_err(|e| e.with_file(&agents_file))?
        .with_file(&agents_file);
    let (report, warnings) =
        liveperson::queue_state_json(&read(&queue_file)?).map_err(|e| e.with_file(&queue_file))?;
    ingest.warnings.extend(warnings);
    liveperson::apply_queue_state(&report, &mut ingest).map_err(|e| e.with_file(&queue_file))?;
    Ok(ingest.with_file(&queue_file))
}

/// The bytes of a recorded payload. The adapter reads no files; its caller, this bot, does.
#[allow(clippy::disallowed_methods)] // the example reads the recorded polls
fn read(name: &str) -> Result<Vec<u8>, Box<dyn Error>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/liveperson/sync").join(name);
    std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()).into())
}

fn remember_logins(ingest: &Ingest, logins: &mut BTreeMap<AgentId, String>) {
    for a in &ingest.snapshot.agents {
        if let Some(login) = &a.login {
            logins.insert(a.id.clone(), login.to_string());
        }
    }
}

/// The adapter's warnings, counted by kind, with the first of each kind as an example.
fn print_warnings(warnings: &[Warning]) {
    let mut kinds: Vec<(WarningKind, usize, &Warning)> = Vec::new();
    for w in warnings {
        match kinds.iter_mut().find(|(k, _, _)| *k == w.kind) {
            Some((_, n, _)) => *n += 1,
            None => kinds.push((w.kind, 1, w)),
        }
    }
    for (kind, n, first) in kinds {
        println!("  adapter: {n} x {kind:?}, e.g. {}: {}", first.at, first.message);
    }
}

/// What a sync changed: the summary, then the ids of each kind that is not empty.
fn print_report(report: &SyncReport, logins: &BTreeMap<AgentId, String>) {
    println!("  sync: {report}");
    let agent = |id: &AgentId| match logins.get(id) {
        Some(login) => format!("{id} ({login})"),
        None => id.to_string(),
    };
    let agents = [
        ("joined", &report.joined),
        ("left", &report.left),
        ("changed state", &report.state_changed),
        ("restarted their state", &report.state_restarted),
        ("changed voice state", &report.voice_changed),
        ("with a new chat limit", &report.capacity_changed),
        ("with chats changed", &report.chats_changed),
        ("with skills changed", &report.skills_changed),
        ("with a new login", &report.login_changed),
        ("with a new group", &report.group_changed),
    ];
    for (words, ids) in agents {
        if !ids.is_empty() {
            println!("    {words}: {}", ids.iter().map(agent).collect::<Vec<_>>().join(", "));
        }
    }
    let skills = [
        ("skills defined", &report.skills_defined),
        ("skills retired", &report.skills_retired),
        ("skills renamed", &report.skills_renamed),
    ];
    for (words, ids) in skills {
        if !ids.is_empty() {
            println!("    {words}: {}", ids.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "));
        }
    }
    let visitors = [
        ("visitors queued", &report.visitors_arrived),
        ("visitors left the queue", &report.visitors_left),
        ("visitors moved in the queue", &report.visitors_moved),
    ];
    for (words, ids) in visitors {
        if !ids.is_empty() {
            let ids: Vec<String> = ids.iter().map(|v| format!("#{v}")).collect();
            println!("    {words} (synthesised places): {}", ids.join(", "));
        }
    }
}

/// Per skill: the free slots, the queue and whether to offer a human chat, with the reason.
fn ask(floor: &Floor, policy: &OfferPolicy) -> Result<(), LookupError> {
    for skill in floor.skills() {
        let name = skill.name.as_deref().unwrap_or("-");
        println!(
            "  {name:<8} ({}) slots {:<2} queued {:<2} -> {}",
            skill.id,
            floor.slots(&skill.id)?,
            floor.queue_len(&skill.id)?,
            floor.offer(&skill.id, policy)?
        );
    }
    Ok(())
}
