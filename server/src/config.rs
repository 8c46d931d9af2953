use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{ArgAction, Parser};
use colloquy_core::rules::{FieldRule, FormRules};

use ipnet::IpNet;

use crate::settings::{parse_duration, Moderation, Settings};
use crate::storage::Database;

/// The Colloquy comment server.
///
/// Serves the comment API under /api/v1, the widget's files (the loader at /embed.js) and
/// the demo page at /. Every flag can also be set through the environment variable named
/// beside it.
#[derive(Clone, Debug, Parser)]
#[command(name = "colloquy-server", version, about, long_about)]
pub struct Config {
    /// Address and port to listen on; port 0 picks a free port and prints it.
    #[arg(long, env = "COLLOQUY_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// Where comments are kept: a SQLite file (a path or sqlite://path; created with its
    /// tables on first start) or a PostgreSQL server (postgres://user:password@host/name;
    /// the database must exist, its tables are created). Several servers may share one
    /// PostgreSQL database.
    #[arg(
        long,
        env = "COLLOQUY_DATABASE",
        default_value = "colloquy.db",
        global = true
    )]
    pub database: Database,

    /// Origins of other sites allowed to call the API from a browser (for example
    /// https://blog.example.org). Repeat the flag or separate with commas; `*` allows every
    /// origin. Pages served by this server itself never need to be listed.
    #[arg(
        long = "allowed-origin",
        env = "COLLOQUY_ALLOWED_ORIGINS",
        value_delimiter = ','
    )]
    pub allowed_origins: Vec<String>,

    /// A folder of the built widget to serve (`trunk build` writes dist/). By default the
    /// widget this binary carries (a release from `cargo xtask dist`), else ./dist.
    #[arg(long, env = "COLLOQUY_ASSETS")]
    pub assets: Option<PathBuf>,

    /// Add the demo page's thread (its comments that are not there yet).
    #[arg(long, env = "COLLOQUY_SEED_DEMO")]
    pub seed_demo: bool,

    /// Comments one client address may post per minute; 0 turns the limit off. Behind a
    /// reverse proxy every reader shares the proxy's address unless the proxy is named with
    /// --trusted-proxy.
    #[arg(long, env = "COLLOQUY_POSTS_PER_MINUTE", default_value_t = 5)]
    pub posts_per_minute: u32,

    /// Which comments wait for an owner's approval (`colloquy-server admin add`):
    /// `none`, `first-time` (until one of the commenter's comments, by email, was
    /// approved) or `all`. The default of every site; the console can change it per site.
    #[arg(long, env = "COLLOQUY_MODERATION", default_value = "first-time")]
    pub moderation: Moderation,

    /// How long after posting its author may edit a comment (900, 900s, 15m, 2h). The
    /// default of every site; the console can change it per site.
    #[arg(long, env = "COLLOQUY_EDIT_WINDOW", default_value = "15m", value_parser = parse_duration)]
    pub edit_window: Duration,

    /// The SMTP server that sends email (replies to readers who asked, and the owner's
    /// notices): smtp://user:password@host:587?tls=required (STARTTLS),
    /// smtps://user:password@host:465 (TLS), or smtp://host:25 (a relay on the machine).
    /// Without it the server sends no email and says so at start.
    #[arg(long, env = "COLLOQUY_SMTP_URL")]
    pub smtp_url: Option<String>,

    /// Whom emails come from: comments@blog.example.org, or "Blog <comments@blog.example.org>".
    #[arg(long, env = "COLLOQUY_MAIL_FROM")]
    pub mail_from: Option<String>,

    /// The address readers reach this server at (https://comments.example.org), for the
    /// links in emails. By default the address it listens on.
    #[arg(long, env = "COLLOQUY_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// An address told of every new comment, and of each held one with approve and delete
    /// links.
    #[arg(long, env = "COLLOQUY_NOTIFY_OWNER")]
    pub notify_owner: Option<String>,

    /// A URL that gets a signed JSON POST for each new, pending, approved and deleted
    /// comment (Slack, Discord, Matrix or Telegram through a bridge). Repeat the flag or
    /// separate with commas; needs --webhook-secret.
    #[arg(long = "webhook", env = "COLLOQUY_WEBHOOKS", value_delimiter = ',')]
    pub webhooks: Vec<String>,

    /// The key webhook calls are signed with (see the README).
    #[arg(long, env = "COLLOQUY_WEBHOOK_SECRET")]
    pub webhook_secret: Option<String>,

    /// Seconds a reply email waits for more replies to the same comment, so that a
    /// lively exchange is one email.
    #[arg(long, env = "COLLOQUY_MAIL_BURST_SECS", default_value_t = 180)]
    pub mail_burst_secs: u64,

    /// Seconds before a failed email or webhook call is tried again; each later wait is
    /// twice the last, up to an hour.
    #[arg(long, env = "COLLOQUY_DELIVERY_RETRY_SECS", default_value_t = 30)]
    pub delivery_retry_secs: u64,

    /// Reverse proxies (addresses or networks such as 10.0.0.0/8) whose X-Forwarded-For
    /// header is believed: a request from one of them is counted against the posting limit
    /// by the address the proxies forwarded, the right-most one that is not itself a
    /// trusted proxy. Requests from anywhere else are counted by their own address, whatever
    /// they claim. Repeat the flag or separate with commas.
    #[arg(
        long = "trusted-proxy",
        env = "COLLOQUY_TRUSTED_PROXIES",
        value_delimiter = ',',
        value_parser = parse_network
    )]
    pub trusted_proxies: Vec<IpNet>,

    /// Live readers (open event streams) this process serves at most; past that a new
    /// one is told 503 and the page works without live updates.
    #[arg(long, env = "COLLOQUY_MAX_SUBSCRIBERS", default_value_t = 10_000)]
    pub max_subscribers: usize,

    /// Seconds between the comment lines that keep an idle event stream open.
    #[arg(long, env = "COLLOQUY_HEARTBEAT_SECS", default_value_t = 15, value_parser = clap::value_parser!(u64).range(1..))]
    pub heartbeat_secs: u64,

    /// Whether a name is required.
    #[arg(long, env = "COLLOQUY_NAME_REQUIRED", default_value_t = true, action = ArgAction::Set)]
    pub name_required: bool,

    /// Longest name, in characters.
    #[arg(long, env = "COLLOQUY_NAME_MAX_CHARS", default_value_t = 80)]
    pub name_max_chars: usize,

    /// Whether an email address is required.
    #[arg(long, env = "COLLOQUY_EMAIL_REQUIRED", default_value_t = true, action = ArgAction::Set)]
    pub email_required: bool,

    /// Longest email address, in characters.
    #[arg(long, env = "COLLOQUY_EMAIL_MAX_CHARS", default_value_t = 254)]
    pub email_max_chars: usize,

    /// Longest website address, in characters.
    #[arg(long, env = "COLLOQUY_WEBSITE_MAX_CHARS", default_value_t = 2048)]
    pub website_max_chars: usize,

    /// Longest comment, in characters.
    #[arg(long, env = "COLLOQUY_BODY_MAX_CHARS", default_value_t = 10_000)]
    pub body_max_chars: usize,
}

impl Config {
    /// The configuration a test starts from: defaults, the given database, port 0, no
    /// posting limit (tests post from one address; the limit has tests of its own) and no
    /// moderation (it has tests of its own too).
    pub fn for_tests(database: Database) -> Self {
        let mut config = Config::parse_from(["colloquy-server"]);
        config.database = database;
        config.listen = SocketAddr::from(([127, 0, 0, 1], 0));
        config.posts_per_minute = 0;
        config.moderation = Moderation::None;
        config
    }

    /// Every site's settings until its owner changes them.
    pub fn default_settings(&self) -> Settings {
        Settings {
            moderation: self.moderation,
            posts_per_minute: self.posts_per_minute,
            edit_window_secs: self.edit_window.as_secs(),
        }
    }

    pub fn form_rules(&self) -> FormRules {
        FormRules {
            name: FieldRule {
                required: self.name_required,
                max_len: self.name_max_chars,
            },
            email: FieldRule {
                required: self.email_required,
                max_len: self.email_max_chars,
            },
            website: FieldRule {
                required: false,
                max_len: self.website_max_chars,
            },
            body: FieldRule {
                required: true,
                max_len: self.body_max_chars,
            },
        }
    }
}

/// An address (`192.0.2.7`, `::1`) or a network (`10.0.0.0/8`).
fn parse_network(text: &str) -> Result<IpNet, String> {
    let text = text.trim();
    text.parse::<IpNet>()
        .or_else(|_| text.parse::<std::net::IpAddr>().map(IpNet::from))
        .map_err(|_| format!("{text:?} is neither an IP address nor a network like 10.0.0.0/8"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxies_are_addresses_or_networks() {
        assert_eq!(
            parse_network("127.0.0.1").unwrap(),
            "127.0.0.1/32".parse::<IpNet>().unwrap()
        );
        assert!(parse_network("10.0.0.0/8")
            .unwrap()
            .contains(&"10.1.2.3".parse::<std::net::IpAddr>().unwrap()));
        assert!(parse_network("::1").is_ok());
        assert!(parse_network("proxy.internal").is_err());
    }
}
