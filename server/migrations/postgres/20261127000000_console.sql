-- The site owner's console (see ../sqlite/ for what each table is for). Existing comments,
-- events and titles move into site 1, the default site that the flags describe, and a
-- thread key becomes unique within its site.
CREATE TABLE sites (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created_at_ms BIGINT NOT NULL
);
INSERT INTO sites (id, name, created_at_ms) VALUES (1, 'default', 0);
SELECT setval('sites_id_seq', 1);

CREATE TABLE site_origins (
    origin TEXT PRIMARY KEY,
    site_id BIGINT NOT NULL REFERENCES sites (id)
);

CREATE TABLE site_settings (
    site_id BIGINT PRIMARY KEY REFERENCES sites (id),
    moderation TEXT,
    posts_per_minute BIGINT,
    edit_window_secs BIGINT
);

ALTER TABLE comments
    ADD COLUMN site_id BIGINT NOT NULL DEFAULT 1 REFERENCES sites (id),
    ADD COLUMN status TEXT NOT NULL DEFAULT 'published',
    ADD COLUMN by_owner BOOLEAN NOT NULL DEFAULT FALSE,
    ADD COLUMN pinned BOOLEAN NOT NULL DEFAULT FALSE,
    ADD COLUMN client_address TEXT,
    ADD COLUMN email_hash TEXT;
ALTER TABLE comments DROP CONSTRAINT comments_thread_key_idempotency_key_key;
ALTER TABLE comments ADD CONSTRAINT comments_key_in_site UNIQUE (site_id, thread_key, idempotency_key);
DROP INDEX comments_by_thread;
DROP INDEX comments_by_body;
CREATE INDEX comments_by_thread ON comments (site_id, thread_key, created_at_ms, id);
CREATE INDEX comments_by_body ON comments (site_id, thread_key, body_hash, created_at_ms);
CREATE INDEX comments_by_parent ON comments (parent_id);
CREATE INDEX comments_by_status ON comments (site_id, status, created_at_ms);
CREATE INDEX comments_by_email_hash ON comments (site_id, email_hash);

ALTER TABLE events ADD COLUMN site_id BIGINT NOT NULL DEFAULT 1;
DROP INDEX events_by_thread;
CREATE INDEX events_by_thread ON events (site_id, thread_key, id);

ALTER TABLE threads
    ADD COLUMN site_id BIGINT NOT NULL DEFAULT 1 REFERENCES sites (id),
    ADD COLUMN locked BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE threads DROP CONSTRAINT threads_pkey;
ALTER TABLE threads ADD PRIMARY KEY (site_id, key);

CREATE TABLE trusted_authors (
    site_id BIGINT NOT NULL REFERENCES sites (id),
    email_hash TEXT NOT NULL,
    PRIMARY KEY (site_id, email_hash)
);

CREATE TABLE blocks (
    id BIGSERIAL PRIMARY KEY,
    site_id BIGINT NOT NULL REFERENCES sites (id),
    email_hash TEXT,
    client_address TEXT,
    until_ms BIGINT,
    note TEXT NOT NULL DEFAULT '',
    created_at_ms BIGINT NOT NULL
);
CREATE INDEX blocks_by_site ON blocks (site_id);

CREATE TABLE owners (
    id BIGSERIAL PRIMARY KEY,
    site_id BIGINT NOT NULL REFERENCES sites (id),
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    failed_logins BIGINT NOT NULL DEFAULT 0,
    locked_until_ms BIGINT NOT NULL DEFAULT 0,
    created_at_ms BIGINT NOT NULL
);

CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    owner_id BIGINT NOT NULL REFERENCES owners (id) ON DELETE CASCADE,
    last_seen_ms BIGINT NOT NULL
);

CREATE TABLE api_tokens (
    token_hash TEXT PRIMARY KEY,
    owner_id BIGINT NOT NULL REFERENCES owners (id) ON DELETE CASCADE,
    created_at_ms BIGINT NOT NULL
);

CREATE TABLE login_failures (
    client_address TEXT NOT NULL,
    at_ms BIGINT NOT NULL
);
CREATE INDEX login_failures_by_address ON login_failures (client_address, at_ms);

CREATE TABLE audit_log (
    id BIGSERIAL PRIMARY KEY,
    site_id BIGINT NOT NULL REFERENCES sites (id),
    at_ms BIGINT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    comment_id BIGINT,
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_by_site ON audit_log (site_id, id);
