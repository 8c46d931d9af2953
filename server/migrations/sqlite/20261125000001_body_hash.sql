-- The same body twice in a thread within minutes is refused. Comparing whole bodies would
-- scan every recent comment of a busy thread on each post; a hash with an index finds a
-- repeat in one lookup.
ALTER TABLE comments ADD COLUMN body_hash TEXT;

CREATE INDEX comments_by_body ON comments (thread_key, body_hash, created_at_ms);
