//! Questions to the room directory, checked the same way over REST and the WebSocket.

use shared::{RoomName, ValidationError, ROOMS_PAGE_DEFAULT, ROOMS_PAGE_MAX, ROOM_COUNTS_MAX};

/// A page of the directory asked for: the rooms whose names start with `prefix`, by name,
/// after `after`, at most `limit`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageQuery {
    /// What the names start with (empty: every room).
    pub prefix: String,
    /// Only rooms after this name.
    pub after: Option<RoomName>,
    /// Page size, 1–[`ROOMS_PAGE_MAX`].
    pub limit: usize,
}

/// Why a directory question was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    /// A prefix or room name that breaks the room-name rules.
    #[error("room name {0}")]
    BadName(ValidationError),
    /// More names than one question may ask about.
    #[error("at most {ROOM_COUNTS_MAX} rooms at a time")]
    TooManyNames,
}

impl PageQuery {
    /// Checks the parts of a page request; the limit is clamped, not refused.
    pub fn parse(
        prefix: Option<&str>,
        after: Option<&str>,
        limit: Option<usize>,
    ) -> Result<Self, QueryError> {
        let prefix = RoomName::check_prefix(prefix.unwrap_or_default())
            .map_err(QueryError::BadName)?
            .to_owned();
        let after = after
            .map(RoomName::parse)
            .transpose()
            .map_err(QueryError::BadName)?;
        let limit = limit.unwrap_or(ROOMS_PAGE_DEFAULT).clamp(1, ROOMS_PAGE_MAX);
        Ok(Self {
            prefix,
            after,
            limit,
        })
    }
}

/// Checks the rooms of a member-count question: at most [`ROOM_COUNTS_MAX`], each a room
/// name (duplicates are asked about once).
pub fn parse_names<'a>(
    names: impl IntoIterator<Item = &'a str>,
) -> Result<Vec<RoomName>, QueryError> {
    let mut out = Vec::new();
    for name in names {
        if out.len() == ROOM_COUNTS_MAX {
            return Err(QueryError::TooManyNames);
        }
        out.push(RoomName::parse(name).map_err(QueryError::BadName)?);
    }
    out.sort();
    out.dedup();
    Ok(out)
}
