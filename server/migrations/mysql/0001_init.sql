-- Rooms and their messages. seq is per room and gapless from 1; id is server-wide.
-- utf8mb4_bin: exact (case-sensitive) comparison, as on SQLite and PostgreSQL.
CREATE TABLE rooms (
    name        VARCHAR(48)  NOT NULL PRIMARY KEY,
    created_by  VARCHAR(128) NOT NULL,
    created_at  BIGINT       NOT NULL
) DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE messages (
    room        VARCHAR(48)  NOT NULL,
    seq         BIGINT       NOT NULL,
    id          BIGINT       NOT NULL,
    sender      VARCHAR(128) NOT NULL,
    nickname    VARCHAR(128) NOT NULL,
    client_id   VARCHAR(64)  NOT NULL,
    body        VARCHAR(4000) NOT NULL,  -- not TEXT: through sqlx's Any driver TEXT reads as BLOB
    ts          BIGINT       NOT NULL,
    PRIMARY KEY (room, seq),
    UNIQUE KEY messages_sender_client (sender, client_id),
    UNIQUE KEY messages_id (id)
) DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
