//! Shift scheduling (to come).
