-- Sessions (a nickname belongs to its session while it lives) and registered nicknames.
CREATE TABLE sessions (
    id            VARCHAR(64)  NOT NULL PRIMARY KEY,
    nickname_key  VARCHAR(128) NOT NULL,
    nickname      VARCHAR(128) NOT NULL,
    created_at    BIGINT       NOT NULL,
    expires_at    BIGINT       NOT NULL,
    revoked       INTEGER      NOT NULL DEFAULT 0,
    KEY sessions_nickname (nickname_key)
) DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE accounts (
    nickname_key   VARCHAR(128) NOT NULL PRIMARY KEY,
    nickname       VARCHAR(128) NOT NULL,
    password_hash  VARCHAR(255) NOT NULL,
    created_at     BIGINT       NOT NULL
) DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
