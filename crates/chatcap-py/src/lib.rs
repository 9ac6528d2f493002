//! `chatcap._chatcap`: the native module of the Python package `chatcap`.
//!
//! A shell like the command line: it converts Python arguments, calls `chatcap-answers`, the
//! core, the adapter and the simulator, and converts the answers back. Every call that computes
//! runs with the interpreter released (`Python::detach`), so Python threads (a sweep's, a web
//! server's) run alongside. The public API, its vectorization and its docs are in
//! `python/chatcap/__init__.py`; the types of this module are in `python/chatcap/_chatcap.pyi`.

mod errors;
mod estimates;
mod floor;
mod study;

use pyo3::prelude::*;

/// The native module.
#[pymodule]
fn _chatcap(m: &Bound<'_, PyModule>) -> PyResult<()> {
    errors::register(m)?;
    estimates::register(m)?;
    m.add_class::<floor::Floor>()?;
    m.add_class::<study::Study>()?;
    m.add_class::<study::Report>()?;
    m.add_function(wrap_pyfunction!(study::sweep_task, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
