-- Read state (docs/PROTOCOL.md, `read`): per user (nickname key) and room, the last seq the
-- user has read. It only moves forward. A nickname without a password loses it with its
-- last session (see Store::prune_sessions).
CREATE TABLE read_state (
    user_key    VARCHAR(512) NOT NULL,
    room        VARCHAR(48)  NOT NULL,
    read_seq    BIGINT       NOT NULL,
    updated_at  BIGINT       NOT NULL,
    PRIMARY KEY (user_key, room)
);
