//! The subcommands of the one binary: imports, export, backup and moving threads. Without
//! one, `colloquy-server` serves (see `main.rs`). Each command opens the database named by
//! `--database` (creating its tables if needed), says what it is doing on standard error,
//! and ends with a summary; a failure is one sentence and a non-zero exit, with nothing
//! written.

use std::fs::File;
use std::io::{BufReader, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::{Args, Parser, Subcommand, ValueEnum};
use futures_util::stream;

use crate::admin::commands::{self, AdminAction, SiteAction};
use crate::config::Config;
use crate::import::engine::{self, KeyMapping, Options, Source, Summary};
use crate::import::{colloquy, disqus, isso, wordpress};
use crate::storage::{self, Store, ThreadRef, DEFAULT_SITE};
use crate::words;

/// The Colloquy comment server.
///
/// Without a subcommand it serves the comment API under /api/v1, the widget's files (the
/// loader at /embed.js) and the demo page at /. Every flag can also be set through the
/// environment variable named beside it.
#[derive(Parser, Debug)]
#[command(name = "colloquy-server", version, about, long_about)]
pub struct Cli {
    #[command(flatten)]
    pub config: Config,
    /// The site a command works on (import, export, threads, admin add): the name given
    /// to `colloquy-server site add`. The default site when absent.
    #[arg(long, global = true, env = "COLLOQUY_SITE")]
    pub site: Option<String>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Bring comments in from WordPress, Disqus, Isso or a Colloquy export. Importing the
    /// same file again adds nothing; malformed input is refused with nothing written.
    Import {
        #[command(subcommand)]
        source: ImportSource,
    },
    /// Write every comment (or one thread's) as JSON lines, emails included.
    Export {
        /// Only this thread.
        #[arg(long)]
        thread: Option<String>,
        /// The file to write (standard output by default).
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// A consistent copy of the SQLite database, taken while the server keeps serving.
    /// Restore by stopping the server and putting the copy in the database's place.
    Backup {
        /// Where to write the copy; it must not exist yet.
        file: PathBuf,
    },
    /// Keep comments with their pages when the pages' addresses change.
    Threads {
        #[command(subcommand)]
        action: ThreadsAction,
    },
    /// The owners who sign in to the console at /admin.
    Admin {
        #[command(subcommand)]
        action: AdminAction,
    },
    /// The sites this server holds comments for, each with its own origins, threads,
    /// settings and owners.
    Site {
        #[command(subcommand)]
        action: SiteAction,
    },
}

#[derive(Subcommand, Debug)]
pub enum ImportSource {
    /// A WordPress export (Tools → Export, WXR). The thread key is the post's path.
    Wordpress {
        file: PathBuf,
        /// Take the thread key from the post's link (its permalink) or its guid.
        #[arg(long, value_enum, default_value_t = KeyFrom::Link)]
        key_from: KeyFrom,
        #[command(flatten)]
        options: ImportOptions,
    },
    /// A Disqus export (the XML file Disqus mails).
    Disqus {
        file: PathBuf,
        #[command(flatten)]
        options: ImportOptions,
    },
    /// An Isso database (its SQLite file).
    Isso {
        file: PathBuf,
        #[command(flatten)]
        options: ImportOptions,
    },
    /// A file written by `colloquy-server export`.
    Colloquy {
        file: PathBuf,
        #[command(flatten)]
        options: ImportOptions,
    },
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum KeyFrom {
    Link,
    Guid,
}

#[derive(Args, Debug, Clone)]
pub struct ImportOptions {
    /// Read and check everything, report what would be imported, write nothing.
    #[arg(long)]
    dry_run: bool,
    /// Also import comments awaiting moderation in the source (they will be visible).
    #[arg(long)]
    include_pending: bool,
    /// Also import comments the source marked as spam (they will be visible).
    #[arg(long)]
    include_spam: bool,
    /// Rewrite thread keys that start with OLD to start with NEW (OLD=NEW; repeatable),
    /// for a site whose addresses changed.
    #[arg(long = "rewrite", value_name = "OLD=NEW")]
    rewrites: Vec<String>,
    /// A file of `OLD NEW` lines mapping whole addresses to thread keys.
    #[arg(long = "map", value_name = "FILE")]
    map: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
pub enum ThreadsAction {
    /// Move a thread's comments to a new key (which must have none).
    Move { old: String, new: String },
    /// Add a thread's comments to another thread.
    Merge { from: String, into: String },
}

pub async fn run(config: &Config, site: Option<&str>, command: Command) -> Result<(), String> {
    let store = storage::open(&config.database)
        .await
        .map_err(|e| format!("cannot open {}: {e}", config.database))?;
    let site = match site {
        None => DEFAULT_SITE,
        Some(name) => match store.site_named(name).await.map_err(|e| e.to_string())? {
            Some(site) => site.id,
            None => {
                return Err(format!(
                    "there is no site named {name}; add it with colloquy-server site add {name} --origin https://…"
                ))
            }
        },
    };
    match command {
        Command::Import { source } => import(store.as_ref(), site, source).await,
        Command::Export { thread, output } => export(store.as_ref(), site, thread, output).await,
        Command::Admin { action } => commands::admin(store.as_ref(), site, action).await,
        Command::Site { action } => commands::site(store.as_ref(), action).await,
        Command::Backup { file } => {
            store.backup(&file).await.map_err(|e| e.to_string())?;
            eprintln!("colloquy-server: backup written to {}", file.display());
            Ok(())
        }
        Command::Threads { action } => {
            let (from, to, merge) = match &action {
                ThreadsAction::Move { old, new } => (old, new, false),
                ThreadsAction::Merge { from, into } => (from, into, true),
            };
            for key in [from, to] {
                colloquy_core::thread_key::check_thread_key(key)
                    .map_err(|error| words::current().thread_key(error))?;
            }
            let moved = store
                .move_thread(site, from, to, merge)
                .await
                .map_err(|e| e.to_string())?;
            announce(store.as_ref(), site, [from.as_str(), to.as_str()]).await;
            eprintln!("colloquy-server: {moved} comments moved from {from} to {to}");
            Ok(())
        }
    }
}

async fn import(store: &dyn Store, site: i64, source: ImportSource) -> Result<(), String> {
    let (file, options) = match &source {
        ImportSource::Wordpress { file, options, .. }
        | ImportSource::Disqus { file, options }
        | ImportSource::Isso { file, options }
        | ImportSource::Colloquy { file, options } => (file.clone(), options.clone()),
    };
    let mut mapping = KeyMapping::default();
    for rule in &options.rewrites {
        mapping.add_rewrite(rule)?;
    }
    if let Some(map) = &options.map {
        mapping.load(map)?;
    }
    let options = Options {
        include_pending: options.include_pending,
        include_spam: options.include_spam,
        dry_run: options.dry_run,
        mapping,
        site,
    };
    let size = std::fs::metadata(&file)
        .map_err(|e| format!("cannot read {}: {e}", file.display()))?
        .len();
    let progress = Progress::new(size);
    let summary = match source {
        ImportSource::Wordpress { key_from, .. } => {
            let key_from = match key_from {
                KeyFrom::Link => wordpress::KeyFrom::Link,
                KeyFrom::Guid => wordpress::KeyFrom::Guid,
            };
            let input = progress.reading(open(&file)?);
            let records = stream::iter(wordpress::read(BufReader::new(input), key_from));
            engine::run(store, Source::WordPress, records, &options, |s| {
                progress.tick(s)
            })
            .await
        }
        ImportSource::Disqus { .. } => {
            let input = progress.reading(open(&file)?);
            let records = stream::iter(disqus::read(BufReader::new(input)));
            engine::run(store, Source::Disqus, records, &options, |s| {
                progress.tick(s)
            })
            .await
        }
        ImportSource::Isso { .. } => {
            let pool = isso::open(&file).await.map_err(|e| e.to_string())?;
            let records = isso::read(&pool);
            engine::run(store, Source::Isso, records, &options, |s| progress.tick(s)).await
        }
        ImportSource::Colloquy { .. } => {
            let input = progress.reading(open(&file)?);
            let records = stream::iter(colloquy::read(BufReader::new(input)));
            engine::run(store, Source::Colloquy, records, &options, |s| {
                progress.tick(s)
            })
            .await
        }
    };
    progress.finish();
    let summary = summary.map_err(|e| format!("{e}; nothing was written"))?;
    if !summary.dry_run {
        let stored: Vec<&str> = summary
            .threads
            .values()
            .map(|thread| thread.stored_as.as_str())
            .collect();
        announce(store, site, stored).await;
    }
    eprint!("{}", summary.text());
    Ok(())
}

/// Tells running servers on the same PostgreSQL database which threads changed (a SQLite
/// server notices within its cache's lifetime, a minute).
async fn announce<'a>(store: &dyn Store, site: i64, threads: impl IntoIterator<Item = &'a str>) {
    for thread in threads {
        if let Err(error) = store.announce_change(&ThreadRef::new(site, thread)).await {
            eprintln!("colloquy-server: running servers were not told about {thread}: {error}");
        }
    }
}

fn open(file: &Path) -> Result<File, String> {
    File::open(file).map_err(|e| format!("cannot read {}: {e}", file.display()))
}

async fn export(
    store: &dyn Store,
    site: i64,
    thread: Option<String>,
    output: Option<PathBuf>,
) -> Result<(), String> {
    let exported = match &output {
        Some(path) => {
            let file =
                File::create(path).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            let mut out = std::io::BufWriter::new(file);
            colloquy::export(store, site, thread.as_deref(), &mut out).await
        }
        None => {
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            colloquy::export(store, site, thread.as_deref(), &mut out).await
        }
    }
    .map_err(|e| e.to_string())?;
    eprintln!(
        "colloquy-server: exported {} threads, {} comments",
        exported.threads, exported.comments
    );
    Ok(())
}

/// Progress on standard error: a bar on a terminal, a plain line every few seconds
/// otherwise (a log, a pipe, CI).
struct Progress {
    bar: Option<indicatif::ProgressBar>,
    total: u64,
    read: Arc<AtomicU64>,
    last_line: std::cell::Cell<Instant>,
}

/// How often the plain progress line is written.
const PLAIN_EVERY: Duration = Duration::from_secs(5);

impl Progress {
    fn new(total: u64) -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = indicatif::ProgressBar::new(total);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{bar:40} {bytes}/{total_bytes} {msg} ({eta} left)",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            bar
        });
        Self {
            bar,
            total,
            read: Arc::default(),
            last_line: std::cell::Cell::new(Instant::now()),
        }
    }

    /// Counts the bytes read through `input`.
    fn reading(&self, input: File) -> CountingReader {
        CountingReader {
            inner: input,
            read: self.read.clone(),
        }
    }

    fn tick(&self, summary: &Summary) {
        let read = self.read.load(Ordering::Relaxed);
        let message = format!(
            "{} comments added, {} already there",
            summary.added, summary.already_there
        );
        match &self.bar {
            Some(bar) => {
                bar.set_position(read);
                bar.set_message(message);
            }
            None if self.last_line.get().elapsed() >= PLAIN_EVERY => {
                self.last_line.set(Instant::now());
                let percent = (read * 100).checked_div(self.total).unwrap_or(0);
                let mut stderr = std::io::stderr().lock();
                let _ = writeln!(stderr, "colloquy-server: {percent}% read, {message}");
            }
            None => {}
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

struct CountingReader {
    inner: File,
    read: Arc<AtomicU64>,
}

impl Read for CountingReader {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        let count = self.inner.read(buffer)?;
        self.read.fetch_add(count as u64, Ordering::Relaxed);
        Ok(count)
    }
}
