//! `GET /api/rooms/{room}/messages/{seq}/reactions?emoji=E&from=N`: everyone who reacted to
//! a message with one emoji, in the order they did, a page of at most
//! [`REACTORS_PAGE_MAX`] names at a time (`next`: where the next page starts). Frames name
//! only the first few ([`shared::REACTION_NAMES_MAX`]), so that none grows with the number
//! of people who reacted; this is the full list, on request. Needs a session, and a direct
//! conversation only answers its two people.

use axum::extract::State;
use serde::Deserialize;
use shared::{Emoji, Reactors, RoomName, Seq, REACTORS_PAGE_MAX};

use super::extract::{Json, Path, Query};
use super::ApiError;
use crate::auth::Identity;
use crate::AppState;

/// Query string.
#[derive(Debug, Deserialize)]
pub struct Which {
    /// The emoji.
    emoji: String,
    /// Skip this many of the people (a previous page's `next`); default 0.
    from: Option<u32>,
}

/// The handler.
pub async fn reactors(
    State(state): State<AppState>,
    who: Identity,
    Path((room, seq)): Path<(String, u64)>,
    Query(which): Query<Which>,
) -> Result<Json<Reactors>, ApiError> {
    let room = RoomName::parse(&room).map_err(ApiError::BadRoomName)?;
    let emoji = Emoji::parse(&which.emoji).map_err(ApiError::BadEmoji)?;
    if !state.hub.may_enter(&room, &who.user.key).await {
        return Err(ApiError::Forbidden);
    }
    let from = which.from.unwrap_or(0);
    let (count, names) = state
        .hub
        .store()
        .reactors((&room, Seq(seq)), &emoji, from, REACTORS_PAGE_MAX)
        .await?
        .ok_or(ApiError::NoSuchMessage)?;
    let end = from as usize + names.len();
    let next = (end < count as usize).then_some(end as u32);
    Ok(Json(Reactors {
        emoji,
        count,
        names,
        next,
    }))
}
