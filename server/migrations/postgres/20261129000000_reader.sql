-- What readers do with comments beyond writing them: like them, and edit or delete their
-- own. `likes` is the count readers see, kept beside the rows it counts so a thread is
-- read without a join; `voter_hash` is the SHA-256 of the author's voter token, so the
-- author cannot like their own comment; `edited_at_ms` says "edited".
ALTER TABLE comments ADD COLUMN likes BIGINT NOT NULL DEFAULT 0;
ALTER TABLE comments ADD COLUMN voter_hash TEXT;
ALTER TABLE comments ADD COLUMN edited_at_ms BIGINT;

-- One row per reader and comment: the SHA-256 of the reader's random voter token, never
-- the token itself.
CREATE TABLE likes (
    comment_id BIGINT NOT NULL REFERENCES comments (id),
    voter_hash TEXT NOT NULL,
    created_at_ms BIGINT NOT NULL,
    PRIMARY KEY (comment_id, voter_hash)
);
