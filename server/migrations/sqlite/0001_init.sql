-- Rooms and their messages. seq is per room and gapless from 1; id is server-wide.
CREATE TABLE rooms (
    name        TEXT    NOT NULL PRIMARY KEY,
    created_by  TEXT    NOT NULL,
    created_at  INTEGER NOT NULL
);

CREATE TABLE messages (
    room        TEXT    NOT NULL,
    seq         INTEGER NOT NULL,
    id          INTEGER NOT NULL,
    sender      TEXT    NOT NULL,  -- who sent it, for idempotency: the nickname's key
    nickname    TEXT    NOT NULL,  -- as shown
    client_id   TEXT    NOT NULL,
    body        TEXT    NOT NULL,
    ts          INTEGER NOT NULL,
    PRIMARY KEY (room, seq),
    UNIQUE (sender, client_id)
);
CREATE UNIQUE INDEX messages_id ON messages (id);
