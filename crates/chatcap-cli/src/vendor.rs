//! The vendor subcommands: `slots`, `queuestate` and `agents`.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, bail};
use chatcap_adapter::Warning;
use chatcap_adapter::liveperson::{QueueStateVersion, render_available_slots, render_queue_state};
use chatcap_answers::{Naming, Payload, SlotsQuery, load_floor};
use chatcap_core::{AgentState, Capacity, Floor, SkillId, SkillSelection, Timestamp};
use clap::{Args, Subcommand};

/// The vendor subcommands.
#[derive(Subcommand, Debug)]
pub(crate) enum Command {
    /// Available slots, printed as LivePerson's availableSlots response ({"availableSlots":N}, -1 unlimited)
    ///
    /// Without --max-wait: the free slots of online agents now. With --max-wait: the chats that
    /// can start within that many seconds, given the visitors queued (--queue) and the chats
    /// expected to end (--aht).
    #[command(
        after_help = "Example:\n  chatcap slots --agents testdata/liveperson/quirks/agents.json --skill 1\n  chatcap slots --agents testdata/liveperson/quirks/agents.json --queue testdata/liveperson/quirks/queuestate_v2.json --skill 2 --max-wait-s 600 --aht-s 300"
    )]
    Slots(SlotsArgs),
    /// A LivePerson Operations queuestate response computed from the floor
    #[command(
        after_help = "Example:\n  chatcap queuestate --agents testdata/liveperson/quirks/agents.xml --queue testdata/liveperson/quirks/queuestate_v2.json --skill-ids 1,99 --v 2"
    )]
    Queuestate(QueueStateArgs),
    /// The normalised floor as a table (or JSON); warnings on stderr
    #[command(
        after_help = "Example:\n  chatcap agents --agents testdata/comm100/004_realtime_agents_page1.json\n  chatcap agents --agents testdata/liveperson/quirks/agents.json --chat-state online --voice-state offline --json"
    )]
    Agents(AgentsArgs),
}

/// Where the floor comes from.
#[derive(Args, Debug)]
pub(crate) struct Input {
    /// Agents payload: LivePerson availableAgents (JSON or XML) or agent info, or a Comm100
    /// realTime/Agents page; repeat for more pages
    #[arg(long = "agents", value_name = "FILE", required = true)]
    agents: Vec<PathBuf>,
    /// Queue payload: LivePerson queuestate or Comm100 realTime/Queue, supplying the visitors waiting
    #[arg(long, value_name = "FILE")]
    queue: Option<PathBuf>,
}

/// What Comm100's `maxConcurrentChats: 0` stands for, from `--comm100-zero-max-chats` (one option
/// of every subcommand that reads payloads); set once at start-up.
static COMM100_ZERO_MAX_CHATS: std::sync::OnceLock<Capacity> = std::sync::OnceLock::new();

/// Reads `--comm100-zero-max-chats`: a number of chats, or "unlimited".
pub(crate) fn set_comm100_zero_max_chats(value: &str) -> Result<()> {
    let zero = match value {
        "unlimited" => Capacity::Unlimited,
        n => Capacity::Limited(n.parse().with_context(|| {
            format!("--comm100-zero-max-chats {n:?}: expected a number of chats or \"unlimited\"")
        })?),
    };
    let _ = COMM100_ZERO_MAX_CHATS.set(zero);
    Ok(())
}

/// `chatcap slots`.
#[derive(Args, Debug)]
pub(crate) struct SlotsArgs {
    #[command(flatten)]
    input: Input,
    /// Count only agents with this skill id
    #[arg(long, value_name = "ID")]
    skill: Option<String>,
    /// Count only the agent with this login name (or id); not with --skill or --max-wait
    #[arg(long, value_name = "LOGIN")]
    agent: Option<String>,
    /// Wait budget in whole seconds, 0 to 86400 (LivePerson's maxWaitTime)
    #[arg(long = "max-wait-s", alias = "max-wait", value_name = "SECONDS", allow_negative_numbers = true)]
    max_wait: Option<f64>,
    /// Mean chat duration in seconds, for the chats expected to end within --max-wait-s
    #[arg(long = "aht-s", alias = "aht", value_name = "SECONDS", allow_negative_numbers = true)]
    aht: Option<f64>,
}

/// `chatcap queuestate`.
#[derive(Args, Debug)]
pub(crate) struct QueueStateArgs {
    #[command(flatten)]
    input: Input,
    /// "all", or skill ids separated by commas
    #[arg(long, value_name = "all|ID,ID,..", default_value = "all")]
    skill_ids: String,
    /// Response version: 1, or 2 (adds currentMaxWaitTimeInQueue)
    #[arg(long = "v", value_name = "1|2", default_value_t = 2, value_parser = clap::value_parser!(u8).range(1..=2))]
    version: u8,
}

/// `chatcap agents`.
#[derive(Args, Debug)]
pub(crate) struct AgentsArgs {
    #[command(flatten)]
    input: Input,
    /// Only agents with this skill id
    #[arg(long, value_name = "ID")]
    skill: Option<String>,
    /// Only agents in this chat state
    #[arg(long, value_name = "STATE", value_parser = ["online", "offline", "occupied", "away"])]
    chat_state: Option<String>,
    /// Only agents in this voice state (as LivePerson's availableAgents filters)
    #[arg(long, value_name = "STATE", value_parser = ["online", "offline", "occupied", "away"])]
    voice_state: Option<String>,
    /// Print JSON instead of a table
    #[arg(long)]
    json: bool,
}

/// Runs a vendor subcommand.
pub(crate) fn run(cmd: Command) -> Result<()> {
    match cmd {
        Command::Slots(a) => slots(a),
        Command::Queuestate(a) => queue_state(a),
        Command::Agents(a) => agents(a),
    }
}

fn now() -> Timestamp {
    let ms = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis());
    Timestamp::from_millis(i64::try_from(ms).unwrap_or(i64::MAX))
}

/// The largest payload file read: a 100,000-agent `availableAgents` payload is about 45 MB.
pub(crate) const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;

fn read(path: &PathBuf) -> Result<Vec<u8>> {
    read_bounded(path, MAX_FILE_BYTES, "payload")
}

/// Reads a file of at most `limit` bytes, whatever it is (a device such as `/dev/zero` has no
/// end): it reads one byte past the limit to tell.
pub(crate) fn read_bounded(path: &PathBuf, limit: u64, what: &str) -> Result<Vec<u8>> {
    use std::io::Read as _;
    let file = std::fs::File::open(path)
        .with_context(|| format!("{}: cannot read the {what} file", path.display()))?;
    let mut bytes = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("{}: cannot read the {what} file", path.display()))?;
    if bytes.len() as u64 > limit {
        anyhow::bail!(
            "{}: larger than {} MiB, the most a {what} file may hold",
            path.display(),
            limit / (1024 * 1024)
        );
    }
    Ok(bytes)
}

pub(crate) fn load(input: &Input) -> Result<(Floor, Vec<Warning>)> {
    load_files(&input.agents, input.queue.as_ref())
}

/// Reads agents payloads (pages of one floor) and an optional queue payload into a floor.
pub(crate) fn load_files(agents: &[PathBuf], queue: Option<&PathBuf>) -> Result<(Floor, Vec<Warning>)> {
    let zero = COMM100_ZERO_MAX_CHATS.get().copied().unwrap_or(Capacity::Limited(3));
    let files = agents.iter().map(|p| Ok((p.display().to_string(), read(p)?))).collect::<Result<Vec<_>>>()?;
    let queue = queue.map(|q| Ok::<_, anyhow::Error>((q.display().to_string(), read(q)?))).transpose()?;
    let payloads: Vec<Payload<'_>> = files.iter().map(|(name, bytes)| Payload { name, bytes }).collect();
    let queue = queue.as_ref().map(|(name, bytes)| Payload { name, bytes });
    Ok(load_floor(&payloads, queue, now(), zero)?)
}

pub(crate) fn print_warnings(warnings: &[Warning]) {
    for w in warnings {
        eprintln!("{w}");
    }
}

fn slots(a: SlotsArgs) -> Result<()> {
    let query = SlotsQuery::new(a.skill.as_deref(), a.agent.as_deref(), a.max_wait, a.aht, Naming::Flags)?;
    let (floor, warnings) = load(&a.input)?;
    print_warnings(&warnings);
    let answer = query.answer(&floor)?;
    if let Some(w) = answer.warning {
        eprintln!("warning: {w}");
    }
    crate::outln!("{}", render_available_slots(answer.value));
    Ok(())
}

fn queue_state(a: QueueStateArgs) -> Result<()> {
    let version = if a.version == 1 { QueueStateVersion::V1 } else { QueueStateVersion::V2 };
    let ids: Option<Vec<SkillId>> = match a.skill_ids.trim() {
        "all" | "" => None,
        list => {
            let ids: Vec<SkillId> =
                list.split(',').map(str::trim).filter(|s| !s.is_empty()).map(SkillId::from).collect();
            if ids.is_empty() {
                bail!("--skill-ids {list:?}: expected \"all\" or skill ids separated by commas");
            }
            Some(ids)
        }
    };
    let (floor, warnings) = load(&a.input)?;
    print_warnings(&warnings);
    let selection = ids.as_deref().map_or(SkillSelection::All, SkillSelection::Only);
    let view = floor.queue_state_view(selection, floor.now());
    crate::outln!("{}", render_queue_state(&view, version));
    Ok(())
}

fn capacity(c: Capacity) -> String {
    match c {
        Capacity::Unlimited => "unlimited".to_owned(),
        Capacity::Limited(n) => n.to_string(),
    }
}

fn agents(a: AgentsArgs) -> Result<()> {
    let (floor, warnings) = load(&a.input)?;
    print_warnings(&warnings);
    let parse = |s: &Option<String>| {
        s.as_deref().and_then(|s| AgentState::ALL.into_iter().find(|st| st.as_str() == s))
    };
    let (state, voice) = (parse(&a.chat_state), parse(&a.voice_state));
    if let Some(s) = &a.skill
        && floor.skill_index(s).is_none()
    {
        eprintln!("warning: skill {s:?} is not on the floor: no agent has it");
    }
    let now = floor.now();
    let rows: Vec<_> = floor
        .agents()
        .filter(|ag| state.is_none_or(|s| ag.chat_state() == s))
        .filter(|ag| voice.is_none_or(|s| ag.voice_state() == Some(s)))
        // A skill the floor does not define: no agent has it (warned above).
        .filter(|ag| a.skill.as_deref().is_none_or(|s| ag.has_skill(s) == Ok(true)))
        .collect();
    if a.json {
        let list: Vec<serde_json::Value> = rows
            .iter()
            .map(|ag| {
                serde_json::json!({
                    "id": ag.id().as_str(),
                    "login": ag.login(),
                    "chatState": ag.chat_state().as_str(),
                    "voiceState": ag.voice_state().map(AgentState::as_str),
                    "capacity": capacity(ag.capacity()),
                    "activeChats": ag.active_chats(),
                    "slots": ag.slots_for_new_chats().to_string(),
                    "group": ag.group().map(|g| g.as_str()),
                    "timeInStateMs": ag.time_in_state(now).as_millis() as u64,
                    "skills": ag.skills().map(|s| s.as_str()).collect::<Vec<_>>(),
                })
            })
            .collect();
        crate::outln!("{}", serde_json::to_string_pretty(&list)?);
        return Ok(());
    }
    let header = ["ID", "LOGIN", "CHAT", "VOICE", "MAX", "ACTIVE", "SLOTS", "GROUP", "IN STATE", "SKILLS"];
    let table: Vec<[String; 10]> = rows
        .iter()
        .map(|ag| {
            [
                ag.id().to_string(),
                ag.login().unwrap_or("-").to_owned(),
                ag.chat_state().to_string(),
                ag.voice_state().map_or_else(|| "-".to_owned(), |s| s.to_string()),
                capacity(ag.capacity()),
                ag.active_chats().to_string(),
                ag.slots_for_new_chats().to_string(),
                ag.group().map_or_else(|| "-".to_owned(), |g| g.to_string()),
                format!("{}s", ag.time_in_state(now).as_secs()),
                ag.skills().map(|s| s.as_str()).collect::<Vec<_>>().join(","),
            ]
        })
        .collect();
    let mut widths = header.map(str::len);
    for row in &table {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let mut line = |cells: &[&str]| {
        let mut l = String::new();
        for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
            if i + 1 == cells.len() {
                l.push_str(cell);
            } else {
                let _ = write!(l, "{cell:<w$}  ");
            }
        }
        out.push_str(l.trim_end());
        out.push('\n');
    };
    line(&header);
    for row in &table {
        line(&row.each_ref().map(String::as_str));
    }
    crate::out!("{out}");
    Ok(())
}
