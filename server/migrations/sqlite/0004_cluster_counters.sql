-- Cluster mode (--cluster) takes seqs and message ids from the database, so that every node
-- agrees: a room's last seq is kept in its row (raised in the transaction that stores its
-- messages: the row lock orders one room's writers), and message ids are handed out to the
-- nodes in blocks from a counter. One node alone keeps both in memory and leaves these be;
-- a node that starts in cluster mode brings them up to date first.
ALTER TABLE rooms ADD COLUMN last_seq BIGINT NOT NULL DEFAULT 0;
CREATE TABLE counters (
    name        VARCHAR(32)  NOT NULL PRIMARY KEY,
    value       BIGINT       NOT NULL
);
INSERT INTO counters (name, value) VALUES ('message_id', 0);
