-- Comments of every thread, as on SQLite (see ../sqlite/): the email column is written and
-- never read back by the API.
CREATE TABLE comments (
    id BIGSERIAL PRIMARY KEY,
    thread_key TEXT NOT NULL,
    parent_id BIGINT REFERENCES comments (id),
    author TEXT NOT NULL,
    email TEXT,
    website TEXT,
    body TEXT NOT NULL,
    created_at_ms BIGINT NOT NULL,
    edit_token_hash TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    body_hash TEXT,
    -- A retried submission finds its first copy instead of making a second one.
    UNIQUE (thread_key, idempotency_key)
);

CREATE INDEX comments_by_thread ON comments (thread_key, created_at_ms, id);
CREATE INDEX comments_by_body ON comments (thread_key, body_hash, created_at_ms);

-- One random secret per installation, shared by every server process on this database.
CREATE TABLE server_secret (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    secret BYTEA NOT NULL
);

-- Recent posts per client address, so that the posting limit holds across every server
-- process on this database. Each claim deletes the rows that have left the window, so the
-- table holds about a minute of posts.
CREATE TABLE recent_posts (
    client TEXT NOT NULL,
    at_ms BIGINT NOT NULL
);

CREATE INDEX recent_posts_by_client ON recent_posts (client, at_ms);
CREATE INDEX recent_posts_by_time ON recent_posts (at_ms);
