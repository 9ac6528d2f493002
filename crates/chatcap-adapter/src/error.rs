//! The adapter's one error type, and where in the input an error or warning points.

use std::fmt;

use chatcap_core::SnapshotError;

/// Where in an input a problem lies: the file (when known), the path inside the document and,
/// for syntax and type errors, the line and column.
///
/// Paths are written as the document spells them, with `@` for attributes and `[i]` for list
/// items counted from 0: `availableAgents.agents.agent[3].@maxChats`. The XML form uses the
/// same path, so one message fits both encodings.
///
/// # Examples
///
/// ```
/// use chatcap_adapter::Location;
/// let at = Location::path("availableAgents.agents.agent[3].@maxChats").with_line_column(12, 20);
/// assert_eq!(at.to_string(), "availableAgents.agents.agent[3].@maxChats (line 12, column 20)");
/// assert_eq!(at.with_file("agents.json").to_string(),
///            "agents.json: availableAgents.agents.agent[3].@maxChats (line 12, column 20)");
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Location {
    /// The file name, when the caller gave one.
    pub file: Option<String>,
    /// The path inside the document; empty for the document itself.
    pub path: String,
    /// The line (from 1), when known.
    pub line: Option<usize>,
    /// The column (from 1), when known.
    pub column: Option<usize>,
}

impl Location {
    /// A location with only a path.
    pub fn path(path: impl Into<String>) -> Self {
        Self { path: path.into(), ..Self::default() }
    }

    /// Adds a line and column.
    pub fn with_line_column(mut self, line: usize, column: usize) -> Self {
        self.line = Some(line);
        self.column = Some(column);
        self
    }

    /// Adds a file name.
    pub fn with_file(mut self, file: impl Into<String>) -> Self {
        self.file = Some(file.into());
        self
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut sep = "";
        if let Some(file) = &self.file {
            f.write_str(file)?;
            sep = ": ";
        }
        let path = if self.path.is_empty() { "document root" } else { self.path.as_str() };
        write!(f, "{sep}{path}")?;
        match (self.line, self.column) {
            // Column 0: the parser stopped at a line break (the end of the input, often).
            (Some(line), Some(0)) => write!(f, " (line {line})")?,
            (Some(line), Some(column)) => write!(f, " (line {line}, column {column})")?,
            _ => {}
        }
        Ok(())
    }
}

/// What went wrong reading a vendor payload.
///
/// Every message names the file (once [`AdapterError::with_file`] gave it), the path inside the
/// document, the line and column where the parser knows them, and what was expected.
///
/// # Examples
///
/// ```
/// use chatcap_adapter::{liveperson, Ingest};
/// use chatcap_core::Timestamp;
/// let bytes = br#"{"availableAgents":{"agents":{"agent":[{"@id":"1","@maxChats":"many"}]}}}"#;
/// let err = liveperson::available_agents_json(bytes, Timestamp::EPOCH).unwrap_err().with_file("a.json");
/// assert!(err.to_string().starts_with(
///     "a.json: availableAgents.agents.agent[0].@maxChats (line 1, column 68): "), "{err}");
/// ```
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum AdapterError {
    /// The bytes are not well-formed JSON, or a field has the wrong type.
    #[error("{at}: {message}")]
    Json {
        /// Where.
        at: Location,
        /// What the parser expected and found.
        message: String,
    },
    /// The bytes are not well-formed XML, or an element or attribute has the wrong form.
    #[error("{at}: {message}")]
    Xml {
        /// Where.
        at: Location,
        /// What the parser expected and found.
        message: String,
    },
    /// A value is well-formed but cannot be used (a negative chat count, a limit below -1).
    #[error("{at}: {message}")]
    Invalid {
        /// Where.
        at: Location,
        /// What was found and what was expected.
        message: String,
    },
    /// The content matches no payload this adapter reads.
    #[error("{at}: {message}")]
    UnknownFormat {
        /// Where (the document root).
        at: Location,
        /// What was found and what is accepted.
        message: String,
    },
    /// Pages of a paginated response do not fit together.
    #[error("{at}: {message}")]
    Pages {
        /// Where.
        at: Location,
        /// What does not fit.
        message: String,
    },
    /// The converted snapshot breaks a rule of the core model (a visitor waiting for a skill the
    /// floor does not define, two agents of hand-merged readings sharing an id).
    ///
    /// The message holds the core's complaint, once: the error has no separate
    /// [`source`](std::error::Error::source), so that a printer of error chains does not repeat it.
    #[error("{}{error}", model_prefix(at))]
    Model {
        /// Where (the file, when known).
        at: Location,
        /// The core's complaint (boxed: it is the largest variant).
        error: Box<SnapshotError>,
    },
}

/// What a [`AdapterError::Model`] message starts with: the location when there is one (a model
/// error belongs to the whole snapshot, not to the document root).
fn model_prefix(at: &Location) -> String {
    match (&at.file, at.path.is_empty()) {
        (None, true) => String::new(),
        (Some(file), true) => format!("{file}: "),
        (_, false) => format!("{at}: "),
    }
}

impl AdapterError {
    /// Where the error lies.
    pub fn location(&self) -> &Location {
        match self {
            AdapterError::Json { at, .. }
            | AdapterError::Xml { at, .. }
            | AdapterError::Invalid { at, .. }
            | AdapterError::UnknownFormat { at, .. }
            | AdapterError::Pages { at, .. }
            | AdapterError::Model { at, .. } => at,
        }
    }

    /// Names the file the error was found in; the message then starts with it.
    ///
    /// # Examples
    ///
    /// ```
    /// use chatcap_adapter::{AdapterError, Location};
    /// let e = AdapterError::Invalid { at: Location::path("x"), message: "bad".into() };
    /// assert_eq!(e.with_file("f.json").to_string(), "f.json: x: bad");
    /// ```
    pub fn with_file(mut self, file: impl Into<String>) -> Self {
        let at = match &mut self {
            AdapterError::Json { at, .. }
            | AdapterError::Xml { at, .. }
            | AdapterError::Invalid { at, .. }
            | AdapterError::UnknownFormat { at, .. }
            | AdapterError::Pages { at, .. }
            | AdapterError::Model { at, .. } => at,
        };
        at.file = Some(file.into());
        self
    }

    pub(crate) fn invalid(path: impl Into<String>, message: impl Into<String>) -> Self {
        AdapterError::Invalid { at: Location::path(path), message: message.into() }
    }
}
