//! The queueing models, a column of arguments at a time: `chatcap.erlang_c` and its siblings
//! broadcast their arguments in Python and call these with one list per argument.

use chatcap_answers::{
    Answer, AnswerError, ChatModelArgs, ErlangAArgs, ErlangCArgs, Naming, StaffArgs, chat_model, erlang_a,
    erlang_c, staff,
};
use pyo3::prelude::*;
use pyo3::types::PyList;
use serde::Serialize;

use crate::errors::{input_error, warn};

const KEYWORDS: Naming = Naming::Keywords;

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(erlang_c_rows, m)?)?;
    m.add_function(wrap_pyfunction!(erlang_a_rows, m)?)?;
    m.add_function(wrap_pyfunction!(chat_model_rows, m)?)?;
    m.add_function(wrap_pyfunction!(staff_rows, m)?)?;
    Ok(())
}

/// A message about row `i` of `n`: as it is for a single call.
fn row_message(i: usize, n: usize, message: &str) -> String {
    if n == 1 { message.to_owned() } else { format!("row {i}: {message}") }
}

/// Answers every row with the interpreter released, then converts them to dicts; the first
/// row without an answer raises `InputError`, and each warning is a `ChatcapWarning`.
fn rows<'py, A, T, F>(py: Python<'py>, args: Vec<A>, answer: F) -> PyResult<Bound<'py, PyList>>
where
    A: Send + Sync,
    T: Serialize + Send,
    F: Fn(&A) -> Result<Answer<T>, AnswerError> + Send + Sync,
{
    let n = args.len();
    let answers: Vec<Result<Answer<T>, AnswerError>> = py.detach(|| args.iter().map(&answer).collect());
    let out = PyList::empty(py);
    for (i, a) in answers.into_iter().enumerate() {
        match a {
            Ok(a) => {
                if let Some(w) = &a.warning {
                    warn(py, &row_message(i, n, w))?;
                }
                out.append(pythonize::pythonize(py, &a.value)?)?;
            }
            Err(e) => return Err(input_error(row_message(i, n, &e.to_string()))),
        }
    }
    Ok(out)
}

fn same_length(lengths: &[usize]) -> PyResult<usize> {
    let n = lengths.first().copied().unwrap_or(0);
    if lengths.iter().any(|&l| l != n) {
        return Err(input_error(format!("argument columns of different lengths: {lengths:?}")));
    }
    Ok(n)
}

fn plain<T>(r: Result<T, AnswerError>) -> Result<Answer<T>, AnswerError> {
    r.map(|value| Answer { value, warning: None })
}

/// Erlang C for each row of the columns.
#[pyfunction]
fn erlang_c_rows<'py>(
    py: Python<'py>,
    arrivals_per_hour: Vec<f64>,
    aht_s: Vec<f64>,
    agents: Vec<f64>,
    target_s: Vec<f64>,
) -> PyResult<Bound<'py, PyList>> {
    let n = same_length(&[arrivals_per_hour.len(), aht_s.len(), agents.len(), target_s.len()])?;
    let args: Vec<ErlangCArgs> = (0..n)
        .map(|i| ErlangCArgs {
            arrivals_per_hour: arrivals_per_hour[i],
            aht_s: aht_s[i],
            agents: agents[i],
            target_s: target_s[i],
        })
        .collect();
    rows(py, args, |a| plain(erlang_c(a, KEYWORDS)))
}

/// Erlang A for each row of the columns.
#[pyfunction]
fn erlang_a_rows<'py>(
    py: Python<'py>,
    arrivals_per_hour: Vec<f64>,
    aht_s: Vec<f64>,
    agents: Vec<f64>,
    target_s: Vec<f64>,
    patience_s: Vec<f64>,
) -> PyResult<Bound<'py, PyList>> {
    let n =
        same_length(&[arrivals_per_hour.len(), aht_s.len(), agents.len(), target_s.len(), patience_s.len()])?;
    let args: Vec<ErlangAArgs> = (0..n)
        .map(|i| ErlangAArgs {
            load: ErlangCArgs {
                arrivals_per_hour: arrivals_per_hour[i],
                aht_s: aht_s[i],
                agents: agents[i],
                target_s: target_s[i],
            },
            patience_s: patience_s[i],
        })
        .collect();
    rows(py, args, |a| plain(erlang_a(a, KEYWORDS)))
}

/// The chat model for each row of the columns.
#[pyfunction]
fn chat_model_rows<'py>(
    py: Python<'py>,
    agents: Vec<f64>,
    max_chats: Vec<f64>,
    aht_by_concurrency: Vec<Vec<f64>>,
    arrivals_per_hour: Vec<f64>,
    target_s: Vec<f64>,
    patience_s: Vec<Option<f64>>,
) -> PyResult<Bound<'py, PyList>> {
    let n = same_length(&[
        agents.len(),
        max_chats.len(),
        aht_by_concurrency.len(),
        arrivals_per_hour.len(),
        target_s.len(),
        patience_s.len(),
    ])?;
    let args: Vec<ChatModelArgs> = (0..n)
        .map(|i| ChatModelArgs {
            agents: agents[i],
            max_chats: max_chats[i],
            aht_by_concurrency: aht_by_concurrency[i].clone(),
            arrivals_per_hour: arrivals_per_hour[i],
            patience_s: patience_s[i],
            target_s: target_s[i],
        })
        .collect();
    rows(py, args, |a| chat_model(a, KEYWORDS))
}

/// The staffing search for each row of the columns. A row with handle times per concurrency
/// level staffs with the chat model.
#[pyfunction]
#[allow(clippy::too_many_arguments)] // one column per argument of `chatcap.staff`
fn staff_rows<'py>(
    py: Python<'py>,
    arrivals_per_hour: Vec<f64>,
    aht_s: Vec<f64>,
    target_s: Vec<f64>,
    service_level: Vec<f64>,
    patience_s: Vec<Option<f64>>,
    max_occupancy: Vec<Option<f64>>,
    max_chats: Vec<f64>,
    aht_by_concurrency: Vec<Option<Vec<f64>>>,
) -> PyResult<Bound<'py, PyList>> {
    let n = same_length(&[
        arrivals_per_hour.len(),
        aht_s.len(),
        target_s.len(),
        service_level.len(),
        patience_s.len(),
        max_occupancy.len(),
        max_chats.len(),
        aht_by_concurrency.len(),
    ])?;
    let mut args = Vec::with_capacity(n);
    for i in 0..n {
        let chat = match &aht_by_concurrency[i] {
            Some(levels) => Some((max_chats[i], levels.clone())),
            None if max_chats[i] == 1.0 => None,
            None => {
                return Err(input_error(row_message(
                    i,
                    n,
                    &format!(
                        "max_chats {} needs aht_by_concurrency, one handle time per level",
                        chatcap_answers::num(max_chats[i])
                    ),
                )));
            }
        };
        args.push(StaffArgs {
            arrivals_per_hour: arrivals_per_hour[i],
            aht_s: aht_s[i],
            target_s: target_s[i],
            service_level: service_level[i],
            max_occupancy: max_occupancy[i],
            patience_s: patience_s[i],
            chat,
        });
    }
    rows(py, args, |a| staff(a, KEYWORDS))
}
