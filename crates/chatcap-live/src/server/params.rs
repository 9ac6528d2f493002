//! Query strings, read strictly: a parameter given twice, or one a `/v1` route does not take,
//! is a 400 that says what the route expects.

use std::borrow::Cow;

use super::ApiError;

/// The parameters of one request.
pub(super) struct Params<'a> {
    pairs: Vec<(Cow<'a, str>, Cow<'a, str>)>,
}

impl<'a> Params<'a> {
    /// Reads `query`; a parameter not in `allowed` is an error when `strict`, ignored otherwise
    /// (LivePerson's routes, whose callers send `v` and `NC` and perhaps more).
    pub(super) fn parse(query: Option<&'a str>, allowed: &[&str], strict: bool) -> Result<Self, ApiError> {
        let mut pairs: Vec<(Cow<'a, str>, Cow<'a, str>)> = Vec::new();
        for (k, v) in form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
            if !allowed.contains(&k.as_ref()) {
                if strict {
                    return Err(ApiError::bad_request(format!(
                        "unknown parameter {:?}; this route takes {}",
                        k.as_ref(),
                        allowed.join(", ")
                    )));
                }
                continue;
            }
            if pairs.iter().any(|(seen, _)| *seen == k) {
                return Err(ApiError::bad_request(format!(
                    "parameter {:?} given twice; expected it once",
                    k.as_ref()
                )));
            }
            pairs.push((k, v));
        }
        Ok(Self { pairs })
    }

    /// A parameter's value; an empty value counts as absent.
    pub(super) fn get(&self, name: &str) -> Option<&str> {
        self.pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_ref()).filter(|v| !v.is_empty())
    }

    /// A required parameter.
    pub(super) fn required(&self, name: &str, what: &str) -> Result<&str, ApiError> {
        self.get(name).ok_or_else(|| ApiError::bad_request(format!("missing parameter {name} ({what})")))
    }

    /// A number, or a 400 naming the parameter and what was expected.
    pub(super) fn number(&self, name: &str, expected: &str) -> Result<Option<f64>, ApiError> {
        match self.get(name) {
            None => Ok(None),
            Some(v) => match v.trim().parse::<f64>() {
                Ok(x) if x.is_finite() => Ok(Some(x)),
                _ => Err(ApiError::bad_request(format!("{name} {v:?}: expected {expected}"))),
            },
        }
    }

    /// A flag: `true`, `false`, `1`, `0`, or present with no value (true).
    pub(super) fn flag(&self, name: &str) -> Result<bool, ApiError> {
        match self.pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_ref()) {
            None => Ok(false),
            Some("" | "true" | "1") => Ok(true),
            Some("false" | "0") => Ok(false),
            Some(v) => Err(ApiError::bad_request(format!("{name} {v:?}: expected true or false"))),
        }
    }
}
