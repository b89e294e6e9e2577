//! Browser tests: the real server in-process, the release SPA from `dist/`, and headless
//! Chromium driven through chromedriver. Run by the README's test command, which builds the
//! SPA first.

mod helpers;
mod proxy;

mod accessibility;
mod account;
mod bidi;
mod chat;
mod cluster;
mod direct;
mod directory;
mod first_load;
mod formatting;
mod history;
mod keyboard;
mod mentions;
mod notifications;
mod permalinks;
mod policy;
mod publish;
mod reactions;
mod read_state;
mod reconnect;
mod render_bench;
mod replies;
mod session;
mod typing;
