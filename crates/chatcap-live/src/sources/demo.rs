//! Not yet.

use std::sync::Arc;

use super::{Polled, Poller};
use crate::clock::Clock;
use crate::config::SourceConfig;
use crate::http::CallError;
use crate::policy::Failure;

pub(crate) struct Demo {
    _clock: Arc<dyn Clock>,
}

impl Demo {
    pub(crate) fn new(_cfg: &SourceConfig, clock: Arc<dyn Clock>) -> Self {
        Self { _clock: clock }
    }
}

impl Poller for Demo {
    async fn poll(&mut self) -> Result<Polled, CallError> {
        Err(CallError { failure: Failure::Refused { status: 0 }, message: "not implemented yet".to_owned() })
    }

    fn reset_auth(&mut self) {}
}
