//! Comm100 Live Chat real-time API: `realTime/Agents` (paginated), `realTime/Queue`,
//! `realTime/Today` and `realTime/RightNow`.
//!
//! # Assumptions, and the settings that change them
//!
//! Comm100 documents neither what its status GUIDs mean nor what `maxConcurrentChats: 0`
//! means, so both go through a [`Comm100Options`] setting, and every use of a default is
//! reported as a warning:
//!
//! - **Status GUIDs** ([`StatusTable`]): by default the all-zero GUID
//!   `00000000-0000-0000-0000-000000000000` is Online and `00000000-0000-0000-0000-000000000002`
//!   is Away. This is inferred from the documented example (the all-zero GUID goes with agents
//!   holding chats, `…0002` with idle ones), not a fact: give your site's table (from
//!   `GET global/agentAwayStatuses`) when you have it. A GUID in no table is a warning and the
//!   agent is counted Away: logged on, not routable.
//! - **`maxConcurrentChats: 0`** ([`Comm100Options::zero_max_chats`]): the documented example
//!   shows agents holding chats with a limit of 0, so 0 does not mean "takes none" there; it
//!   most likely means "not set", the real limit living in `livechat/autoDistributionConfig`.
//!   By default it is read as [`Capacity::Limited(3)`](Capacity::Limited), the help centre's
//!   default of 3 chats per agent. Set it to `Capacity::Unlimited`, or to `Capacity::Limited(0)`
//!   to read the 0 literally.
//! - **Wait times** (`waitTime`, `avgWaitTimeinLast30Mins`, ...) carry no documented unit; the
//!   examples suggest seconds, and seconds are assumed (with a warning).
//! - `realTime/Agents` carries no departments, so Comm100 agents have no skills: ask for slots
//!   over the whole floor.
//!
//! The ongoing-chats field is accepted as `onGoingChats` and as `ongoingChats` (the API's two
//! copies of its documentation disagree).
//!
//! The older real-time API (v1/v2) is read where its shape differs: agents as a bare list, and
//! waiting visitors listed under `queue` with no `currentQueueLength`. Its documents are not among
//! the references, so these shapes are read by the current API's field names, a guess that
//! every such reading reports as a warning ([`WarningKind::OlderApiShape`]). A queue entry that
//! gives neither a length nor a list of visitors is refused, never read as an empty queue; a
//! length and a list that disagree count the larger.

mod dto;

use std::collections::HashSet;
use std::time::Duration;

use chatcap_core::{Agent, AgentState, Capacity, QueuedVisitor, SkillId, Snapshot, Timestamp, VisitorId};
use rust_decimal::Decimal;

use crate::de::{Dec, Int, from_json};
use crate::ingest::{AgentAt, FirstKept, MAX_QUEUE, SkillSet, first_agent_id, next_visitor_id};
use crate::{AdapterError, Ingest, Location, Warning, WarningKind};

/// A table from Comm100 status GUIDs to chat states.
///
/// # Examples
///
/// ```
/// use chatcap_adapter::comm100::StatusTable;
/// use chatcap_core::AgentState;
/// let t = StatusTable::default();
/// assert_eq!(t.get("00000000-0000-0000-0000-000000000000"), Some(AgentState::Online));
/// let t = StatusTable::empty().with("6F9619FF-8B86-D011-B42D-00C04FC964FF", AgentState::Away);
/// assert_eq!(t.get("6f9619ff-8b86-d011-b42d-00c04fc964ff"), Some(AgentState::Away));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusTable {
    entries: Vec<(String, AgentState)>,
    is_default: bool,
}

impl StatusTable {
    /// The all-zero GUID: taken to be Online (an assumption, see the module docs).
    pub const ONLINE_GUID: &str = "00000000-0000-0000-0000-000000000000";
    /// The GUID ending in 2: taken to be Away (an assumption, see the module docs).
    pub const AWAY_GUID: &str = "00000000-0000-0000-0000-000000000002";

    /// A table with no entries: every status is unknown until added.
    pub fn empty() -> Self {
        Self { entries: Vec::new(), is_default: false }
    }

    /// Adds or replaces an entry (GUIDs compare without regard to case or braces).
    pub fn with(mut self, guid: &str, state: AgentState) -> Self {
        let key = normalize_guid(guid);
        self.entries.retain(|(k, _)| *k != key);
        self.entries.push((key, state));
        self.is_default = false;
        self
    }

    /// The state a GUID maps to.
    pub fn get(&self, guid: &str) -> Option<AgentState> {
        let key = normalize_guid(guid);
        self.entries.iter().find(|(k, _)| *k == key).map(|&(_, s)| s)
    }
}

impl Default for StatusTable {
    /// The assumed table: all-zero GUID Online, `…0002` Away.
    fn default() -> Self {
        let mut t =
            Self::empty().with(Self::ONLINE_GUID, AgentState::Online).with(Self::AWAY_GUID, AgentState::Away);
        t.is_default = true;
        t
    }
}

fn normalize_guid(g: &str) -> String {
    g.trim().trim_start_matches('{').trim_end_matches('}').to_ascii_lowercase()
}

/// How Comm100's undocumented values are read. See the module docs for the defaults.
///
/// # Examples
///
/// ```
/// use chatcap_adapter::comm100::Comm100Options;
/// use chatcap_core::Capacity;
/// let opts = Comm100Options { zero_max_chats: Capacity::Unlimited, ..Comm100Options::default() };
/// assert_eq!(Comm100Options::default().zero_max_chats, Capacity::Limited(3));
/// # let _ = opts;
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comm100Options {
    /// Status GUIDs to chat states.
    pub statuses: StatusTable,
    /// What `maxConcurrentChats: 0` stands for (default: 3 chats, the help centre's default).
    pub zero_max_chats: Capacity,
}

impl Default for Comm100Options {
    fn default() -> Self {
        Self { statuses: StatusTable::default(), zero_max_chats: Capacity::Limited(3) }
    }
}

/// The paging figures of one `realTime/Agents` page.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Page {
    /// `total`: agents over all pages.
    pub total: Option<u64>,
    /// `pageCount`.
    pub page_count: Option<u64>,
    /// `pageIndex` (from 1).
    pub page_index: Option<u64>,
    /// `pageSize`.
    pub page_size: Option<u64>,
}

/// Reads one page of a Comm100 `realTime/Agents` response.
///
/// When the page is not the whole list (`total` exceeds the agents listed), a warning says the
/// snapshot covers only this page; use [`agents_pages`] to merge every page. An agent id listed
/// twice keeps its first listing, with a warning. The older API's shape, a bare list of agents
/// with no paging, is read too (its [`Page`] is empty), with a warning that it has no paging and
/// is read by the current API's field names.
///
/// # Examples
///
/// ```
/// use chatcap_adapter::comm100::{self, Comm100Options};
/// use chatcap_core::{AgentState, Capacity, Timestamp};
/// let doc = br#"{"total":1,"pageCount":1,"pageIndex":1,"pageSize":5,"list":[{"agentId":"a1",
///   "currentStatusId":"00000000-0000-0000-0000-000000000000","ongoingChats":1,"maxConcurrentChats":4}]}"#;
/// let (ingest, page) = comm100::agents_json(doc, Timestamp::EPOCH, &Comm100Options::default())?;
/// let a = &ingest.snapshot.agents[0];
/// assert_eq!((a.chat_state, a.capacity, a.active_chats), (AgentState::Online, Capacity::Limited(4), 1));
/// assert_eq!(page.total, Some(1));
/// # Ok::<(), chatcap_adapter::AdapterError>(())
/// ```
///
/// # Errors
///
/// [`AdapterError::Json`] for malformed JSON or a field of the wrong type;
/// [`AdapterError::Invalid`] for negative counts or an agent with no id.
pub fn agents_json(
    bytes: &[u8],
    taken_at: Timestamp,
    opts: &Comm100Options,
) -> Result<(Ingest, Page), AdapterError> {
    let ReadPage { mut ingest, page, listed, .. } = agents_page(bytes, taken_at, opts)?;
    if let Some(total) = page.total
        && total != listed
    {
        ingest.warnings.push(Warning::new(
            "total",
            WarningKind::IncompletePages,
            format!(
                "page {} of {}: {listed} of {total} agents; the snapshot covers only the pages given",
                opt(page.page_index),
                opt(page.page_count)
            ),
        ));
    }
    Ok((ingest, page))
}

fn opt(n: Option<u64>) -> String {
    n.map_or_else(|| "?".to_owned(), |n| n.to_string())
}

fn count(v: Option<Int>, path: &str) -> Result<Option<u64>, AdapterError> {
    match v {
        None => Ok(None),
        Some(Int(n)) if n >= 0 => Ok(Some(n as u64)),
        Some(Int(n)) => Err(AdapterError::invalid(path, format!("found {n}; expected a count of 0 or more"))),
    }
}

/// One page as read: the agents, where each was found, the paging figures, and whether the page
/// was the older API's bare list.
struct ReadPage {
    ingest: Ingest,
    at: Vec<AgentAt>,
    page: Page,
    bare_list: bool,
    /// The entries of the list, repeats included (what `total` counts).
    listed: u64,
}

fn agents_page(bytes: &[u8], taken_at: Timestamp, opts: &Comm100Options) -> Result<ReadPage, AdapterError> {
    let doc: dto::AgentsDoc = from_json(bytes)?;
    let mut warnings = Vec::new();
    let (page, list, prefix, bare_list) = match doc {
        dto::AgentsDoc::Page(doc) => {
            let page = Page {
                total: count(doc.total, "total")?,
                page_count: count(doc.page_count, "pageCount")?,
                page_index: count(doc.page_index, "pageIndex")?,
                page_size: count(doc.page_size, "pageSize")?,
            };
            (page, doc.list, "list", false)
        }
        dto::AgentsDoc::BareList(list) => {
            warnings.push(Warning::new(
                "",
                WarningKind::OlderApiShape,
                format!(
                    "a bare list of {} agents, the shape of the older realTime/Agents API: it has no paging \
                     (total, pageCount), so the list is taken as the whole floor; its fields are read by the \
                     current API's names (agentId, currentStatusId, onGoingChats, maxConcurrentChats), \
                     which is a guess",
                    list.len()
                ),
            ));
            (Page::default(), list, "", true)
        }
    };
    let listed = list.len() as u64;
    let mut agents = Vec::with_capacity(list.len());
    let mut at = Vec::with_capacity(list.len());
    let mut ids = HashSet::new();
    let (mut assumed, mut zero) = (0usize, 0usize);
    for (i, a) in list.into_iter().enumerate() {
        let path = format!("{prefix}[{i}]");
        let Some(id) =
            first_agent_id(a.agent_id.map(|id| id.0), &path, "expected a GUID", &mut ids, &mut warnings)?
        else {
            continue;
        };
        at.push(AgentAt::spelled(Location::path(format!("{path}.agentId")), Location::path(&path)));
        let chat_state = match a.current_status_id {
            Some(s) => match opts.statuses.get(&s.0) {
                Some(st) => {
                    assumed += usize::from(opts.statuses.is_default);
                    st
                }
                None => {
                    warnings.push(Warning::new(
                        format!("{path}.currentStatusId"),
                        WarningKind::UnknownStatus,
                        format!("status {} is in no status table: agent counted away (not routable)", s.0),
                    ));
                    AgentState::Away
                }
            },
            None => {
                warnings.push(Warning::new(
                    format!("{path}.currentStatusId"),
                    WarningKind::MissingState,
                    "no status: agent counted away (not routable)",
                ));
                AgentState::Away
            }
        };
        let active = match a.on_going_chats {
            Some(Int(n)) => u32::try_from(n).map_err(|_| {
                AdapterError::invalid(
                    format!("{path}.onGoingChats"),
                    format!("found {n}; expected a chat count from 0 to {}", u32::MAX),
                )
            })?,
            None => {
                warnings.push(Warning::new(
                    format!("{path}.onGoingChats"),
                    WarningKind::MissingChats,
                    "no onGoingChats field: counted as 0 active chats",
                ));
                0
            }
        };
        let capacity = match a.max_concurrent_chats {
            Some(Int(0)) => {
                zero += 1;
                opts.zero_max_chats
            }
            Some(Int(n)) => Capacity::Limited(u32::try_from(n).map_err(|_| {
                AdapterError::invalid(
                    format!("{path}.maxConcurrentChats"),
                    format!("found {n}; expected a limit from 0 to {}", u32::MAX),
                )
            })?),
            None => {
                warnings.push(Warning::new(
                    format!("{path}.maxConcurrentChats"),
                    WarningKind::MissingMaxChats,
                    "no maxConcurrentChats: counted as taking no chats",
                ));
                Capacity::Limited(0)
            }
        };
        if let Some(t) = &a.intraday_linear_chat_time
            && parse_timespan(&t.0).is_none()
        {
            warnings.push(Warning::new(
                format!("{path}.intradayLinearChatTime"),
                WarningKind::UnreadableField,
                format!("found {:?}; expected a duration like \"06:53:57.0500000\": ignored", t.0),
            ));
        }
        agents.push(Agent::new(id, chat_state, capacity).with_active_chats(active));
    }
    if assumed > 0 {
        warnings.push(Warning::new(
            prefix,
            WarningKind::AssumedStatus,
            format!(
                "{assumed} agents' status GUIDs read through the default table ({} online, {} away), an assumption",
                StatusTable::ONLINE_GUID,
                StatusTable::AWAY_GUID
            ),
        ));
    }
    if zero > 0 {
        let meaning = match opts.zero_max_chats {
            Capacity::Unlimited => "unlimited".to_owned(),
            Capacity::Limited(0) => "taking no chats".to_owned(),
            Capacity::Limited(n) => format!("a limit of {n} chats"),
        };
        warnings.push(Warning::new(
            prefix,
            WarningKind::ZeroMaxChats,
            format!("{zero} agents report maxConcurrentChats 0 (not set): read as {meaning}"),
        ));
    }
    if !agents.is_empty() {
        warnings.push(Warning::new(
            prefix,
            WarningKind::NoDepartments,
            "realTime/Agents gives no departments: agents have no skills; ask for slots over the whole floor",
        ));
    }
    let snapshot = Snapshot { taken_at, skills: Vec::new(), agents, queue: Vec::new() };
    Ok(ReadPage { ingest: Ingest { snapshot, warnings, next_page: None }, at, page, bare_list, listed })
}

/// Reads and merges every page of a Comm100 `realTime/Agents` response.
///
/// Each page comes with its file name, which errors and warnings carry. Pages are put in
/// `pageIndex` order. The pages must agree on `total` and `pageCount`, and
/// no page may come twice; when every page is given, the agents must number `total`. When
/// some pages are missing, a warning says so.
///
/// # Examples
///
/// ```
/// use chatcap_adapter::comm100::{self, Comm100Options};
/// use chatcap_core::Timestamp;
/// let p1 = br#"{"total":2,"pageCount":2,"pageIndex":1,"pageSize":1,"list":[{"agentId":"a","currentStatusId":"00000000-0000-0000-0000-000000000002","onGoingChats":0,"maxConcurrentChats":2}]}"#;
/// let p2 = br#"{"total":2,"pageCount":2,"pageIndex":2,"pageSize":1,"list":[{"agentId":"b","currentStatusId":"00000000-0000-0000-0000-000000000002","onGoingChats":0,"maxConcurrentChats":2}]}"#;
/// let ingest = comm100::agents_pages(&[("p2.json", p2), ("p1.json", p1)], Timestamp::EPOCH, &Comm100Options::default())?;
/// assert_eq!(ingest.snapshot.agents.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(), ["a", "b"]);
/// # Ok::<(), chatcap_adapter::AdapterError>(())
/// ```
///
/// # Errors
///
/// [`AdapterError::Pages`] when the pages do not fit together; the errors of [`agents_json`],
/// naming the page's file.
pub fn agents_pages<N: AsRef<str>, B: AsRef<[u8]>>(
    pages: &[(N, B)],
    taken_at: Timestamp,
    opts: &Comm100Options,
) -> Result<Ingest, AdapterError> {
    agents_pages_at(pages, taken_at, opts).map(|(ingest, _)| ingest)
}

/// [`agents_pages`], with where each agent was found.
pub(crate) fn agents_pages_at<N: AsRef<str>, B: AsRef<[u8]>>(
    pages: &[(N, B)],
    taken_at: Timestamp,
    opts: &Comm100Options,
) -> Result<(Ingest, Vec<AgentAt>), AdapterError> {
    let mut read = Vec::with_capacity(pages.len());
    for (name, bytes) in pages {
        let name = name.as_ref();
        let mut page = agents_page(bytes.as_ref(), taken_at, opts).map_err(|e| e.with_file(name))?;
        page.ingest = page.ingest.with_file(name);
        let file: std::sync::Arc<str> = name.into();
        page.at = page.at.into_iter().map(|a| a.with_file(&file)).collect();
        read.push((name, page));
    }
    // Each file once: a file given twice is named once.
    let mut names: Vec<&str> = Vec::with_capacity(pages.len());
    for (n, _) in pages {
        if !names.contains(&n.as_ref()) {
            names.push(n.as_ref());
        }
    }
    let names = names.join(", ");
    let pages_err = |path: &str, message: String| AdapterError::Pages {
        at: Location::path(path).with_file(&names),
        message,
    };
    if let (Some((bare, _)), Some((paged, _))) =
        (read.iter().find(|(_, p)| p.bare_list), read.iter().find(|(_, p)| !p.bare_list))
    {
        return Err(AdapterError::Pages {
            at: Location::default().with_file(*bare),
            message: format!(
                "a bare list of agents (the older realTime/Agents API), while {paged} is a page of the \
                 current API; expected files of one shape"
            ),
        });
    }
    let first = read.first().map(|(_, p)| p.page).unwrap_or_default();
    let mut seen = HashSet::new();
    for (_, p) in &read {
        let p = p.page;
        if p.total != first.total {
            return Err(pages_err(
                "total",
                format!("pages disagree on total ({} and {})", opt(first.total), opt(p.total)),
            ));
        }
        if p.page_count != first.page_count {
            return Err(pages_err(
                "pageCount",
                format!("pages disagree on pageCount ({} and {})", opt(first.page_count), opt(p.page_count)),
            ));
        }
        if let Some(i) = p.page_index
            && !seen.insert(i)
        {
            return Err(pages_err("pageIndex", format!("page {i} given twice; expected each page once")));
        }
    }
    read.sort_by_key(|(_, p)| p.page.page_index);
    let listed: u64 = read.iter().map(|(_, p)| p.listed).sum();
    let complete = match first.page_count {
        Some(n) => read.len() as u64 >= n,
        None => true,
    };
    let mut out = Ingest { snapshot: Snapshot { taken_at, ..Snapshot::default() }, ..Ingest::default() };
    let mut kept = FirstKept::default();
    for (_, p) in read {
        kept.append(&mut out, p.ingest, p.at);
    }
    // One summary of each repeated assumption is enough.
    let mut kinds = HashSet::new();
    out.warnings.retain(|w| {
        !matches!(w.kind, WarningKind::AssumedStatus | WarningKind::ZeroMaxChats | WarningKind::NoDepartments)
            || kinds.insert(w.kind)
    });
    if let Some(total) = first.total {
        if complete && listed != total {
            return Err(pages_err(
                "total",
                format!("every page given but they list {listed} agents; expected total = {total}"),
            ));
        }
        if !complete {
            out.warnings.push(Warning::new(
                "total",
                WarningKind::IncompletePages,
                format!(
                    "{} of {} pages given: {listed} of {total} agents; the snapshot covers only the pages given",
                    pages.len(),
                    opt(first.page_count)
                ),
            )
            .with_file(&names));
        }
    }
    Ok((out, kept.at))
}

/// One department's queue, as `realTime/Queue` reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DepartmentQueue {
    /// `routeToDepartmentId` (the skill visitors wait for); `None` when routed to an agent only.
    pub department: Option<SkillId>,
    /// The department's name, when given.
    pub name: Option<String>,
    /// The visitors waiting: the larger of `currentQueueLength` and the visitors listed (the
    /// older API lists them under `queue` and gives no length).
    pub queue_length: u64,
    /// `ongoingChats`.
    pub ongoing_chats: u64,
    /// `maxConcurrentChats`.
    pub max_concurrent_chats: u64,
    /// `avgWaitTimeinLast30Mins`, read as seconds.
    pub avg_wait_last_30_mins: Duration,
    /// `avgWaitTimeinLast60Mins`, read as seconds.
    pub avg_wait_last_60_mins: Duration,
    /// `abandonedChatsinLast30Mins`.
    pub abandoned_last_30_mins: u64,
    /// `switchedtoMessagesinLast30Mins`.
    pub switched_to_messages_last_30_mins: u64,
    /// The visitors listed (`visitors`, or the older API's `queue`): `visitorId` and `waitTime`
    /// (read as seconds; 0 when not given, with a warning).
    pub visitors: Vec<(String, Duration)>,
}

/// Reads a Comm100 `realTime/Queue` response: one entry per department.
///
/// The current API lists each department's waiting visitors under `visitors` next to
/// `currentQueueLength`; when the two disagree, the larger counts (with a warning naming both).
/// The older API's shape, visitors listed under `queue` with no `currentQueueLength`, is read
/// too, with a warning; so is a single entry given alone rather than in a list. An entry with
/// neither a length nor a list of visitors is refused rather than read as an empty queue.
///
/// # Examples
///
/// ```
/// use chatcap_adapter::comm100;
/// use std::time::Duration;
/// let doc = br#"[{"routeToDepartmentId": "d1", "ongoingChats": 2, "maxConcurrentChats": 6,
///   "currentQueueLength": 1, "avgWaitTimeinLast30Mins": 40, "avgWaitTimeinLast60Mins": 30,
///   "abandonedChatsinLast30Mins": 1, "visitors": [{"visitorId": "v1", "waitTime": 25}]}]"#;
/// let (queues, _warnings) = comm100::queue_json(doc)?;
/// assert_eq!(queues[0].visitors, vec![("v1".to_owned(), Duration::from_secs(25))]);
/// # Ok::<(), chatcap_adapter::AdapterError>(())
/// ```
///
/// # Errors
///
/// [`AdapterError::Json`] for malformed JSON or a field of the wrong type;
/// [`AdapterError::Invalid`] for negative counts or waits, a queue longer than a million, an
/// entry with both `visitors` and `queue`, or one with neither a list nor `currentQueueLength`.
pub fn queue_json(bytes: &[u8]) -> Result<(Vec<DepartmentQueue>, Vec<Warning>), AdapterError> {
    let dto::QueueDoc { entries, alone } = from_json(bytes)?;
    let mut warnings = Vec::new();
    let mut out = Vec::with_capacity(entries.len());
    let mut any_wait = false;
    for (i, q) in entries.into_iter().enumerate() {
        let path = if alone { String::new() } else { format!("[{i}]") };
        let at = |name: &str| if path.is_empty() { name.to_owned() } else { format!("{path}.{name}") };
        let n = |v: Option<Int>, name: &str| count(v, &at(name)).map(Option::unwrap_or_default);
        let secs = |v: Option<Int>, name: &str| n(v, name).map(Duration::from_secs);
        any_wait |= q.avg_wait_time_in_last30_mins.is_some() || q.avg_wait_time_in_last60_mins.is_some();
        let department = q.route_to_department_id.map(|t| t.0).filter(|s| !s.trim().is_empty());
        let name = q.route_to_department.and_then(|d| d.name).map(|t| t.0);
        let (list, list_name) = match (q.visitors, q.queue) {
            (Some(_), Some(_)) => {
                return Err(AdapterError::invalid(
                    &path,
                    "a queue entry listing visitors under both visitors and queue; expected one list",
                ));
            }
            (Some(v), None) => (Some(v), "visitors"),
            (None, Some(v)) => (Some(v), "queue"),
            (None, None) => (None, "visitors"),
        };
        let reported = count(q.current_queue_length, &at("currentQueueLength"))?;
        if list.is_none() && reported.is_none() {
            return Err(AdapterError::invalid(
                &path,
                format!(
                    "a queue entry with keys {:?} and neither currentQueueLength nor a list of visitors \
                     (visitors, or queue in the older API); expected a realTime/Queue department entry",
                    entry_keys(bytes, (!alone).then_some(i))
                ),
            ));
        }
        if let Some(len) = reported
            && len > MAX_QUEUE
        {
            return Err(AdapterError::invalid(
                at("currentQueueLength"),
                format!("found {len}; expected at most {MAX_QUEUE} visitors"),
            ));
        }
        let list = list.unwrap_or_default();
        if list.len() as u64 > MAX_QUEUE {
            return Err(AdapterError::invalid(
                at(list_name),
                format!("expected at most {MAX_QUEUE} visitors"),
            ));
        }
        let older = list_name == "queue";
        if older {
            warnings.push(Warning::new(
                at("queue"),
                WarningKind::OlderApiShape,
                format!(
                    "{} listed under queue, the shape of the older realTime/Queue API (no \
                     currentQueueLength): each counted waiting; their fields are read by the current API's \
                     names (visitorId, waitTime), which is a guess",
                    if list.len() == 1 { "1 visitor".to_owned() } else { format!("{} visitors", list.len()) }
                ),
            ));
        }
        let mut visitors = Vec::with_capacity(list.len().min(1024));
        let mut no_wait = 0u64;
        for (k, v) in list.into_iter().enumerate() {
            let vpath = format!("{}[{k}]", at(list_name));
            let id = v.visitor_id.map(|t| t.0).unwrap_or_else(|| format!("visitor {k}"));
            let wait = match count(v.wait_time, &format!("{vpath}.waitTime"))? {
                Some(w) => {
                    any_wait = true;
                    w
                }
                None => {
                    no_wait += 1;
                    0
                }
            };
            visitors.push((id, Duration::from_secs(wait)));
        }
        let listed = visitors.len() as u64;
        if no_wait > 0 {
            warnings.push(Warning::new(
                at(list_name),
                WarningKind::QueueArrivalsAssumed,
                format!(
                    "{no_wait} of the {listed} visitors listed {} no waitTime: taken to have arrived at the \
                     snapshot time",
                    if no_wait == 1 { "has" } else { "have" }
                ),
            ));
        }
        let queue_length = reported.unwrap_or(0).max(listed);
        match reported {
            Some(len) if len > listed && listed == 0 => warnings.push(Warning::new(
                at("currentQueueLength"),
                WarningKind::QueueLengthMismatch,
                format!(
                    "currentQueueLength is {len} but no visitors are listed: {len} counted waiting, taken to \
                     have arrived at the snapshot time"
                ),
            )),
            Some(len) if len > listed => warnings.push(Warning::new(
                at("currentQueueLength"),
                WarningKind::QueueLengthMismatch,
                format!(
                    "currentQueueLength is {len} but {} listed under {list_name}: the larger, {len}, counts; the \
                     {} not listed are taken to have arrived at the snapshot time",
                    are_listed(listed),
                    len - listed
                ),
            )),
            Some(len) if len < listed => warnings.push(Warning::new(
                at("currentQueueLength"),
                WarningKind::QueueLengthMismatch,
                format!(
                    "currentQueueLength is {len} but {} listed under {list_name}: the larger, {listed}, counts",
                    are_listed(listed)
                ),
            )),
            _ => {}
        }
        out.push(DepartmentQueue {
            department: department.map(SkillId::from),
            name,
            queue_length,
            ongoing_chats: n(q.ongoing_chats, "ongoingChats")?,
            max_concurrent_chats: n(q.max_concurrent_chats, "maxConcurrentChats")?,
            avg_wait_last_30_mins: secs(q.avg_wait_time_in_last30_mins, "avgWaitTimeinLast30Mins")?,
            avg_wait_last_60_mins: secs(q.avg_wait_time_in_last60_mins, "avgWaitTimeinLast60Mins")?,
            abandoned_last_30_mins: n(q.abandoned_chats_in_last30_mins, "abandonedChatsinLast30Mins")?,
            switched_to_messages_last_30_mins: n(
                q.switched_to_messages_in_last30_mins,
                "switchedtoMessagesinLast30Mins",
            )?,
            visitors,
        });
    }
    if any_wait {
        warnings.push(Warning::new(
            "",
            WarningKind::WaitUnitAssumed,
            "wait times have no documented unit: read as seconds",
        ));
    }
    Ok((out, warnings))
}

/// The first keys of a queue entry (the `i`th of the list, or the document itself), for a
/// message about a shape that cannot be read. The document is read again: this is the error
/// path only.
fn entry_keys(bytes: &[u8], i: Option<usize>) -> Vec<String> {
    let Ok(doc) = from_json::<serde_json::Value>(bytes) else { return Vec::new() };
    let entry = match i {
        Some(i) => doc.get(i),
        None => Some(&doc),
    };
    let keys = entry.and_then(|e| e.as_object()).map(|o| o.keys().take(6).cloned().collect());
    keys.unwrap_or_default()
}

fn are_listed(n: u64) -> String {
    if n == 1 { "1 is".to_owned() } else { format!("{n} are") }
}

/// Adds the visitors of a `realTime/Queue` response to a snapshot: each waits for its
/// department (added to the skills if new), having arrived its `waitTime` before the snapshot
/// time. When [`DepartmentQueue::queue_length`] exceeds the visitors listed, the others are
/// added as having arrived at the snapshot time (their waits are not reported), at most a
/// million per department. Visitors of a queue routed to no department are left out, with a
/// warning.
///
/// # Examples
///
/// ```
/// use chatcap_adapter::{comm100, Ingest};
/// use chatcap_core::{Snapshot, Timestamp};
/// let (queues, _) = comm100::queue_json(br#"[{"routeToDepartmentId":"d1","currentQueueLength":1,
///   "visitors":[{"visitorId":"v1","waitTime":25}]}]"#)?;
/// let mut ingest = Ingest { snapshot: Snapshot { taken_at: Timestamp::from_millis(60_000), ..Snapshot::default() }, ..Ingest::default() };
/// comm100::apply_queue(&queues, &mut ingest);
/// assert_eq!(ingest.snapshot.queue[0].arrived_at, Timestamp::from_millis(35_000));
/// # Ok::<(), chatcap_adapter::AdapterError>(())
/// ```
pub fn apply_queue(queues: &[DepartmentQueue], ingest: &mut Ingest) {
    let taken_at = ingest.snapshot.taken_at;
    let mut skills = SkillSet::from_snapshot(&ingest.snapshot);
    let mut next = next_visitor_id(&ingest.snapshot);
    for (i, q) in queues.iter().enumerate() {
        let path = format!("[{i}]");
        let waiting = q.queue_length.max(q.visitors.len() as u64);
        let Some(dept) = &q.department else {
            if waiting > 0 {
                ingest.warnings.push(Warning::new(
                    format!("{path}.routeToDepartmentId"),
                    WarningKind::QueueNoData,
                    format!("{waiting} visitors routed to no department: left out"),
                ));
            }
            continue;
        };
        if waiting == 0 {
            continue;
        }
        if skills.add(dept.as_str(), q.name.as_deref(), &path, &mut ingest.warnings).1 {
            ingest.warnings.push(Warning::new(
                format!("{path}.routeToDepartmentId"),
                WarningKind::QueueSkillWithoutAgents,
                format!("department {dept} has visitors waiting but no agent has it"),
            ));
        }
        let listed = q.visitors.iter().take(MAX_QUEUE as usize);
        let unlisted = waiting.min(MAX_QUEUE).saturating_sub(q.visitors.len() as u64);
        if waiting > MAX_QUEUE {
            ingest.warnings.push(Warning::new(
                &path,
                WarningKind::QueueLengthMismatch,
                format!("{waiting} visitors waiting, more than a queue may hold: {MAX_QUEUE} counted"),
            ));
        }
        let waits = listed.map(|(_, w)| *w).chain((0..unlisted).map(|_| Duration::ZERO));
        for wait in waits {
            let v = QueuedVisitor::new(VisitorId(next), dept.clone(), taken_at.saturating_sub(wait));
            ingest.snapshot.queue.push(v);
            next = next.saturating_add(1);
        }
    }
    ingest.snapshot.skills = skills.skills;
}

/// `realTime/Today`: the day's figures, rates and averages kept exact.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Today {
    /// `avgWaitingTime`: average wait of the day.
    pub avg_waiting_time: Option<Decimal>,
    /// `totalChats`.
    pub total_chats: Option<u64>,
    /// `chatRequests`.
    pub chat_requests: Option<u64>,
    /// `abandondedChats` (spelled as Comm100 spells it).
    pub abandonded_chats: Option<u64>,
    /// `switchedToMessageChats`.
    pub switched_to_message_chats: Option<u64>,
    /// `uniqueChatRate`.
    pub unique_chat_rate: Option<Decimal>,
    /// `avgScore`.
    pub avg_score: Option<Decimal>,
    /// `serviceAccessibilityRate`.
    pub service_accessibility_rate: Option<Decimal>,
    /// `acceptedInvitations`.
    pub accepted_invitations: Option<u64>,
    /// `departmentTransferredChats`.
    pub department_transferred_chats: Option<u64>,
    /// `missedChats`.
    pub missed_chats: Option<u64>,
    /// `chatAcceptanceRate`.
    pub chat_acceptance_rate: Option<Decimal>,
    /// `totalTransferredChats`.
    pub total_transferred_chats: Option<u64>,
    /// `agentAvgResponseTime`.
    pub agent_avg_response_time: Option<Decimal>,
    /// `chats`.
    pub chats: Option<u64>,
    /// `avgChatTime`.
    pub avg_chat_time: Option<Decimal>,
    /// `agentUtilization`.
    pub agent_utilization: Option<Decimal>,
}

/// Reads a Comm100 `realTime/Today` response. Decimals are read from their text, never through
/// a float, so `0.1` stays exactly `0.1`.
///
/// # Examples
///
/// ```
/// use chatcap_adapter::comm100;
/// use rust_decimal::Decimal;
/// let t = comm100::today_json(br#"{"totalChats": 12, "chatAcceptanceRate": 0.1, "avgChatTime": "305.25"}"#)?;
/// assert_eq!(t.chat_acceptance_rate, Some(Decimal::new(1, 1)));
/// assert_eq!(t.avg_chat_time, Some(Decimal::new(30525, 2)));
/// assert_eq!(t.total_chats, Some(12));
/// # Ok::<(), chatcap_adapter::AdapterError>(())
/// ```
///
/// # Errors
///
/// [`AdapterError::Json`] for malformed JSON or a field of the wrong type;
/// [`AdapterError::Invalid`] for a negative count.
pub fn today_json(bytes: &[u8]) -> Result<Today, AdapterError> {
    let d: dto::Today = from_json(bytes)?;
    let dec = |v: Option<Dec>| v.map(|d| d.0);
    Ok(Today {
        avg_waiting_time: dec(d.avg_waiting_time),
        total_chats: count(d.total_chats, "totalChats")?,
        chat_requests: count(d.chat_requests, "chatRequests")?,
        abandonded_chats: count(d.abandonded_chats, "abandondedChats")?,
        switched_to_message_chats: count(d.switched_to_message_chats, "switchedToMessageChats")?,
        unique_chat_rate: dec(d.unique_chat_rate),
        avg_score: dec(d.avg_score),
        service_accessibility_rate: dec(d.service_accessibility_rate),
        accepted_invitations: count(d.accepted_invitations, "acceptedInvitations")?,
        department_transferred_chats: count(d.department_transferred_chats, "departmentTransferredChats")?,
        missed_chats: count(d.missed_chats, "missedChats")?,
        chat_acceptance_rate: dec(d.chat_acceptance_rate),
        total_transferred_chats: count(d.total_transferred_chats, "totalTransferredChats")?,
        agent_avg_response_time: dec(d.agent_avg_response_time),
        chats: count(d.chats, "chats")?,
        avg_chat_time: dec(d.avg_chat_time),
        agent_utilization: dec(d.agent_utilization),
    })
}

/// `realTime/RightNow`: the floor at this moment.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RightNow {
    /// `loggedInAgents`.
    pub logged_in_agents: Option<u64>,
    /// `agentsInChat`.
    pub agents_in_chat: Option<u64>,
    /// `chatUtilization` (documented as an integer; read exactly as a decimal).
    pub chat_utilization: Option<Decimal>,
    /// `visitorOnSite`.
    pub visitor_on_site: Option<u64>,
    /// `ongoingChats`.
    pub ongoing_chats: Option<u64>,
    /// `ongoingChatsWithAgent`.
    pub ongoing_chats_with_agent: Option<u64>,
    /// `currentQueueLength`.
    pub current_queue_length: Option<u64>,
    /// `ongoingChatsWithBot`.
    pub ongoing_chats_with_bot: Option<u64>,
}

/// Reads a Comm100 `realTime/RightNow` response.
///
/// # Examples
///
/// ```
/// use chatcap_adapter::comm100;
/// let r = comm100::right_now_json(br#"{"loggedInAgents": 4, "agentsInChat": 2, "currentQueueLength": 3}"#)?;
/// assert_eq!((r.logged_in_agents, r.current_queue_length), (Some(4), Some(3)));
/// # Ok::<(), chatcap_adapter::AdapterError>(())
/// ```
///
/// # Errors
///
/// [`AdapterError::Json`] for malformed JSON or a field of the wrong type;
/// [`AdapterError::Invalid`] for a negative count.
pub fn right_now_json(bytes: &[u8]) -> Result<RightNow, AdapterError> {
    let d: dto::RightNow = from_json(bytes)?;
    Ok(RightNow {
        logged_in_agents: count(d.logged_in_agents, "loggedInAgents")?,
        agents_in_chat: count(d.agents_in_chat, "agentsInChat")?,
        chat_utilization: d.chat_utilization.map(|d| d.0),
        visitor_on_site: count(d.visitor_on_site, "visitorOnSite")?,
        ongoing_chats: count(d.ongoing_chats, "ongoingChats")?,
        ongoing_chats_with_agent: count(d.ongoing_chats_with_agent, "ongoingChatsWithAgent")?,
        current_queue_length: count(d.current_queue_length, "currentQueueLength")?,
        ongoing_chats_with_bot: count(d.ongoing_chats_with_bot, "ongoingChatsWithBot")?,
    })
}

/// Parses a .NET time span as Comm100 writes durations, exactly: `[d.]hh:mm:ss[.fffffff]`, the
/// fraction up to 9 digits (Comm100 writes 7, ticks of 100 ns).
///
/// # Examples
///
/// ```
/// use chatcap_adapter::comm100::parse_timespan;
/// use std::time::Duration;
/// assert_eq!(parse_timespan("06:53:57.0500000"), Some(Duration::new(6 * 3600 + 53 * 60 + 57, 50_000_000)));
/// assert_eq!(parse_timespan("00:20:38.2649999"), Some(Duration::new(20 * 60 + 38, 264_999_900)));
/// assert_eq!(parse_timespan("1.00:00:00"), Some(Duration::from_secs(86_400)));
/// assert_eq!(parse_timespan("00:60:00"), None);
/// ```
pub fn parse_timespan(s: &str) -> Option<Duration> {
    let s = s.trim();
    let (hms, frac) = match s.split_once('.') {
        // "d.hh:mm:ss..." has its first dot before the first colon.
        Some((d, rest)) if !d.contains(':') => {
            let days: u64 = digits(d)?;
            let inner = parse_timespan(rest)?;
            if inner >= Duration::from_secs(86_400) {
                return None;
            }
            return days.checked_mul(86_400).map(Duration::from_secs)?.checked_add(inner);
        }
        Some((hms, frac)) => (hms, Some(frac)),
        None => (s, None),
    };
    let mut parts = hms.split(':');
    let (h, m, sec) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let (h, m, sec): (u64, u64, u64) = (digits(h)?, digits(m)?, digits(sec)?);
    if h > 23 || m > 59 || sec > 59 {
        return None;
    }
    let nanos = match frac {
        None => 0,
        Some(f) if !f.is_empty() && f.len() <= 9 && f.bytes().all(|b| b.is_ascii_digit()) => {
            let n: u32 = f.parse().ok()?;
            n * 10u32.pow(9 - f.len() as u32)
        }
        Some(_) => return None,
    };
    Some(Duration::new(h * 3600 + m * 60 + sec, nanos))
}

fn digits(s: &str) -> Option<u64> {
    if s.is_empty() || s.len() > 12 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}
