//! Non-UI code the components call.

pub mod api;
pub mod connection;
pub mod drafts;
pub mod notify;
