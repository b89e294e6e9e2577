-- Reactions (docs/PROTOCOL.md, `react`, `reaction` and `reactions`).
-- One row per (message, emoji, user): adding one twice is refused by the key.
CREATE TABLE reactions (
    room        TEXT    NOT NULL,
    seq         BIGINT  NOT NULL,
    emoji       TEXT    NOT NULL,
    user_key    TEXT    NOT NULL,
    nickname    TEXT    NOT NULL,
    ts          BIGINT  NOT NULL,
    PRIMARY KEY (room, seq, emoji, user_key)
);
-- A user's own reactions in a page of a room (`mine`).
CREATE INDEX reactions_by_user ON reactions (room, user_key, seq);
-- A room's change counter: every reaction added or taken back raises it by one, in the
-- transaction that makes the change (its row lock orders the changes of a room across nodes).
ALTER TABLE rooms ADD COLUMN last_change BIGINT NOT NULL DEFAULT 0;
-- Each message's reactions as sent (JSON of the protocol's `reactions`), kept with it so a
-- history page needs no join, and the change that last changed them.
ALTER TABLE messages ADD COLUMN reactions TEXT NULL;
ALTER TABLE messages ADD COLUMN rev BIGINT NOT NULL DEFAULT 0;
-- The messages a room's changes touched, by change: what a resuming client missed. Kept out
-- of `messages` so that inserting a message maintains no index for it.
CREATE TABLE message_changes (
    room        TEXT    NOT NULL,
    seq         BIGINT  NOT NULL,
    rev         BIGINT  NOT NULL,
    PRIMARY KEY (room, seq)
);
CREATE INDEX message_changes_by_rev ON message_changes (room, rev);
