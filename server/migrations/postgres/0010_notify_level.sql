-- What in a room notifies its user (docs/PROTOCOL.md, `set_notify`): all, mentions or nothing;
-- NULL is the default (mentions).
ALTER TABLE read_state ADD COLUMN notify VARCHAR(16) NULL;
