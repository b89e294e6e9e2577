//! Non-UI code the components call.

pub mod connection;
