//! UI components. Each takes data and callbacks, or reads the chat context.

mod account;
mod announcer;
mod banner;
mod browse_rooms;
mod chat_screen;
mod composer;
mod member_list;
mod mention_query;
mod message_block;
mod message_item;
mod message_list;
mod message_text;
mod nickname_screen;
mod notify_control;
mod notify_level;
mod reaction_picker;
mod room_list;
mod room_switcher;
mod timeline;
mod toasts;
mod who_reacted;

pub use announcer::Announcer;
pub use banner::Banner;
pub use chat_screen::ChatScreen;
pub use nickname_screen::NicknameScreen;
pub use toasts::Toasts;
