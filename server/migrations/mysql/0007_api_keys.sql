-- The publish API (docs/PROTOCOL.md, "REST"): services post messages with an API key. Only a
-- hash of each key is kept (SHA-256: a key is 128 random bits, not a password). A message a
-- key posted is marked `bot`, and shows the key's name.
CREATE TABLE api_keys (
    name        VARCHAR(32)  NOT NULL PRIMARY KEY,
    hash        VARCHAR(64)  NOT NULL,
    created_at  BIGINT       NOT NULL,
    revoked_at  BIGINT       NULL
);
CREATE UNIQUE INDEX api_keys_hash ON api_keys (hash);
ALTER TABLE messages ADD COLUMN bot BIGINT NOT NULL DEFAULT 0;
