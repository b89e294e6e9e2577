//! Parley's browser app: a Yew single-page app speaking the shared protocol over a WebSocket.

mod app;
mod components;
mod hooks;
mod services;
mod state;
mod util;

fn main() {
    yew::Renderer::<app::App>::new().render();
}
