//! The room directory over the WebSocket: `list_rooms` and `room_counts`.

use shared::{ErrorCode, ServerMsg};

use super::commands::Refusal;
use super::Participant;
use crate::hub::{parse_names, PageQuery, QueryError};

impl From<QueryError> for Refusal {
    fn from(err: QueryError) -> Self {
        let code = match err {
            QueryError::BadName(_) => ErrorCode::BadRoomName,
            QueryError::TooManyNames => ErrorCode::TooManyNames,
        };
        Refusal::new(code, err.to_string())
    }
}

impl Participant {
    /// Answers `list_rooms` with a page of the directory.
    pub(super) fn list_rooms(
        &mut self,
        prefix: Option<&str>,
        after: Option<&str>,
        limit: Option<u32>,
    ) -> Result<(), Refusal> {
        let q = PageQuery::parse(prefix, after, limit.map(|n| n as usize))?;
        let (rooms, next) = self.hub.rooms_page(&q);
        self.send(&ServerMsg::RoomList {
            prefix: q.prefix,
            rooms,
            next,
        });
        Ok(())
    }

    /// Answers `room_counts` with the member counts of the rooms asked about that exist.
    pub(super) fn room_counts(&mut self, names: &[String]) -> Result<(), Refusal> {
        let names = parse_names(names.iter().map(String::as_str))?;
        let rooms = self.hub.room_counts(&names);
        self.send(&ServerMsg::RoomCounts { rooms });
        Ok(())
    }
}
