//! The answers chatcap's shells give, built once: `chatcap erlang-c --json` and the Python
//! package's `chatcap.erlang_c` are the same [`ErlangCAnswer`], checked by the same code with
//! the same messages.
//!
//! Like the core, this crate performs no IO and never reads the clock: a shell parses its
//! arguments into plain numbers, calls a function here, and prints or converts the answer (a
//! `serde::Serialize` value) and its warning. Messages name each argument as the shell spells
//! it ([`Naming`]): `--agent-count` on the command line, `agents` in Python.
//!
//! # Examples
//!
//! ```
//! use chatcap_answers::{ErlangCArgs, Naming, erlang_c};
//!
//! // 200 chats an hour of 180 s on 14 agents, target 20 s: 10 Erlangs.
//! let args = ErlangCArgs { arrivals_per_hour: 200.0, aht_s: 180.0, agents: 14.0, target_s: 20.0 };
//! let answer = erlang_c(&args, Naming::Keywords)?;
//! assert!((answer.occupancy - 10.0 / 14.0).abs() < 1e-12);
//!
//! let bad = ErlangCArgs { agents: 2.5, ..args };
//! let err = erlang_c(&bad, Naming::Flags).unwrap_err();
//! assert_eq!(err.to_string(), "--agent-count must be a whole number from 1 to 4294967295, got 2.5");
//! assert!(erlang_c(&bad, Naming::Keywords).unwrap_err().to_string().starts_with("agents must be"));
//! # Ok::<(), chatcap_answers::AnswerError>(())
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod args;
mod estimates;
mod payload;
mod slots;
mod transfer;

pub use args::{Naming, Param, num};
pub use estimates::{
    Answer, ChatModelAnswer, ChatModelArgs, ErlangAAnswer, ErlangAArgs, ErlangCAnswer, ErlangCArgs,
    StaffAnswer, StaffArgs, chat_model, erlang_a, erlang_c, staff,
};
pub use payload::{Payload, load_floor, read_payloads};
pub use slots::{SlotsQuery, handle_time, max_wait};
pub use transfer::{TransferAnswer, TransferArgs, TransferCandidate, TransferExcluded, transfer};

use chatcap_core::{LookupError, QueueingError};

/// Why a shell's request has no answer.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AnswerError {
    /// An argument is out of range or malformed; the message names it as the shell spells it.
    #[error("{0}")]
    Argument(String),
    /// A queueing model rejected its inputs (an Erlang C queue that would grow without bound,
    /// a model past its size limits).
    #[error(transparent)]
    Queueing(#[from] QueueingError),
    /// The floor does not hold the agent a query names (by id or login).
    #[error(transparent)]
    Lookup(#[from] LookupError),
    /// A vendor payload could not be read.
    #[error(transparent)]
    Payload(#[from] chatcap_adapter::AdapterError),
}
