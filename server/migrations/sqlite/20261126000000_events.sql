-- What happened in each thread, in order: the live event stream reads it, and a reader
-- who reconnects asks for what came after the last event they saw. The comment is read
-- as it is now when an event is sent.
CREATE TABLE events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    thread_key TEXT NOT NULL,
    kind TEXT NOT NULL,
    comment_id INTEGER NOT NULL REFERENCES comments (id),
    created_at_ms INTEGER NOT NULL
);

CREATE INDEX events_by_thread ON events (thread_key, id);
