-- Cluster mode: which session holds each unregistered nickname, one row per nickname key.
-- A node grants a nickname by inserting its row, or by swapping the session of a row whose
-- session is no longer live (compare-and-swap): two nodes cannot both grant one name.
CREATE TABLE nickname_grants (
    nickname_key  VARCHAR(512) NOT NULL PRIMARY KEY,
    session_id    VARCHAR(64)  NOT NULL
);
