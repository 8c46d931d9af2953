-- What happened in each thread, in order (see ../sqlite/). Writers of one thread hold its
-- advisory lock until they commit, so within a thread ids are committed in order and a
-- reader that has seen id N has seen everything before it.
CREATE TABLE events (
    id BIGSERIAL PRIMARY KEY,
    thread_key TEXT NOT NULL,
    kind TEXT NOT NULL,
    comment_id BIGINT NOT NULL REFERENCES comments (id),
    created_at_ms BIGINT NOT NULL
);

CREATE INDEX events_by_thread ON events (thread_key, id);
