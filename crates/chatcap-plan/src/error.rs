//! What can go wrong building a plan or a schedule.

use chatcap_queueing::QueueingError;
use chatcap_sim::SimError;

/// The errors of the planner and the scheduler.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PlanError {
    /// A field of an input file does not read as what its column holds.
    #[error("{file} line {line}, column {column}: expected {expected}, found {found:?}")]
    Field {
        /// The kind of file (`forecast`, `requirements`).
        file: &'static str,
        /// The line, from 1.
        line: usize,
        /// The column's name in the header.
        column: String,
        /// What the column holds.
        expected: String,
        /// The text found.
        found: String,
    },
    /// A line of an input file is wrong as a whole (its number of fields, a duplicate, a gap).
    #[error("{file} line {line}: {problem}")]
    Line {
        /// The kind of file.
        file: &'static str,
        /// The line, from 1.
        line: usize,
        /// What is wrong and what is expected.
        problem: String,
    },
    /// An input file is wrong as a whole (no rows, a missing column, inconsistent intervals).
    #[error("{file}: {problem}")]
    File {
        /// The kind of file.
        file: &'static str,
        /// What is wrong and what is expected.
        problem: String,
    },
    /// An input is larger than the planner takes.
    #[error("{what}: {found} is more than the {limit} allowed")]
    TooLarge {
        /// What is counted.
        what: &'static str,
        /// How many were given.
        found: usize,
        /// The most allowed.
        limit: usize,
    },
    /// A setting is out of range.
    #[error("{setting} {problem}")]
    Setting {
        /// The setting, as the command line spells it (`--shrinkage`).
        setting: &'static str,
        /// What is wrong and what is expected.
        problem: String,
    },
    /// A queueing model rejected one interval's inputs or found no staffing for them.
    #[error("skill {skill}, interval {interval}: {source}")]
    Staffing {
        /// The skill.
        skill: String,
        /// The interval's start, as the forecast gives it.
        interval: String,
        /// The model's error.
        source: QueueingError,
    },
    /// The simulator rejected a day built for it.
    #[error("skill {skill}: simulation: {source}")]
    Simulation {
        /// The skill.
        skill: String,
        /// The simulator's error.
        source: SimError,
    },
    /// The shift file does not read.
    #[error("shifts{}: {problem}", at.map_or(String::new(), |(line, column)| format!(" line {line}, column {column}")))]
    Shifts {
        /// The line and column, from 1, where the problem is, if it has one place.
        at: Option<(usize, usize)>,
        /// What is wrong.
        problem: String,
    },
    /// The integer program's solver failed (not for infeasibility, which slack absorbs).
    #[error("the scheduling solver failed: {reason}")]
    Solver {
        /// The solver's message.
        reason: String,
    },
}
