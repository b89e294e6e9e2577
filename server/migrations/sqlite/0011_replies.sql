-- Replies (docs/PROTOCOL.md, `send`'s `reply_to` and `message`'s `reply`): the seq of the
-- message of the same room a message answers, and the quote taken when it was stored (the
-- original's author and the start of its text). NULL for a message that answers none.
ALTER TABLE messages ADD COLUMN reply_seq BIGINT NULL;
ALTER TABLE messages ADD COLUMN reply_nickname TEXT NULL;
ALTER TABLE messages ADD COLUMN reply_snippet TEXT NULL;
