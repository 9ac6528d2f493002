//! Vendor payloads in, [`chatcap_core`] snapshots out; core answers out, in vendor shapes.
//!
//! The contract: this crate reads bytes it is given and performs no other IO; it never reads
//! the clock (the snapshot time is passed in); it never panics, whatever the bytes. Every
//! vendor quirk is absorbed here, once: the `-1` that means unlimited, the `-1` that means no
//! data, chat states `"1"`..`"4"`, Comm100 status GUIDs, numbers sent as strings, one item sent
//! as a bare value instead of a list. The core sees only typed values.
//!
//! The agents of one reading (a payload, or pages read together) share one id per skill and one
//! list per set of skills: a large poll stays small, a floor built from it is built faster,
//! and a floor synced to it compares skills by address.
//!
//! A conversion that loses information or rests on an assumption (a missing `chats` field
//! counted as 0, a Comm100 status GUID read through the default table) is returned as a
//! [`Warning`] next to the snapshot, never made silently. Input that cannot be read is an
//! [`AdapterError`] naming the file, the path inside the document (for example
//! `availableAgents.agents.agent[3].@maxChats`), the line and column, and what was expected.
//!
//! | vendor payload | read with | gives |
//! | --- | --- | --- |
//! | LivePerson `availableAgents` (JSON, XML) | [`liveperson::available_agents_json`], [`liveperson::available_agents_xml`] | [`Ingest`] |
//! | LivePerson agent `info`, `availability` | [`liveperson::agent_info_json`], [`liveperson::availability_json`] | [`Ingest`], states |
//! | LivePerson `availableSlots` | [`liveperson::available_slots_json`] | [`Slots`](chatcap_core::Slots) |
//! | Operations `queuestate` v1/v2 | [`liveperson::queue_state_json`] | [`liveperson::QueueStateReport`] |
//! | Comm100 `realTime/Agents` (pages) | [`comm100::agents_json`], [`comm100::agents_pages`] | [`Ingest`] |
//! | Comm100 `realTime/Queue`, `Today`, `RightNow` | [`comm100::queue_json`], [`comm100::today_json`], [`comm100::right_now_json`] | typed reports |
//!
//! Answers go back out with [`liveperson::render_available_slots`] and
//! [`liveperson::render_queue_state`]. [`detect()`] recognises a payload from its content.
//!
//! # Examples
//!
//! ```
//! use chatcap_adapter::liveperson;
//! use chatcap_core::{Slots, Timestamp};
//!
//! let payload = br#"{"availableAgents": {"agents": {"agent": {
//!     "@id": "7", "@chatState": "2", "@maxChats": "3", "userName": "ann",
//!     "skills": {"skill": "25975313"}, "chats": "1", "elapsedTimeInState": "5000"}}}}"#;
//! let ingest = liveperson::available_agents_json(payload, Timestamp::from_millis(0))?;
//! assert!(ingest.warnings.is_empty());
//! let (floor, _warnings) = ingest.into_floor()?;
//! assert_eq!(floor.slots("25975313")?, Slots::Count(2)); // 3 chats allowed, 1 held
//! assert_eq!(liveperson::render_available_slots(floor.slots("25975313")?), r#"{"availableSlots":2}"#);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod de;
mod detect;
mod error;
mod ingest;
mod xml;

pub mod comm100;
pub mod liveperson;

pub use detect::{Format, detect, read_agents, read_queue};
pub use error::{AdapterError, Location};
pub use ingest::{Ingest, Warning, WarningKind};
