//! The chat WebSocket at `/ws`: the upgrade handler; [`session`] runs each connection.

mod handle;
mod session;

use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use crate::AppState;

/// The `/ws` route.
pub fn router() -> Router<AppState> {
    Router::new().route("/ws", get(upgrade))
}

/// Query string of `/ws`.
#[derive(Debug, Deserialize)]
struct WsQuery {
    /// The client's protocol version; absent means the server's own.
    v: Option<u32>,
}

/// Read buffer per connection. Most client frames are small; tungstenite grows the buffer
/// for a large one. Kept small because every idle connection holds one.
const READ_BUFFER_BYTES: usize = 512;
/// Outgoing frames are gathered up to this size before a write to the socket.
const WRITE_BUFFER_BYTES: usize = 16 * 1024;

async fn upgrade(
    State(state): State<AppState>,
    Query(query): Query<WsQuery>,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    let ws = match ws {
        Ok(ws) => ws,
        Err(
            rejection @ (WebSocketUpgradeRejection::InvalidConnectionHeader(_)
            | WebSocketUpgradeRejection::InvalidUpgradeHeader(_)),
        ) => {
            return (
                StatusCode::UPGRADE_REQUIRED,
                [(header::UPGRADE, "websocket")],
                Json(json!({
                    "error": "websocket_required",
                    "message": format!(
                        "/ws is Parley's chat WebSocket; connect with a WebSocket client \
                         (ws://host/ws?v={}). {rejection}",
                        shared::PROTOCOL_VERSION
                    ),
                })),
            )
                .into_response();
        }
        Err(rejection) => return rejection.into_response(),
    };
    let limits = &state.limits;
    let version = query.v.unwrap_or(shared::PROTOCOL_VERSION);
    let max = limits.max_frame_bytes;
    ws.read_buffer_size(READ_BUFFER_BYTES)
        .write_buffer_size(WRITE_BUFFER_BYTES)
        .max_message_size(max)
        .max_frame_size(max)
        .on_upgrade(move |socket| {
            let sessions = state.sessions.clone();
            sessions.track_future(session::run(socket, state, version))
        })
}
