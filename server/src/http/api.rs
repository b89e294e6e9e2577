//! The REST API under `/api`, and `/healthz`.

use axum::extract::{DefaultBodyLimit, State};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use serde_json::json;

use super::extract::{Json, Query, BODY_LIMIT};
use super::ApiError;
use crate::auth::Identity;
use crate::hub::{parse_names, PageQuery};

use crate::AppState;

/// Routes under `/api`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/rooms", get(rooms))
        .route(
            "/rooms/{room}/messages",
            get(super::history::messages).post(super::publish::publish),
        )
        .route(
            "/rooms/{room}/messages/{seq}/reactions",
            get(super::reactors::reactors),
        )
        .merge(super::sign_in::router())
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
}

/// `GET /healthz`: the server is up; this node's id, its connection and room counts, and in
/// cluster mode the broker link ("ok" or "degraded").
pub async fn health(State(state): State<AppState>) -> impl IntoResponse {
    let mut body = json!({
        "status": "ok",
        "node": &*state.node,
        "connections": state.hub.connection_count(),
        "rooms": state.hub.room_count(),
        "recent_cache_bytes": state.hub.recent_cache_bytes(),
    });
    if let Some(cluster) = &state.cluster {
        body["cluster"] = json!({
            "broker": crate::storage::describe_url(cluster.broker()),
            "link": cluster.link(),
        });
    }
    Json(body)
}

/// Query string of `GET /api/rooms`.
#[derive(Debug, Deserialize)]
struct RoomsQuery {
    /// Only rooms whose names start with this; default: every room.
    prefix: Option<String>,
    /// Rooms after this name; default: from the first.
    after: Option<String>,
    /// Page size, 1–500; default 100.
    limit: Option<usize>,
    /// Instead of a page: these rooms (comma-separated, at most 200), those that exist.
    names: Option<String>,
}

/// `GET /api/rooms?prefix=P&after=NAME&limit=N`: a page of the room directory, by name, with
/// member counts, and `next` (the `after` of the next page, or null). With `names=a,b`: the
/// member counts of those rooms (`{"rooms": [...]}`). Needs a session.
async fn rooms(
    State(state): State<AppState>,
    _who: Identity,
    Query(q): Query<RoomsQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    if let Some(names) = q.names.as_deref() {
        let names = parse_names(names.split(',').filter(|n| !n.is_empty()))?;
        return Ok(Json(json!({ "rooms": state.hub.room_counts(&names) })));
    }
    let q = PageQuery::parse(q.prefix.as_deref(), q.after.as_deref(), q.limit)?;
    let (rooms, next) = state.hub.rooms_page(&q);
    Ok(Json(
        json!({ "prefix": q.prefix, "rooms": rooms, "next": next }),
    ))
}

async fn not_found() -> ApiError {
    ApiError::NotFound
}
