//! `open_direct`: the direct conversation with another user, opened (created the first
//! time) and joined.

use shared::{ErrorCode, Nickname};

use super::commands::Refusal;
use super::Participant;
use crate::hub::direct::DirectRefusal;

impl Participant {
    /// Opens the conversation with the user called `nickname` and joins it.
    pub(super) async fn open_direct(&mut self, nickname: &str) -> Result<(), Refusal> {
        let other = Nickname::stored(nickname)
            .map_err(|e| Refusal::new(ErrorCode::BadNickname, format!("nickname {e}")))?;
        let me = self.identity.user.clone();
        let room = self
            .hub
            .open_direct((&me, self.conn), &other)
            .await
            .map_err(|err| {
                let code = match err {
                    DirectRefusal::NoSuchUser(_) => ErrorCode::NoSuchUser,
                    DirectRefusal::Yourself => ErrorCode::BadNickname,
                    DirectRefusal::TooMany(_) => ErrorCode::TooManyRoomsCreated,
                    DirectRefusal::Storage => ErrorCode::StorageUnavailable,
                };
                Refusal::new(code, err.to_string())
            })?;
        self.join(room.as_str(), None, (None, None)).await
    }
}
