//! What a sync compares of each agent, kept small and contiguous: the floor's side of a sync
//! streams one 88-byte key an agent and the agents' texts side by side, instead of each
//! agent's record and the texts it points to. A key also holds where the record's own id,
//! login and group texts live, so that a snapshot holding those same texts (one edited from
//! the last) is matched by address without reading them.
//!
//! A key is an exact copy, not a digest: a sync that finds an agent's key equal to what the
//! snapshot says knows the agent unchanged, and one that finds a difference reads the record
//! for what changed. A key goes stale when anything but a sync changes its agent: those changes
//! mark the place (one bit), a sync compares a marked place with its record, and the commit
//! that follows writes the marked keys afresh.

use super::{AgentRec, SkillPos};
use crate::{Agent, AgentState, Capacity, Timestamp};

/// Skills a key holds; an agent with more is compared with its record.
const SKILLS: usize = 5;

/// The key stands for an agent (not a vacant place).
const PRESENT: u8 = 1;
/// The key holds everything a sync compares: texts and skills fit, its texts are in the table.
const COMPLETE: u8 = 2;
/// The agent has a login.
const LOGIN: u8 = 4;
/// The agent has a group.
const GROUP: u8 = 8;

/// One place's key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct SyncKey {
    /// Where the record's id, login and group texts live (0 for none): a snapshot that shares
    /// them with the floor is compared by address, without reading a text.
    id_addr: usize,
    login_addr: usize,
    group_addr: usize,
    since: Timestamp,
    load: u64,
    capacity: Capacity,
    active: u32,
    /// Where the place's texts start in [`SyncKeys::text`]: id, login, group, back to back.
    text_at: u32,
    id_len: u16,
    login_len: u16,
    group_len: u16,
    state: AgentState,
    voice: Option<AgentState>,
    flags: u8,
    skill_count: u8,
    skills: [SkillPos; SKILLS],
}

impl SyncKey {
    /// The key of a vacant place, or of one not yet written: it matches no agent.
    const VACANT: SyncKey = SyncKey {
        id_addr: 0,
        login_addr: 0,
        group_addr: 0,
        since: Timestamp::EPOCH,
        load: 0,
        capacity: Capacity::Limited(0),
        active: 0,
        text_at: 0,
        id_len: 0,
        login_len: 0,
        group_len: 0,
        state: AgentState::Offline,
        voice: None,
        flags: 0,
        skill_count: 0,
        skills: [SkillPos(0); SKILLS],
    };
}

/// The keys of every place, with a mark per place whose key is stale.
#[derive(Clone, Debug, Default)]
pub(super) struct SyncKeys {
    keys: Vec<SyncKey>,
    /// Per place, one bit: the key is stale (something but a sync changed the agent).
    stale: Vec<u64>,
    /// The texts of every place, each place's id, login and group back to back.
    text: Vec<u8>,
    /// Bytes of `text` no key points to any more.
    garbage: usize,
}

/// Where a key's texts lie in the table, if it is complete.
fn texts<'t>(key: &SyncKey, text: &'t [u8]) -> (&'t [u8], &'t [u8], &'t [u8]) {
    let at = key.text_at as usize;
    let (id, login, group) =
        (usize::from(key.id_len), usize::from(key.login_len), usize::from(key.group_len));
    (&text[at..at + id], &text[at + id..at + id + login], &text[at + id + login..at + id + login + group])
}

/// Whether an agent's skills (`ids`) are the skills of a key, found by the address of the
/// snapshot's id for each (`addr_of`): in the same order, or, when not, each of the key's among
/// the agent's (as many and distinct: the same set). Few skills each: a comparison per pair
/// beats sorting.
#[inline]
fn same_skills(ids: &[crate::SkillId], skills: &[SkillPos], addr_of: &[usize]) -> bool {
    let addr = |s: &SkillPos| addr_of.get(s.get()).copied().unwrap_or(0);
    let mut in_order = true;
    for (id, s) in ids.iter().zip(skills) {
        in_order &= id.addr() == addr(s);
    }
    if in_order {
        return true;
    }
    // Without an early exit: vendors list skills in an order of their own, and a branch per
    // pair mispredicted more than the comparisons cost.
    let mut all = true;
    for s in skills {
        let a = addr(s);
        all &= ids.iter().fold(false, |found, id| found | (id.addr() == a));
    }
    all
}

/// Whether two texts are the same, compared a word at a time in line: ids and logins are
/// short, and a call to the library's comparison for each cost more than the comparison.
#[inline]
pub(super) fn same_text(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    if n < 8 {
        return a.iter().zip(b).all(|(x, y)| x == y);
    }
    let word = |s: &[u8], at: usize| s[at..at + 8].try_into().map_or(0, u64::from_ne_bytes);
    let mut at = 0;
    while at + 8 < n {
        if word(a, at) != word(b, at) {
            return false;
        }
        at += 8;
    }
    // The last word overlaps the one before when the length is not a multiple of 8.
    word(a, n - 8) == word(b, n - 8)
}

impl SyncKeys {
    /// Keys for the records of a floor just built.
    pub(super) fn new(recs: &[AgentRec]) -> SyncKeys {
        let mut keys = SyncKeys {
            keys: Vec::with_capacity(recs.len()),
            stale: vec![0; recs.len().div_ceil(64)],
            text: Vec::new(),
            garbage: 0,
        };
        for rec in recs {
            let key = keys.key_of(rec, None);
            keys.keys.push(key);
        }
        keys
    }

    /// Marks place `i` stale: its agent changed other than by a sync, or the place is new.
    #[inline]
    pub(super) fn mark(&mut self, i: usize) {
        if i >= self.keys.len() {
            self.keys.resize(i + 1, SyncKey::VACANT);
            self.stale.resize(self.keys.len().div_ceil(64), 0);
        }
        self.stale[i / 64] |= 1 << (i % 64);
    }

    /// Whether the key of place `i` can stand for its record: written since the agent last
    /// changed, and holding everything a sync compares.
    #[inline]
    pub(super) fn usable(&self, i: usize) -> bool {
        i < self.keys.len() && self.stale[i / 64] & (1 << (i % 64)) == 0 && self.keys[i].flags & COMPLETE != 0
    }

    /// Whether the key of place `i` is what [`SyncKeys::refresh`] would write for `rec` now
    /// (a check for tests: a key that is not is a change some path failed to mark).
    pub(super) fn agrees(&self, i: usize, rec: &AgentRec) -> bool {
        let key = &self.keys[i];
        let (id, login, group) = texts(key, &self.text);
        let n = usize::from(key.skill_count);
        key.flags & PRESENT != 0
            && rec.present
            && key.since == rec.state_since
            && key.load == rec.load
            && key.capacity == rec.capacity
            && key.active == rec.active
            && key.state == rec.chat_state
            && key.voice == rec.voice_state
            && key.skills[..n.min(SKILLS)] == rec.skills[..]
            && same_text(id, rec.id.as_str().as_bytes())
            && (key.flags & LOGIN != 0) == rec.login.is_some()
            && same_text(login, rec.login.as_deref().unwrap_or_default().as_bytes())
            && (key.flags & GROUP != 0) == rec.group.is_some()
            && same_text(group, rec.group.as_ref().map_or("", |g| g.as_str()).as_bytes())
    }

    /// Whether the agent at a place whose key is usable has this id: the same text by address
    /// (the floor holds its id, so an equal address is the same text), else compared.
    #[inline]
    pub(super) fn has_id(&self, i: usize, id: &crate::AgentId) -> bool {
        let key = &self.keys[i];
        let at = key.text_at as usize;
        key.flags & PRESENT != 0
            && (key.id_addr == id.addr()
                || same_text(&self.text[at..at + usize::from(key.id_len)], id.as_str().as_bytes()))
    }

    /// Whether the agent at place `i` shares its id's text with `agent`, by address alone (a
    /// hint: false for a stale or vacant place).
    #[inline]
    pub(super) fn shares_id(&self, i: usize, agent: &Agent) -> bool {
        self.keys.get(i).is_some_and(|key| key.id_addr == agent.id.addr())
    }

    /// Whether the agent at a place whose key is usable, and whose id is `agent`'s, is as
    /// `agent` says, exactly: state and its start (`since`, when the snapshot says), voice
    /// state, limit, chats and `load`, login, group, and skills, which are found by the address
    /// of their ids (`addr_of`, per skill index) as a sync first looks for them.
    #[inline]
    pub(super) fn unchanged(
        &self,
        i: usize,
        agent: &Agent,
        since: Option<Timestamp>,
        load: u64,
        addr_of: &[usize],
    ) -> bool {
        let key = &self.keys[i];
        let n = usize::from(key.skill_count);
        let skills = &key.skills[..n.min(SKILLS)];
        let (_, login, group) = texts(key, &self.text);
        agent.chat_state == key.state
            && since.is_none_or(|s| s == key.since)
            && agent.voice_state == key.voice
            && agent.capacity == key.capacity
            && agent.active_chats == key.active
            && load == key.load
            && agent.skills.len() == n
            && same_skills(&agent.skills, skills, addr_of)
            && match &agent.login {
                Some(l) => {
                    key.flags & LOGIN != 0
                        && (key.login_addr == l.as_ptr() as usize || same_text(l.as_bytes(), login))
                }
                None => key.flags & LOGIN == 0,
            }
            && match &agent.group {
                Some(g) => {
                    key.flags & GROUP != 0
                        && (key.group_addr == g.addr() || same_text(g.as_str().as_bytes(), group))
                }
                None => key.flags & GROUP == 0,
            }
    }

    /// Writes the key of every stale place afresh from its record and clears the marks.
    pub(super) fn refresh(&mut self, recs: &[AgentRec]) {
        if self.keys.len() < recs.len() {
            self.keys.resize(recs.len(), SyncKey::VACANT);
            self.stale.resize(recs.len().div_ceil(64), 0);
        }
        for w in 0..self.stale.len() {
            let mut bits = std::mem::take(&mut self.stale[w]);
            while bits != 0 {
                let i = w * 64 + bits.trailing_zeros() as usize;
                bits &= bits - 1;
                let Some(rec) = recs.get(i) else { continue };
                let old = self.keys[i];
                self.keys[i] = self.key_of(rec, Some(&old));
            }
        }
        // Texts left behind by agents gone or renamed: written anew in place order once they
        // are as many as the texts in use, so that the cost stays in proportion to the changes.
        if self.garbage > self.text.len() / 2 {
            self.text.clear();
            self.garbage = 0;
            for (i, rec) in recs.iter().enumerate() {
                self.keys[i] = self.key_of(rec, None);
            }
        }
    }

    /// The key of a record; its texts where `old` has them, if it has the same, else appended.
    fn key_of(&mut self, rec: &AgentRec, old: Option<&SyncKey>) -> SyncKey {
        if !rec.present {
            if let Some(old) = old {
                self.drop_texts(old);
            }
            return SyncKey::VACANT;
        }
        let id = rec.id.as_str().as_bytes();
        let login = rec.login.as_deref().map(str::as_bytes);
        let group = rec.group.as_ref().map(|g| g.as_str().as_bytes());
        let lens = (
            u16::try_from(id.len()).ok(),
            u16::try_from(login.map_or(0, <[u8]>::len)).ok(),
            u16::try_from(group.map_or(0, <[u8]>::len)).ok(),
        );
        let mut key = SyncKey {
            id_addr: rec.id.addr(),
            login_addr: rec.login.as_ref().map_or(0, |l| l.as_ptr() as usize),
            group_addr: rec.group.as_ref().map_or(0, |g| g.addr()),
            since: rec.state_since,
            load: rec.load,
            capacity: rec.capacity,
            active: rec.active,
            state: rec.chat_state,
            voice: rec.voice_state,
            flags: PRESENT
                | if login.is_some() { LOGIN } else { 0 }
                | if group.is_some() { GROUP } else { 0 },
            skill_count: u8::try_from(rec.skills.len()).unwrap_or(u8::MAX),
            ..SyncKey::VACANT
        };
        let (Some(id_len), Some(login_len), Some(group_len)) = lens else {
            if let Some(old) = old {
                self.drop_texts(old);
            }
            return key;
        };
        if rec.skills.len() > SKILLS {
            if let Some(old) = old {
                self.drop_texts(old);
            }
            return key;
        }
        key.skills[..rec.skills.len()].copy_from_slice(&rec.skills);
        (key.id_len, key.login_len, key.group_len) = (id_len, login_len, group_len);
        let (login, group) = (login.unwrap_or_default(), group.unwrap_or_default());
        let kept = old.filter(|o| o.flags & COMPLETE != 0).is_some_and(|o| {
            let (i, l, g) = texts(o, &self.text);
            same_text(i, id) && same_text(l, login) && same_text(g, group)
        });
        if let Some(o) = old.filter(|_| kept) {
            key.text_at = o.text_at;
        } else {
            if let Some(old) = old {
                self.drop_texts(old);
            }
            let Ok(at) = u32::try_from(self.text.len()) else { return key };
            let len = id.len() + login.len() + group.len();
            if u32::try_from(self.text.len() + len).is_err() {
                return key;
            }
            key.text_at = at;
            self.text.extend_from_slice(id);
            self.text.extend_from_slice(login);
            self.text.extend_from_slice(group);
        }
        key.flags |= COMPLETE;
        key
    }

    /// Counts the texts of a key being replaced as garbage.
    fn drop_texts(&mut self, old: &SyncKey) {
        if old.flags & COMPLETE != 0 {
            self.garbage += usize::from(old.id_len) + usize::from(old.login_len) + usize::from(old.group_len);
        }
    }
}

// A key is 88 bytes on 64-bit targets: what a sync streams per place (the docs say so).
#[cfg(target_pointer_width = "64")]
const _: () = assert!(std::mem::size_of::<SyncKey>() == 88);
