-- Rooms and their messages. seq is per room and gapless from 1; id is server-wide.
CREATE TABLE rooms (
    name        TEXT    NOT NULL PRIMARY KEY,
    created_by  TEXT    NOT NULL,
    created_at  INTEGER NOT NULL
);

-- id is the rowid: new messages append at the right edge of the table, MAX(id) is instant,
-- and each insert touches three b-trees (table, room/seq, sender/client id), no more.
CREATE TABLE messages (
    id          INTEGER NOT NULL PRIMARY KEY,
    room        TEXT    NOT NULL,
    seq         INTEGER NOT NULL,
    sender      TEXT    NOT NULL,  -- who sent it, for idempotency: the nickname's key
    nickname    TEXT    NOT NULL,  -- as shown
    client_id   TEXT    NOT NULL,
    body        TEXT    NOT NULL,
    ts          INTEGER NOT NULL,
    UNIQUE (room, seq),
    UNIQUE (sender, client_id)
);
