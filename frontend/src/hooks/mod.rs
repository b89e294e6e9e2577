//! Hooks.

mod use_chat;

pub use use_chat::{use_chat, ChatActions, ChatProvider};
