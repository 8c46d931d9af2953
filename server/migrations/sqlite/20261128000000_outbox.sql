-- Email and webhooks. Nothing is sent from a request: every email and webhook call is a
-- row of the outbox, written in the same transaction as the comment that causes it, and a
-- sender in every server process delivers the rows that are due, with retries.

-- Addresses that asked to hear of replies, by the keyed hash of the address (as in the
-- console's tables); the address itself, to write to. Nothing but the confirmation is
-- ever sent to one whose confirmed_at_ms is NULL.
CREATE TABLE mail_addresses (
    email_hash TEXT PRIMARY KEY,
    email TEXT NOT NULL,
    lang TEXT NOT NULL DEFAULT 'en',
    confirmed_at_ms INTEGER,
    confirmation_sent_at_ms INTEGER
);

-- A comment whose author asked to hear of replies to it.
CREATE TABLE subscriptions (
    comment_id INTEGER PRIMARY KEY REFERENCES comments (id),
    email_hash TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT 1
);
CREATE INDEX subscriptions_by_address ON subscriptions (email_hash);

-- "Nothing more from this site", per address.
CREATE TABLE site_unsubscribes (
    site_id INTEGER NOT NULL REFERENCES sites (id),
    email_hash TEXT NOT NULL,
    PRIMARY KEY (site_id, email_hash)
);

CREATE TABLE outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    site_id INTEGER NOT NULL REFERENCES sites (id),
    -- mail or webhook
    channel TEXT NOT NULL,
    -- an email address, or a webhook's URL
    recipient TEXT NOT NULL,
    -- mail: confirm, reply, owner_new, owner_pending; webhook: the event's name
    kind TEXT NOT NULL,
    -- the comment it is about (a reply email: the comment answered)
    comment_id INTEGER,
    -- a reply email: the ids of the replies it tells of, comma-separated (a burst is one
    -- email); a webhook: its JSON body
    items TEXT NOT NULL DEFAULT '',
    lang TEXT NOT NULL DEFAULT 'en',
    created_at_ms INTEGER NOT NULL,
    -- not before: a reply email waits here for the rest of a burst; then the next try
    due_at_ms INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    -- waiting, sending (claimed by a sender until claimed_until_ms), sent or failed
    state TEXT NOT NULL DEFAULT 'waiting',
    claimed_until_ms INTEGER,
    sent_at_ms INTEGER,
    last_error TEXT
);
CREATE INDEX outbox_by_state ON outbox (channel, state, due_at_ms);
CREATE INDEX outbox_by_recipient ON outbox (recipient, kind, comment_id, state);

-- The links in emails (confirm, unsubscribe, approve, delete): only their hashes.
CREATE TABLE mail_tokens (
    token_hash TEXT PRIMARY KEY,
    purpose TEXT NOT NULL,
    site_id INTEGER NOT NULL,
    email_hash TEXT,
    -- a reader's own request for their data: the address it is for
    email TEXT,
    comment_id INTEGER,
    expires_at_ms INTEGER NOT NULL,
    used_at_ms INTEGER
);
