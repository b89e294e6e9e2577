//! The load scenarios.

pub mod fanout;
pub mod idle;
pub mod reconnect;
pub mod storm;
