-- What is known of a thread beyond its comments: its title, from an import (or, later,
-- from the page).
CREATE TABLE threads (
    key TEXT PRIMARY KEY,
    title TEXT
);
