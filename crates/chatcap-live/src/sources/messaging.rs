//! Not yet.

use std::sync::Arc;

use super::{Polled, Poller};
use crate::clock::Clock;
use crate::config::SourceConfig;
use crate::http::{CallError, Vendor};
use crate::policy::Failure;

pub(crate) struct Messaging {
    _cfg: SourceConfig,
    _vendor: Vendor,
    _clock: Arc<dyn Clock>,
}

impl Messaging {
    pub(crate) fn new(cfg: SourceConfig, vendor: Vendor, clock: Arc<dyn Clock>) -> Self {
        Self { _cfg: cfg, _vendor: vendor, _clock: clock }
    }
}

impl Poller for Messaging {
    async fn poll(&mut self) -> Result<Polled, CallError> {
        Err(CallError { failure: Failure::Refused { status: 0 }, message: "not implemented yet".to_owned() })
    }

    fn reset_auth(&mut self) {}
}
