//! Integration tests: the real server on port 0, real WebSocket clients over loopback.

mod helpers;

mod bad_input;
mod catalogue;
mod catch_up;
mod chat;
mod cluster;
mod direct;
mod directory;
mod floods;
mod guessing;
mod history_windows;
mod hostile;
mod hostile_http;
mod hostile_rooms;
mod hosts;
mod http;
mod limits;
mod liveness;
mod memory;
mod names;
mod passwords;
mod process;
mod prune;
mod publish;
mod reactions;
mod read_state;
mod refusals;
mod replies;
mod room_expiry;
mod sessions;
mod storage;
mod throttle;
mod timeouts;
mod tls;
mod typing;
