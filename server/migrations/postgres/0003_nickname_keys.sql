-- A nickname's key is its confusable skeleton (shared::Nickname::key): up to 7 characters
-- for each of a nickname's 32 (a Hangul syllable decomposes into jamo), more than 128.
ALTER TABLE accounts ALTER COLUMN nickname_key TYPE VARCHAR(512);
ALTER TABLE sessions ALTER COLUMN nickname_key TYPE VARCHAR(512);
