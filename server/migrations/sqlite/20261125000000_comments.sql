-- Comments of every thread. The email column is written and never read back by the API.
CREATE TABLE comments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    thread_key TEXT NOT NULL,
    parent_id INTEGER REFERENCES comments (id),
    author TEXT NOT NULL,
    email TEXT,
    website TEXT,
    body TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL,
    edit_token_hash TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    -- A retried submission finds its first copy instead of making a second one.
    UNIQUE (thread_key, idempotency_key)
);

CREATE INDEX comments_by_thread ON comments (thread_key, created_at_ms, id);

-- One random secret per installation, from which edit tokens are derived (see tokens.rs).
CREATE TABLE server_secret (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    secret BLOB NOT NULL
);
