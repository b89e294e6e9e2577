-- A nickname's key is its confusable skeleton (shared::Nickname::key), longer than a
-- nickname; SQLite's TEXT columns need no change (PostgreSQL's and MySQL's widen to 512).
SELECT 1;
