-- The site owner's console: several sites, moderation, owners and their sessions, blocks,
-- locks, pins and an audit log. Existing comments, events and titles move into site 1, the
-- default site that the command-line flags describe.
--
-- A thread key is unique within its site, so the comments' unique key gains the site.
-- SQLite cannot change a table's constraints in place, and foreign keys stay on inside a
-- migration's transaction, so the tables are rebuilt in an order that never leaves a
-- reference dangling: the old comments and events are renamed aside (renaming carries the
-- references along), new ones are made and filled, and the old ones dropped, events first.

CREATE TABLE sites (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created_at_ms INTEGER NOT NULL
);
INSERT INTO sites (id, name, created_at_ms) VALUES (1, 'default', 0);

-- The origins a site's pages are served from; the default site's come from the flags.
CREATE TABLE site_origins (
    origin TEXT PRIMARY KEY,
    site_id INTEGER NOT NULL REFERENCES sites (id)
);

-- Run-time settings; NULL: the flag's default.
CREATE TABLE site_settings (
    site_id INTEGER PRIMARY KEY REFERENCES sites (id),
    moderation TEXT,
    posts_per_minute INTEGER,
    edit_window_secs INTEGER
);

ALTER TABLE events RENAME TO events_old;
ALTER TABLE comments RENAME TO comments_old;

CREATE TABLE comments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    site_id INTEGER NOT NULL DEFAULT 1 REFERENCES sites (id),
    thread_key TEXT NOT NULL,
    parent_id INTEGER REFERENCES comments (id),
    author TEXT NOT NULL,
    email TEXT,
    website TEXT,
    body TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL,
    edit_token_hash TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    body_hash TEXT,
    -- published, pending (held for approval) or deleted (a tombstone: no author, no body).
    status TEXT NOT NULL DEFAULT 'published',
    by_owner INTEGER NOT NULL DEFAULT 0,
    pinned INTEGER NOT NULL DEFAULT 0,
    -- For blocks: who posted it. Erased with the comment's author.
    client_address TEXT,
    -- A keyed hash of the normalised email, for first-time moderation and blocks.
    email_hash TEXT,
    UNIQUE (site_id, thread_key, idempotency_key)
);
INSERT INTO comments (id, thread_key, parent_id, author, email, website, body,
                      created_at_ms, edit_token_hash, idempotency_key, body_hash)
    SELECT id, thread_key, parent_id, author, email, website, body, created_at_ms,
           edit_token_hash, idempotency_key, body_hash FROM comments_old ORDER BY id;

CREATE TABLE events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    site_id INTEGER NOT NULL DEFAULT 1,
    thread_key TEXT NOT NULL,
    kind TEXT NOT NULL,
    comment_id INTEGER NOT NULL REFERENCES comments (id),
    created_at_ms INTEGER NOT NULL
);
INSERT INTO events (id, thread_key, kind, comment_id, created_at_ms)
    SELECT id, thread_key, kind, comment_id, created_at_ms FROM events_old ORDER BY id;
DROP TABLE events_old;
DROP TABLE comments_old;
-- Index names are the database's, not the table's: made once the old ones are gone.
CREATE INDEX events_by_thread ON events (site_id, thread_key, id);
CREATE INDEX comments_by_thread ON comments (site_id, thread_key, created_at_ms, id);
CREATE INDEX comments_by_body ON comments (site_id, thread_key, body_hash, created_at_ms);
CREATE INDEX comments_by_parent ON comments (parent_id);
CREATE INDEX comments_by_status ON comments (site_id, status, created_at_ms);
CREATE INDEX comments_by_email_hash ON comments (site_id, email_hash);

CREATE TABLE threads_new (
    site_id INTEGER NOT NULL DEFAULT 1 REFERENCES sites (id),
    key TEXT NOT NULL,
    title TEXT,
    locked INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (site_id, key)
);
INSERT INTO threads_new (key, title) SELECT key, title FROM threads;
DROP TABLE threads;
ALTER TABLE threads_new RENAME TO threads;

-- Authors whose comments need no more approval (first-time moderation), by email hash.
CREATE TABLE trusted_authors (
    site_id INTEGER NOT NULL REFERENCES sites (id),
    email_hash TEXT NOT NULL,
    PRIMARY KEY (site_id, email_hash)
);

CREATE TABLE blocks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    site_id INTEGER NOT NULL REFERENCES sites (id),
    email_hash TEXT,
    client_address TEXT,
    -- NULL: until unblocked.
    until_ms INTEGER,
    note TEXT NOT NULL DEFAULT '',
    created_at_ms INTEGER NOT NULL
);
CREATE INDEX blocks_by_site ON blocks (site_id);

CREATE TABLE owners (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    site_id INTEGER NOT NULL REFERENCES sites (id),
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until_ms INTEGER NOT NULL DEFAULT 0,
    created_at_ms INTEGER NOT NULL
);

-- Signed-in owners; only the hash of each session id is kept.
CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    owner_id INTEGER NOT NULL REFERENCES owners (id) ON DELETE CASCADE,
    last_seen_ms INTEGER NOT NULL
);

-- Tokens for scripts (`colloquy-server admin token`); only their hashes.
CREATE TABLE api_tokens (
    token_hash TEXT PRIMARY KEY,
    owner_id INTEGER NOT NULL REFERENCES owners (id) ON DELETE CASCADE,
    created_at_ms INTEGER NOT NULL
);

-- Failed logins by address, for slowing and refusing guessers.
CREATE TABLE login_failures (
    client_address TEXT NOT NULL,
    at_ms INTEGER NOT NULL
);
CREATE INDEX login_failures_by_address ON login_failures (client_address, at_ms);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    site_id INTEGER NOT NULL REFERENCES sites (id),
    at_ms INTEGER NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    comment_id INTEGER,
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_by_site ON audit_log (site_id, id);
