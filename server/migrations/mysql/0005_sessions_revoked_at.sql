-- When a session was revoked (ms since the epoch): cluster nodes ask for the sessions revoked
-- since their last check instead of reading every live session (docs/CLUSTER.md), and a
-- revoked row is kept a while (in cluster mode) so that every node sees it before pruning.
ALTER TABLE sessions ADD COLUMN revoked_at BIGINT NULL;
CREATE INDEX sessions_revoked_at ON sessions (revoked_at);
