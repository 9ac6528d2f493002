//! `chatcap.Study` and `chatcap.Report`: scenario files, their simulation, and one task of a
//! sweep. Both pickle (a study as its text and settings, a report as its values), so executors
//! with process workers carry them.

use chatcap_core::Capacity;
use chatcap_sim::{RunConfig, Setting, Study as SimStudy, simulate};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::errors::{input_error, sim_error};

/// The largest scenario file read, as on the command line.
const MAX_SCENARIO_BYTES: u64 = 64 * 1024 * 1024;

/// The setting keys, for messages.
const KEYS: &str = "agents.GROUP, traffic_scale, aht_scale, max_chats, routing, patience_s or target_s";

/// One setting from Python: the simulator's, and its value as recorded in reports.
fn setting(key: &str, value: &Bound<'_, PyAny>) -> PyResult<(Setting, Value)> {
    let expected = |what: &str| input_error(format!("setting {key}: expected {what}, got {value}"));
    let float = || -> PyResult<f64> {
        if value.is_instance_of::<pyo3::types::PyBool>() {
            return Err(expected("a number"));
        }
        value.extract::<f64>().map_err(|_| expected("a number"))
    };
    let number = |x: f64| serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number);
    if let Some(group) = key.strip_prefix("agents.") {
        let count: usize = value.extract().map_err(|_| expected("a whole number of agents of at least 0"))?;
        return Ok((Setting::AgentCount { group: group.to_owned(), count }, Value::from(count)));
    }
    Ok(match key {
        "traffic_scale" => {
            let f = float()?;
            (Setting::TrafficScale(f), number(f))
        }
        "aht_scale" => {
            let f = float()?;
            (Setting::AhtScale(f), number(f))
        }
        "patience_s" => {
            let f = float()?;
            (Setting::PatienceS(f), number(f))
        }
        "target_s" => {
            let f = float()?;
            (Setting::TargetS(f), number(f))
        }
        "routing" => {
            let rule: String = value.extract().map_err(|_| expected("a routing rule's name"))?;
            (Setting::Routing(rule.clone()), Value::from(rule))
        }
        "max_chats" => match value.extract::<String>() {
            Ok(s) if s == "unlimited" => (Setting::MaxChats(Capacity::Unlimited), Value::from(s)),
            Ok(_) => return Err(expected("a whole number of chats or \"unlimited\"")),
            Err(_) => {
                let n: u32 =
                    value.extract().map_err(|_| expected("a whole number of chats or \"unlimited\""))?;
                (Setting::MaxChats(Capacity::Limited(n)), Value::from(n))
            }
        },
        _ => return Err(input_error(format!("unknown setting {key:?}; the settings are {KEYS}"))),
    })
}

/// A recorded setting back to Python's value for it, and to the simulator's.
fn recorded(py: Python<'_>, key: &str, value: &Value) -> PyResult<(Setting, Value)> {
    let obj = pythonize::pythonize(py, value)?;
    setting(key, &obj)
}

/// How a setting reads in a variation's name: `agents.sales=8`.
fn label(settings: &[(String, Value)]) -> String {
    let parts: Vec<String> = settings
        .iter()
        .map(|(k, v)| match v {
            Value::String(s) => format!("{k}={s}"),
            other => format!("{k}={other}"),
        })
        .collect();
    if parts.is_empty() { "base".to_owned() } else { parts.join(", ") }
}

/// A scenario file (TOML), read and checked: its base scenario and variations.
#[pyclass(module = "chatcap", frozen)]
pub(crate) struct Study {
    text: String,
    settings: Vec<(String, Value)>,
    study: SimStudy,
}

impl Study {
    fn build(py: Python<'_>, text: String, settings: Vec<(String, Value)>) -> PyResult<Study> {
        let sim: Vec<Setting> =
            settings.iter().map(|(k, v)| recorded(py, k, v).map(|(s, _)| s)).collect::<PyResult<_>>()?;
        let study = py.detach(|| SimStudy::from_toml_with(&text, &sim)).map_err(|e| sim_error("", e))?;
        Ok(Study { text, settings, study })
    }

    fn with_pairs(&self, py: Python<'_>, pairs: &[(String, Bound<'_, PyAny>)]) -> PyResult<Study> {
        let mut settings = self.settings.clone();
        for (key, value) in pairs {
            let (_, v) = setting(key, value)?;
            // A later value of the same key replaces the earlier one.
            settings.retain(|(k, _)| k != key);
            settings.push((key.clone(), v));
        }
        Study::build(py, self.text.clone(), settings)
    }

    fn run(
        &self,
        py: Python<'_>,
        names: Option<&[String]>,
        config: RunConfig,
        rename: Option<String>,
    ) -> PyResult<Report> {
        if let Some(names) = names {
            for n in names {
                if !self.study.scenarios.iter().any(|(name, _)| name == n) {
                    let known: Vec<&str> = self.study.scenarios.iter().map(|(n, _)| n.as_str()).collect();
                    return Err(input_error(format!(
                        "variation {n:?} is not in the study; its variations: {}",
                        known.join(", ")
                    )));
                }
            }
        }
        let chosen: Vec<&(String, chatcap_sim::Scenario)> = self
            .study
            .scenarios
            .iter()
            .filter(|(name, _)| names.is_none_or(|ns| ns.iter().any(|n| n == name)))
            .collect();
        let results = py.detach(|| {
            chosen
                .iter()
                .map(|(name, sc)| {
                    simulate(sc, &config)
                        .map(|report| Variation {
                            name: rename.clone().unwrap_or_else(|| name.clone()),
                            settings: self.settings.clone(),
                            interval_s: sc.interval_s,
                            warmup_s: sc.warmup_s,
                            report,
                        })
                        .map_err(|e| (name.clone(), e))
                })
                .collect::<Result<Vec<_>, _>>()
        });
        results
            .map(|variations| Report { variations })
            .map_err(|(name, e)| sim_error(&format!("variation {name:?}: "), e))
    }
}

fn config(replications: usize, seed: u64, threads: Option<usize>) -> PyResult<RunConfig> {
    if threads == Some(0) {
        return Err(input_error("threads must be at least 1, or None for one per core"));
    }
    Ok(RunConfig { replications, seed, threads })
}

#[pymethods]
impl Study {
    /// Reads a scenario file's text.
    #[staticmethod]
    fn from_toml(py: Python<'_>, text: String) -> PyResult<Study> {
        Study::build(py, text, Vec::new())
    }

    /// Reads a scenario file.
    #[staticmethod]
    fn from_file(py: Python<'_>, path: std::path::PathBuf) -> PyResult<Study> {
        use std::io::Read as _;
        let shown = path.display().to_string();
        let mut bytes = Vec::new();
        std::fs::File::open(&path)
            .and_then(|f| f.take(MAX_SCENARIO_BYTES + 1).read_to_end(&mut bytes))
            .map_err(|e| input_error(format!("{shown}: cannot read the scenario file: {e}")))?;
        if bytes.len() as u64 > MAX_SCENARIO_BYTES {
            return Err(input_error(format!(
                "{shown}: larger than 64 MiB, the most a scenario file may hold"
            )));
        }
        let text =
            String::from_utf8(bytes).map_err(|e| input_error(format!("{shown}: not UTF-8 text: {e}")))?;
        let study =
            py.detach(|| SimStudy::from_toml(&text)).map_err(|e| input_error(format!("{shown}: {e}")))?;
        Ok(Study { text, settings: Vec::new(), study })
    }

    /// The same file with values changed: `{"agents.sales": 10, "traffic_scale": 1.25}`.
    fn with_settings(&self, py: Python<'_>, settings: &Bound<'_, PyDict>) -> PyResult<Study> {
        let pairs: Vec<(String, Bound<'_, PyAny>)> = settings
            .iter()
            .map(|(k, v)| {
                Ok((k.extract::<String>().map_err(|_| input_error("setting keys are strings"))?, v))
            })
            .collect::<PyResult<_>>()?;
        self.with_pairs(py, &pairs)
    }

    /// The names of the scenarios: "base", then each variation in file order.
    #[getter]
    fn variations(&self) -> Vec<String> {
        self.study.scenarios.iter().map(|(n, _)| n.clone()).collect()
    }

    /// The settings applied to the file, in order.
    #[getter]
    fn settings<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for (k, v) in &self.settings {
            d.set_item(k, pythonize::pythonize(py, v)?)?;
        }
        Ok(d)
    }

    /// The scenario file's text.
    #[getter]
    fn text(&self) -> &str {
        &self.text
    }

    /// Simulates the base scenario and every variation (or those named).
    #[pyo3(signature = (replications=20, seed=1, threads=None, variations=None))]
    fn simulate(
        &self,
        py: Python<'_>,
        replications: usize,
        seed: u64,
        threads: Option<usize>,
        variations: Option<Vec<String>>,
    ) -> PyResult<Report> {
        self.run(py, variations.as_deref(), config(replications, seed, threads)?, None)
    }

    #[staticmethod]
    fn _restore(py: Python<'_>, text: String, settings: &Bound<'_, PyList>) -> PyResult<Study> {
        let pairs: Vec<(String, Bound<'_, PyAny>)> = settings
            .iter()
            .map(|item| item.extract::<(String, Bound<'_, PyAny>)>())
            .collect::<PyResult<_>>()?;
        Study::build(py, text, Vec::new())?.with_pairs(py, &pairs)
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        let py = slf.py();
        let this = slf.get();
        let settings = PyList::empty(py);
        for (k, v) in &this.settings {
            settings.append((k, pythonize::pythonize(py, v)?))?;
        }
        let restore = slf.get_type().getattr("_restore")?;
        PyTuple::new(
            py,
            [
                restore,
                PyTuple::new(py, [this.text.clone().into_pyobject(py)?.into_any(), settings.into_any()])?
                    .into_any(),
            ],
        )
    }

    fn __repr__(&self) -> String {
        let settings =
            if self.settings.is_empty() { String::new() } else { format!(" with {}", label(&self.settings)) };
        format!("<chatcap.Study: {}{settings}>", self.variations().join(", "))
    }
}

/// One simulated scenario of a report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Variation {
    name: String,
    settings: Vec<(String, Value)>,
    interval_s: f64,
    warmup_s: f64,
    report: chatcap_sim::Report,
}

/// The results of a study or a sweep: per variation, per skill and interval, means with 95%
/// confidence half-widths.
#[pyclass(module = "chatcap", frozen)]
pub(crate) struct Report {
    variations: Vec<Variation>,
}

impl Report {
    /// The values as JSON text: equal texts, equal reports (undefined values are null in both).
    fn text(&self) -> String {
        serde_json::to_string(&self.variations).unwrap_or_default()
    }
}

#[pymethods]
impl Report {
    /// The report as plain Python values.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let list = PyList::empty(py);
        for v in &self.variations {
            let d = PyDict::new(py);
            d.set_item("name", &v.name)?;
            let settings = PyDict::new(py);
            for (k, x) in &v.settings {
                settings.set_item(k, pythonize::pythonize(py, x)?)?;
            }
            d.set_item("settings", settings)?;
            d.set_item("interval_s", v.interval_s)?;
            d.set_item("warmup_s", v.warmup_s)?;
            d.set_item("report", pythonize::pythonize(py, &v.report)?)?;
            list.append(d)?;
        }
        let out = PyDict::new(py);
        out.set_item("variations", list)?;
        Ok(out)
    }

    /// A tidy pandas frame: one row per variation, skill, interval and metric.
    fn to_pandas<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        py.import("chatcap._frames")?.getattr("report_frame")?.call1((self.to_dict(py)?,))
    }

    /// The variations' names, in order.
    #[getter]
    fn variations(&self) -> Vec<String> {
        self.variations.iter().map(|v| v.name.clone()).collect()
    }

    /// The variations of several reports, in order, as one report.
    #[staticmethod]
    fn concat(reports: Vec<PyRef<'_, Report>>) -> Report {
        Report { variations: reports.iter().flat_map(|r| r.variations.iter().cloned()).collect() }
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.cast::<Report>().is_ok_and(|o| o.get().text() == self.text())
    }

    fn __len__(&self) -> usize {
        self.variations.len()
    }

    #[staticmethod]
    fn _restore(state: &Bound<'_, PyAny>) -> PyResult<Report> {
        let variations: Vec<Variation> = pythonize::depythonize(state)?;
        Ok(Report { variations })
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        let py = slf.py();
        let state = pythonize::pythonize(py, &slf.get().variations)?;
        let restore = slf.get_type().getattr("_restore")?;
        PyTuple::new(py, [restore, PyTuple::new(py, [state])?.into_any()])
    }

    fn __repr__(&self) -> String {
        let names: Vec<&str> = self.variations.iter().map(|v| v.name.as_str()).collect();
        format!("<chatcap.Report: {} variations: {}>", names.len(), names.join("; "))
    }
}

/// One point of a sweep: the study's base scenario with `settings`, on one thread, as one
/// variation named by its settings.
#[pyfunction]
pub(crate) fn sweep_task(
    py: Python<'_>,
    study: &Study,
    settings: Vec<(String, Bound<'_, PyAny>)>,
    replications: usize,
    seed: u64,
) -> PyResult<Report> {
    let point = study.with_pairs(py, &settings)?;
    let recorded: Vec<(String, Value)> =
        settings.iter().map(|(k, v)| setting(k, v).map(|(_, x)| (k.clone(), x))).collect::<PyResult<_>>()?;
    let name = label(&recorded);
    let base = ["base".to_owned()];
    point.run(py, Some(&base), config(replications, seed, Some(1))?, Some(name))
}
