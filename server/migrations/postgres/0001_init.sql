-- Rooms and their messages. seq is per room and gapless from 1; id is server-wide.
CREATE TABLE rooms (
    name        VARCHAR(48)  NOT NULL PRIMARY KEY,
    created_by  VARCHAR(128) NOT NULL,
    created_at  BIGINT       NOT NULL
);

CREATE TABLE messages (
    room        VARCHAR(48)  NOT NULL,
    seq         BIGINT       NOT NULL,
    id          BIGINT       NOT NULL,
    sender      VARCHAR(128) NOT NULL,
    nickname    VARCHAR(128) NOT NULL,
    client_id   VARCHAR(64)  NOT NULL,
    body        TEXT         NOT NULL,
    ts          BIGINT       NOT NULL,
    PRIMARY KEY (room, seq),
    UNIQUE (sender, client_id)
);
CREATE UNIQUE INDEX messages_id ON messages (id);
