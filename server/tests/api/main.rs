//! Integration tests: the real server on port 0, real WebSocket clients over loopback.

mod helpers;

mod bad_input;
mod chat;
mod http;
mod liveness;
mod process;
mod storage;
