-- Sessions (a nickname belongs to its session while it lives) and registered nicknames.
CREATE TABLE sessions (
    id            TEXT    NOT NULL PRIMARY KEY,
    nickname_key  TEXT    NOT NULL,
    nickname      TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL,
    revoked       INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX sessions_nickname ON sessions (nickname_key);

CREATE TABLE accounts (
    nickname_key   TEXT    NOT NULL PRIMARY KEY,
    nickname       TEXT    NOT NULL,
    password_hash  TEXT    NOT NULL,
    created_at     INTEGER NOT NULL
);
