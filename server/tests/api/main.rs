//! The API over real HTTP: the real router on a loopback port, a real SQLite file in a
//! temporary folder, and an ordinary HTTP client. One module per subject; `harness` starts
//! servers and scans every response they send for the email addresses the tests posted.

mod harness;

mod comments;
mod console;
mod content;
mod edits;
mod events;
mod feeds;
mod limits;
mod mail;
mod mail_peers;
mod origins_and_assets;
mod privacy;
mod reader;
mod several_servers;
mod sites;
mod transfers;
