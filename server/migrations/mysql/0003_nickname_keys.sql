-- A nickname's key is its confusable skeleton (shared::Nickname::key): up to 7 characters
-- for each of a nickname's 32 (a Hangul syllable decomposes into jamo), more than 128.
-- 512 utf8mb4 characters are 2,048 bytes, within InnoDB's 3,072-byte index key.
ALTER TABLE accounts MODIFY nickname_key VARCHAR(512) NOT NULL;
ALTER TABLE sessions MODIFY nickname_key VARCHAR(512) NOT NULL;
