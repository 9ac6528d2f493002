//! The package's exceptions and warnings, and the conversion of every crate's errors to them.

use std::ffi::CString;

use chatcap_answers::AnswerError;
use chatcap_sim::SimError;
use pyo3::exceptions::{PyException, PyUserWarning, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyTuple, PyType};

static CHATCAP_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static INPUT_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static CHATCAP_WARNING: PyOnceLock<Py<PyType>> = PyOnceLock::new();

/// A class made as a `class` statement would: `type(name, bases, {"__module__": "chatcap", ...})`,
/// so that it pickles as `chatcap.NAME` (InputError is also a ValueError, which PyO3's
/// `create_exception!` cannot express).
fn class<'py>(py: Python<'py>, name: &str, bases: &[Bound<'py, PyType>], doc: &str) -> PyResult<Py<PyType>> {
    let ns = PyDict::new(py);
    ns.set_item("__module__", "chatcap")?;
    ns.set_item("__doc__", doc)?;
    let bases = PyTuple::new(py, bases)?;
    let ty = py.get_type::<PyType>().call1((name, bases, ns))?;
    Ok(ty.cast_into::<PyType>()?.unbind())
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    let base = CHATCAP_ERROR.get_or_try_init(py, || {
        class(py, "ChatcapError", &[py.get_type::<PyException>()], "Every error chatcap raises.")
    })?;
    let input = INPUT_ERROR.get_or_try_init(py, || {
        class(
            py,
            "InputError",
            &[base.bind(py).clone(), py.get_type::<PyValueError>()],
            "An argument, a payload or a scenario file chatcap cannot use; the message says which and why.",
        )
    })?;
    let warning = CHATCAP_WARNING.get_or_try_init(py, || {
        class(
            py,
            "ChatcapWarning",
            &[py.get_type::<PyUserWarning>()],
            "A caveat about an answer (an assumption made reading a payload, an approximation without an error bound).",
        )
    })?;
    m.add("ChatcapError", base.bind(py))?;
    m.add("InputError", input.bind(py))?;
    m.add("ChatcapWarning", warning.bind(py))?;
    Ok(())
}

/// `chatcap.InputError(message)`.
pub(crate) fn input_error(message: impl Into<String>) -> PyErr {
    Python::attach(|py| match INPUT_ERROR.get(py) {
        Some(ty) => PyErr::from_type(ty.bind(py).clone(), message.into()),
        None => PyValueError::new_err(message.into()),
    })
}

/// `chatcap.ChatcapError(message)`.
pub(crate) fn chatcap_error(message: impl Into<String>) -> PyErr {
    Python::attach(|py| match CHATCAP_ERROR.get(py) {
        Some(ty) => PyErr::from_type(ty.bind(py).clone(), message.into()),
        None => PyException::new_err(message.into()),
    })
}

/// Issues a `chatcap.ChatcapWarning` pointing at the caller's caller (the user's line, past the
/// package's Python wrapper).
pub(crate) fn warn(py: Python<'_>, message: &str) -> PyResult<()> {
    let Some(ty) = CHATCAP_WARNING.get(py) else { return Ok(()) };
    let text = CString::new(message.replace('\0', " ")).unwrap_or_default();
    PyErr::warn(py, ty.bind(py).as_any(), &text, 2)
}

/// An answer's error as the exception a Python caller expects.
pub(crate) fn answer_error(e: AnswerError) -> PyErr {
    input_error(e.to_string())
}

/// A simulation's error: bad scenarios are input errors; a thread pool that cannot start is not.
/// The message starts with `prefix`.
pub(crate) fn sim_error(prefix: &str, e: SimError) -> PyErr {
    let message = format!("{prefix}{e}");
    match e {
        SimError::Threads { .. } => chatcap_error(message),
        _ => input_error(message),
    }
}
