//! What reading a payload gives: a snapshot, the warnings, and the link to the next page.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use chatcap_core::{Floor, QueuedVisitor, Skill, SkillId, Snapshot, Timestamp, VisitorId};

use crate::{AdapterError, Location};

/// A conversion that lost information or rested on an assumption.
///
/// # Examples
///
/// ```
/// use chatcap_adapter::{liveperson, WarningKind};
/// use chatcap_core::Timestamp;
/// let doc = br#"{"availableAgents":{"agents":{"agent":[{"@id":"2","@chatState":"2","@maxChats":"2"}]}}}"#;
/// let ingest = liveperson::available_agents_json(doc, Timestamp::EPOCH)?;
/// let w = ingest.warnings.iter().find(|w| w.kind == WarningKind::MissingChats).unwrap();
/// assert_eq!(w.at.path, "availableAgents.agents.agent[0].chats");
/// # Ok::<(), chatcap_adapter::AdapterError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    /// Where the value was (or should have been).
    pub at: Location,
    /// What kind of conversion it was.
    pub kind: WarningKind,
    /// What was done, in words.
    pub message: String,
}

impl Warning {
    pub(crate) fn new(path: impl Into<String>, kind: WarningKind, message: impl Into<String>) -> Self {
        Self { at: Location::path(path), kind, message: message.into() }
    }

    /// Names the file the warning was found in.
    pub fn with_file(mut self, file: impl Into<String>) -> Self {
        self.at.file = Some(file.into());
        self
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "warning: {}: {}", self.at, self.message)
    }
}

/// The kinds of lossy or assumed conversion.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum WarningKind {
    /// An agent has no `chats` field: counted as 0 active chats.
    MissingChats,
    /// An agent has no `maxChats`: counted as taking no chats.
    MissingMaxChats,
    /// An agent has no chat state: counted as offline.
    MissingState,
    /// A state code or word that is not one of the four known: the agent is not routable.
    UnknownState,
    /// `elapsedTimeInState` is missing or negative: the time in state is taken as not reported
    /// (a new floor starts the state at the snapshot time; a sync keeps the start it knows).
    TimeInState,
    /// An agent lists a skill twice, or `skills` and `skillsInfo` disagree: merged.
    SkillListing,
    /// Two agents give one skill different names: the first name is kept.
    SkillNameConflict,
    /// Two agents share a login: the later agent's login is dropped.
    DuplicateLogin,
    /// Two agents share an id (in one payload, or across pages and files): the first is kept
    /// and the later one dropped.
    DuplicateAgent,
    /// A queue's visitors were synthesised: only the size and the longest wait are known.
    QueueArrivalsAssumed,
    /// A skill has no queue-state data (`-1`), or only part of it: nobody is counted waiting.
    QueueNoData,
    /// A queue names a skill no agent has: the skill is added with no agents.
    QueueSkillWithoutAgents,
    /// A queue's length differs from its list of visitors: the larger counts.
    QueueLengthMismatch,
    /// A Comm100 status GUID was mapped through the default table, which is an assumption.
    AssumedStatus,
    /// A Comm100 status GUID is in no table: the agent is counted away (not routable).
    UnknownStatus,
    /// A Comm100 `maxConcurrentChats: 0` was read through the configured meaning.
    ZeroMaxChats,
    /// Comm100 wait times carry no documented unit: read as seconds.
    WaitUnitAssumed,
    /// Comm100 agents carry no departments: agents have no skills.
    NoDepartments,
    /// Not every page of a paginated response was given.
    IncompletePages,
    /// A payload has the shape of an older version of the vendor's API (Comm100's agents as a
    /// bare list, visitors listed under `queue`): read with the field names of the current API.
    OlderApiShape,
    /// A field could not be read and was left out of the result.
    UnreadableField,
}

/// A vendor payload read into a core snapshot, with every warning and the paging link.
///
/// # Examples
///
/// See [`liveperson::available_agents_json`](crate::liveperson::available_agents_json).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Ingest {
    /// The floor as read.
    pub snapshot: Snapshot,
    /// Every lossy or assumed conversion, in document order.
    pub warnings: Vec<Warning>,
    /// The address of the next page (LivePerson `link rel="next"`), if the payload has one.
    pub next_page: Option<String>,
}

impl Ingest {
    /// Validates the snapshot into a [`Floor`], keeping the warnings.
    ///
    /// # Errors
    ///
    /// [`AdapterError::Model`] when the snapshot breaks a rule of the core model (an agent id
    /// listed twice in readings merged with [`Ingest::merge`], for example).
    pub fn into_floor(self) -> Result<(Floor, Vec<Warning>), AdapterError> {
        let floor = Floor::new(self.snapshot)
            .map_err(|e| AdapterError::Model { at: Location::default(), error: Box::new(e) })?;
        Ok((floor, self.warnings))
    }

    /// Appends another page or file: agents and visitors are added, skills merged, warnings kept.
    /// The snapshot time stays this one's. Every agent is kept, repeats too (which
    /// [`Ingest::into_floor`] then refuses); [`read_agents`](crate::read_agents) merges files
    /// keeping the first of each agent id instead.
    ///
    /// # Examples
    ///
    /// ```
    /// use chatcap_adapter::liveperson;
    /// use chatcap_core::Timestamp;
    /// let p1 = br#"{"availableAgents":{"agents":{"agent":{"@id":"1","@maxChats":"1","@chatState":"2","chats":0}}}}"#;
    /// let p2 = br#"{"availableAgents":{"agents":{"agent":{"@id":"2","@maxChats":"1","@chatState":"2","chats":0}}}}"#;
    /// let mut a = liveperson::available_agents_json(p1, Timestamp::EPOCH)?;
    /// a.merge(liveperson::available_agents_json(p2, Timestamp::EPOCH)?);
    /// assert_eq!(a.snapshot.agents.len(), 2);
    /// # Ok::<(), chatcap_adapter::AdapterError>(())
    /// ```
    pub fn merge(&mut self, other: Ingest) {
        let mut known: HashSet<SkillId> = self.snapshot.skills.iter().map(|s| s.id.clone()).collect();
        for s in other.snapshot.skills {
            if known.insert(s.id.clone()) {
                self.snapshot.skills.push(s);
            }
        }
        // The other reading's agents name its own copies of the skills: they take this one's (the
        // set's own, which `get` gives) and the list this one's agents have for the same skills,
        // so that one id per skill and one list per set of skills hold across pages too. Lists
        // are found by the addresses of their ids, and each distinct list is looked at once
        // (found again by its own address, which is not reused while every list is alive).
        let addrs =
            |list: &[SkillId]| list.iter().map(|id| id.as_str().as_ptr() as usize).collect::<Vec<_>>();
        let mut by_content: HashMap<Vec<usize>, Arc<[SkillId]>> = HashMap::new();
        let mut seen: HashSet<usize> = HashSet::new();
        let has_skills = other.snapshot.agents.iter().any(|a| !a.skills.is_empty());
        for a in self.snapshot.agents.iter().filter(|_| has_skills) {
            if seen.insert(a.skills.as_ptr() as usize) {
                by_content.entry(addrs(&a.skills)).or_insert_with(|| Arc::clone(&a.skills));
            }
        }
        let mut by_addr: HashMap<usize, Arc<[SkillId]>> = HashMap::new();
        self.snapshot.agents.reserve(other.snapshot.agents.len());
        for mut a in other.snapshot.agents {
            let list = by_addr.entry(a.skills.as_ptr() as usize).or_insert_with(|| {
                let ids: Vec<SkillId> =
                    a.skills.iter().map(|id| known.get(id).cloned().unwrap_or_else(|| id.clone())).collect();
                Arc::clone(by_content.entry(addrs(&ids)).or_insert_with(|| ids.into()))
            });
            a.skills = Arc::clone(list);
            self.snapshot.agents.push(a);
        }
        let first = next_visitor_id(&self.snapshot);
        for (i, mut v) in other.snapshot.queue.into_iter().enumerate() {
            v.id = VisitorId(first.saturating_add(i as u64));
            self.snapshot.queue.push(v);
        }
        self.warnings.extend(other.warnings);
        self.next_page = other.next_page;
    }

    /// Names the file on every warning that has no file yet.
    pub fn with_file(mut self, file: &str) -> Self {
        for w in &mut self.warnings {
            if w.at.file.is_none() {
                w.at.file = Some(file.to_owned());
            }
        }
        self
    }
}

/// Where a reader found one agent: the id and the login, as warnings about repeats point to them.
/// A reader of long lists keeps where each agent was in a few words, and spells the locations
/// out only for the warning that needs one.
#[derive(Clone, Debug)]
pub(crate) enum AgentAt {
    /// The id's and the login's locations.
    Spelled(Box<(Location, Location)>),
    /// An agent of a LivePerson list (or the agent of an `info` document).
    Listed {
        agent: AgentPath,
        /// The id's key as a path spells it (`@id` for an attribute, `id` for a member).
        id_key: &'static str,
        /// Where the XML reader found the id.
        id_line_column: Option<(usize, usize)>,
        login_key: &'static str,
        file: Option<Arc<str>>,
    },
}

impl Default for AgentAt {
    fn default() -> Self {
        AgentAt::Spelled(Box::default())
    }
}

impl AgentAt {
    pub(crate) fn spelled(id: Location, login: Location) -> Self {
        AgentAt::Spelled(Box::new((id, login)))
    }

    /// Where the agent's id is.
    pub(crate) fn id(&self) -> Location {
        match self {
            AgentAt::Spelled(at) => at.0.clone(),
            AgentAt::Listed { agent, id_key, id_line_column, file, .. } => {
                let mut at = Location::path(format!("{agent}.{id_key}"));
                if let Some((line, column)) = *id_line_column {
                    at = at.with_line_column(line, column);
                }
                at.file = file.as_deref().map(str::to_owned);
                at
            }
        }
    }

    /// Where the agent's login is (or would be).
    pub(crate) fn login(&self) -> Location {
        match self {
            AgentAt::Spelled(at) => at.1.clone(),
            AgentAt::Listed { agent, login_key, file, .. } => {
                let mut at = Location::path(format!("{agent}.{login_key}"));
                at.file = file.as_deref().map(str::to_owned);
                at
            }
        }
    }

    /// Names the file, where none is named yet.
    pub(crate) fn with_file(mut self, name: &Arc<str>) -> Self {
        match &mut self {
            AgentAt::Spelled(at) => {
                at.0.file.get_or_insert_with(|| name.to_string());
                at.1.file.get_or_insert_with(|| name.to_string());
            }
            AgentAt::Listed { file, .. } => {
                file.get_or_insert_with(|| Arc::clone(name));
            }
        }
        self
    }
}

/// Where an agent of a LivePerson payload is: `availableAgents.agents.agent[3]`, or `info`.
/// Written out only when a warning or an error names it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct AgentPath {
    pub(crate) list: &'static str,
    pub(crate) index: Option<usize>,
}

impl fmt::Display for AgentPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.index {
            Some(i) => write!(f, "{}[{i}]", self.list),
            None => f.write_str(self.list),
        }
    }
}

/// Appends readings of several pages or files, keeping the first agent of each id and the
/// first agent of each login, as a single payload does.
#[derive(Default)]
pub(crate) struct FirstKept {
    ids: HashSet<String>,
    logins: HashSet<String>,
    /// Where each agent kept so far was found, in order.
    pub(crate) at: Vec<AgentAt>,
}

impl FirstKept {
    /// Appends `other` (whose agents were found at `at`, in order) to `out`: an agent whose id
    /// an earlier one has is dropped, a login an earlier agent has is dropped from its agent,
    /// each with a warning.
    pub(crate) fn append(&mut self, out: &mut Ingest, mut other: Ingest, at: Vec<AgentAt>) {
        let mut at = at.into_iter();
        let mut repeats = Vec::new();
        let agents = std::mem::take(&mut other.snapshot.agents);
        other.snapshot.agents.reserve(agents.len());
        for mut a in agents {
            let here = at.next().unwrap_or_default();
            if !self.ids.insert(a.id.as_str().to_owned()) {
                repeats.push(Warning {
                    at: here.id(),
                    kind: WarningKind::DuplicateAgent,
                    message: format!(
                        "agent id {:?} is listed in an earlier page or file: this listing is dropped, \
                         the first kept",
                        a.id.as_str()
                    ),
                });
                continue;
            }
            if let Some(login) = &a.login
                && !self.logins.insert(login.to_string())
            {
                repeats.push(Warning {
                    at: here.login(),
                    kind: WarningKind::DuplicateLogin,
                    message: format!(
                        "login {login:?} is used by an agent in an earlier page or file: this agent's login \
                         is dropped"
                    ),
                });
                a.login = None;
            }
            other.snapshot.agents.push(a);
            self.at.push(here);
        }
        out.merge(other);
        out.warnings.extend(repeats);
    }
}

pub(crate) fn next_visitor_id(s: &Snapshot) -> u64 {
    s.queue.iter().map(|v| v.id.0.saturating_add(1)).max().unwrap_or(1)
}

/// The skills of a snapshot being built, in order of first appearance, and the agents' skill
/// lists: one id per skill and one list per set of skills, shared by the agents that have them
/// (a large poll stays small, and a floor synced to it compares skills by address, in cache).
#[derive(Default)]
pub(crate) struct SkillSet {
    pub(crate) skills: Vec<Skill>,
    index: HashMap<String, usize>,
    /// The lists given out, by the positions of their skills in `skills`.
    lists: HashMap<Vec<usize>, Arc<[SkillId]>>,
}

impl SkillSet {
    pub(crate) fn from_snapshot(s: &Snapshot) -> Self {
        let mut set = SkillSet::default();
        for sk in &s.skills {
            set.index.insert(sk.id.as_str().to_owned(), set.skills.len());
            set.skills.push(sk.clone());
        }
        set
    }

    /// The shared list of the skills at these positions (as [`SkillSet::add`] gives them), in
    /// this order.
    pub(crate) fn list(&mut self, at: &[usize]) -> Arc<[SkillId]> {
        if let Some(list) = self.lists.get(at) {
            return Arc::clone(list);
        }
        let list: Arc<[SkillId]> = at.iter().map(|&i| self.skills[i].id.clone()).collect();
        self.lists.insert(at.to_vec(), Arc::clone(&list));
        list
    }

    /// Adds a skill if new; returns its position and whether it was new. A name fills in a missing one; a
    /// different name is reported, at `path` (written out only then).
    pub(crate) fn add(
        &mut self,
        id: &str,
        name: Option<&str>,
        path: &dyn fmt::Display,
        warnings: &mut Vec<Warning>,
    ) -> (usize, bool) {
        match self.index.get(id) {
            Some(&i) => {
                let s = &mut self.skills[i];
                match (&s.name, name) {
                    (None, Some(n)) => s.name = Some(n.to_owned()),
                    (Some(old), Some(n)) if old != n => warnings.push(Warning::new(
                        path.to_string(),
                        WarningKind::SkillNameConflict,
                        format!("skill {id} is named {n:?} here and {old:?} before; keeping {old:?}"),
                    )),
                    _ => {}
                }
                (i, false)
            }
            None => {
                let i = self.skills.len();
                self.index.insert(id.to_owned(), i);
                let mut s = Skill::new(id);
                s.name = name.map(str::to_owned);
                self.skills.push(s);
                (i, true)
            }
        }
    }
}

/// The most visitors one skill's queue may claim; a larger figure is refused rather than
/// allocated.
pub(crate) const MAX_QUEUE: u64 = 1_000_000;

/// Adds `size` synthetic visitors to a skill's queue: the longest-waiting one arrived `max_wait`
/// before the snapshot time, the others at the snapshot time (their arrivals are unknown).
pub(crate) fn synthesize_queue(
    snapshot: &mut Snapshot,
    skill: &SkillId,
    size: u64,
    max_wait: Option<Duration>,
    taken_at: Timestamp,
) {
    let first = next_visitor_id(snapshot);
    for i in 0..size {
        let id = first.saturating_add(i);
        let arrived_at = match (i, max_wait) {
            (0, Some(w)) => taken_at.saturating_sub(w),
            _ => taken_at,
        };
        snapshot.queue.push(QueuedVisitor::new(VisitorId(id), skill.clone(), arrived_at));
    }
}

/// An agent's id at `path` (`{path}.agentId`): an error if it is missing or blank (`expected`
/// says what was wanted), `None` with a [`WarningKind::DuplicateAgent`] warning if an earlier
/// agent of the same document has it (a repeat is dropped whole, before it adds warnings of its
/// own).
pub(crate) fn first_agent_id(
    id: Option<String>,
    path: &str,
    expected: &str,
    ids: &mut HashSet<String>,
    warnings: &mut Vec<Warning>,
) -> Result<Option<String>, AdapterError> {
    let id = match id {
        Some(id) if !id.trim().is_empty() => id,
        _ => {
            return Err(AdapterError::invalid(
                format!("{path}.agentId"),
                format!("missing agent id; {expected}"),
            ));
        }
    };
    if !ids.insert(id.clone()) {
        warnings.push(Warning::new(
            format!("{path}.agentId"),
            WarningKind::DuplicateAgent,
            format!("agent id {id:?} is used by an earlier agent: this agent is dropped, the first kept"),
        ));
        return Ok(None);
    }
    Ok(Some(id))
}
