//! Vendor payloads into a floor, whichever vendor sent them.

use chatcap_adapter::comm100::Comm100Options;
use chatcap_adapter::{Ingest, Warning, read_agents, read_queue};
use chatcap_core::{Capacity, Floor, Timestamp};

use crate::AnswerError;

/// A payload and the name its errors and warnings give it (a file's path, or `payload`).
#[derive(Clone, Copy, Debug)]
pub struct Payload<'a> {
    /// The name.
    pub name: &'a str,
    /// The bytes, as the vendor sent them.
    pub bytes: &'a [u8],
}

/// Reads agents payloads (pages of one floor, each vendor recognised from its content) and an
/// optional queue payload into a floor taken at `now`, with the warnings of every assumption
/// made while reading them.
///
/// `comm100_zero_max_chats` is what a Comm100 agent's `maxConcurrentChats: 0` stands for.
///
/// # Examples
///
/// ```
/// use chatcap_answers::{Payload, load_floor};
/// use chatcap_core::{Capacity, Slots, Timestamp};
/// let xml = br#"<availableAgents><agents><agent id="1" chatState="2" maxChats="2"><chats>0</chats></agent></agents></availableAgents>"#;
/// let agents = [Payload { name: "a.xml", bytes: xml }];
/// let (floor, _warnings) = load_floor(&agents, None, Timestamp::EPOCH, Capacity::Limited(3))?;
/// assert_eq!(floor.slots_total(), Slots::Count(2));
/// # Ok::<(), chatcap_answers::AnswerError>(())
/// ```
///
/// # Errors
///
/// [`AnswerError::Payload`] naming the payload, the place in it and the problem.
pub fn load_floor(
    agents: &[Payload<'_>],
    queue: Option<Payload<'_>>,
    now: Timestamp,
    comm100_zero_max_chats: Capacity,
) -> Result<(Floor, Vec<Warning>), AnswerError> {
    let ingest = read_payloads(agents, queue, now, comm100_zero_max_chats)?;
    let name = agents.iter().map(|p| p.name).collect::<Vec<_>>().join(", ");
    Ok(ingest.into_floor().map_err(|e| e.with_file(name))?)
}

/// As [`load_floor`], without building the floor: the snapshot (for [`Floor::sync`]) and the
/// warnings.
///
/// # Errors
///
/// [`AnswerError::Payload`] naming the payload, the place in it and the problem.
pub fn read_payloads(
    agents: &[Payload<'_>],
    queue: Option<Payload<'_>>,
    now: Timestamp,
    comm100_zero_max_chats: Capacity,
) -> Result<Ingest, AnswerError> {
    let opts = Comm100Options { zero_max_chats: comm100_zero_max_chats, ..Comm100Options::default() };
    let files: Vec<(&str, &[u8])> = agents.iter().map(|p| (p.name, p.bytes)).collect();
    let mut ingest = read_agents(&files, now, &opts)?;
    if let Some(q) = queue {
        read_queue(q.name, q.bytes, &mut ingest)?;
    }
    Ok(ingest)
}
