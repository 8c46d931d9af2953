//! The import engine: takes any source's records, maps their thread keys, and writes them
//! through one [`ImportSession`], so an import is all or nothing. The source's ids become
//! the comments' keys (`wp-42`, `disqus-9`, `isso-7`; an export's keys as they are), so
//! importing the same file again finds every comment already there and adds nothing.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use colloquy_core::thread_key::{check_thread_key, normalize_path};
use futures_util::{Stream, StreamExt};

use super::{ImportedComment, InputError, Record, SourceStatus};
use crate::storage::{FullComment, ImportSession, Store, StoreError};

/// Which system the records come from: it decides how their ids become keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    WordPress,
    Disqus,
    Isso,
    /// Colloquy's own export: keys are kept as they are.
    Colloquy,
}

impl Source {
    fn key(self, source_id: &str) -> String {
        match self {
            Source::WordPress => format!("wp-{source_id}"),
            Source::Disqus => format!("disqus-{source_id}"),
            Source::Isso => format!("isso-{source_id}"),
            Source::Colloquy => source_id.to_owned(),
        }
    }
}

/// What the owner asked for.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Import comments the source held for moderation (they become visible: Colloquy
    /// shows every comment it has).
    pub include_pending: bool,
    /// Import comments the source marked as spam (visible too).
    pub include_spam: bool,
    /// Read and check everything, write nothing.
    pub dry_run: bool,
    pub mapping: KeyMapping,
    /// The site the comments go to (`--site`); 0 means the default site.
    pub site: i64,
}

/// How the source's page addresses become thread keys: exact entries from a two-column
/// file first, then prefix rewrites, then the same normalisation the loader applies to a
/// page's path (`/post/`, `/post/index.html` and `/post` are one thread), and
/// percent-encoding of anything a thread key may not hold.
#[derive(Clone, Debug, Default)]
pub struct KeyMapping {
    exact: HashMap<String, String>,
    prefixes: Vec<(String, String)>,
}

impl KeyMapping {
    /// `OLD=NEW`: a key starting with `OLD` starts with `NEW` instead.
    pub fn add_rewrite(&mut self, rule: &str) -> Result<(), String> {
        let (old, new) = rule
            .split_once('=')
            .ok_or_else(|| format!("{rule:?} is not OLD=NEW"))?;
        if old.is_empty() {
            return Err(format!("{rule:?} rewrites an empty prefix"));
        }
        self.prefixes.push((old.to_owned(), new.to_owned()));
        Ok(())
    }

    /// A file of lines `OLD NEW` (whitespace between; `#` starts a comment).
    pub fn load(&mut self, file: &Path) -> Result<(), String> {
        let text = std::fs::read_to_string(file)
            .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        for (index, line) in text.lines().enumerate() {
            let line = line.split('#').next().unwrap_or_default().trim();
            if line.is_empty() {
                continue;
            }
            let mut columns = line.split_whitespace();
            match (columns.next(), columns.next(), columns.next()) {
                (Some(old), Some(new), None) => {
                    self.exact.insert(old.to_owned(), new.to_owned());
                }
                _ => {
                    return Err(format!(
                        "{} line {}: expected two columns, OLD and NEW",
                        file.display(),
                        index + 1
                    ))
                }
            }
        }
        Ok(())
    }

    /// The thread key `source_key` is stored under. `normalise` is false for Colloquy's
    /// own exports, whose keys are thread keys already.
    pub fn map(&self, source_key: &str, normalise: bool) -> Result<String, String> {
        let mapped = match self.exact.get(source_key) {
            Some(new) => new.clone(),
            None => self
                .prefixes
                .iter()
                .find_map(|(old, new)| {
                    source_key
                        .strip_prefix(old.as_str())
                        .map(|rest| format!("{new}{rest}"))
                })
                .unwrap_or_else(|| source_key.to_owned()),
        };
        let key = if normalise {
            percent_encode_key(&normalize_path(without_origin(&mapped)))
        } else {
            mapped
        };
        check_thread_key(&key)
            .map(|()| key.clone())
            .map_err(|_| format!("{key:?} cannot be a thread key (longer than 256 bytes)"))
    }
}

/// `https://example.org/a/b` → `/a/b`; a path stays as it is.
fn without_origin(address: &str) -> &str {
    let Some((_, rest)) = address.split_once("://") else {
        return address;
    };
    rest.find('/').map_or("/", |slash| &rest[slash..])
}

/// Percent-encodes every byte a thread key may not hold (`?`, `#`, spaces, non-ASCII…).
fn percent_encode_key(path: &str) -> String {
    let allowed = |b: u8| b.is_ascii_alphanumeric() || b"-._~/:@!$&'()*+,;=%".contains(&b);
    path.bytes()
        .map(|b| {
            if allowed(b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// What an import did, for the summary at its end.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Per thread, by the key the source gave: the key it is stored under, the comments
    /// added and those that were there already.
    pub threads: BTreeMap<String, ThreadSummary>,
    pub added: u64,
    pub already_there: u64,
    /// Comments left out, counted by reason.
    pub skipped: BTreeMap<&'static str, u64>,
    /// Replies whose parent is not in the input (or was left out): kept at the top level.
    pub orphans: u64,
    pub dry_run: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ThreadSummary {
    pub stored_as: String,
    pub added: u64,
    pub already_there: u64,
}

impl Summary {
    /// The report printed at the end of an import.
    pub fn text(&self) -> String {
        let mut text = String::new();
        for (source, thread) in &self.threads {
            let arrow = if *source == thread.stored_as {
                String::new()
            } else {
                format!(" → {}", thread.stored_as)
            };
            text.push_str(&format!(
                "  {source}{arrow}: {} added, {} already there\n",
                thread.added, thread.already_there
            ));
        }
        text.push_str(&format!(
            "{} threads, {} comments added, {} already there",
            self.threads.len(),
            self.added,
            self.already_there
        ));
        if self.orphans > 0 {
            text.push_str(&format!(
                ", {} replies without their parent kept at the top level",
                self.orphans
            ));
        }
        text.push('\n');
        for (reason, count) in &self.skipped {
            text.push_str(&format!("skipped {count}: {reason}\n"));
        }
        if self.dry_run {
            text.push_str("dry run: nothing was written\n");
        }
        text
    }
}

/// Why an import stopped. Nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("the input cannot be read at {0}")]
    Input(InputError),
    #[error("{0}")]
    Mapping(String),
    #[error("{0}")]
    Store(#[from] StoreError),
}

/// An author left blank in the source.
const NO_NAME: &str = "Anonymous";

/// Reads every record, writes what the options allow in one transaction, and commits it
/// (or, for a dry run, drops it). `on_record` is called after each record, for progress.
pub async fn run(
    store: &dyn Store,
    source: Source,
    records: impl Stream<Item = Result<Record, InputError>>,
    options: &Options,
    mut on_record: impl FnMut(&Summary),
) -> Result<Summary, ImportError> {
    let mut records = std::pin::pin!(records);
    let site = if options.site == 0 {
        crate::storage::DEFAULT_SITE
    } else {
        options.site
    };
    let mut session = store.begin_import(site).await?;
    let mut summary = Summary {
        dry_run: options.dry_run,
        ..Summary::default()
    };
    let mut run = Run {
        source,
        options,
        present: HashSet::new(),
        waiting: HashMap::new(),
    };
    while let Some(record) = records.next().await {
        match record.map_err(ImportError::Input)? {
            Record::Thread { key, title } => {
                let stored_as = options
                    .mapping
                    .map(&key, source != Source::Colloquy)
                    .map_err(ImportError::Mapping)?;
                if let Some(title) = title.filter(|title| !title.trim().is_empty()) {
                    session.set_title(&stored_as, title.trim()).await?;
                }
                summary.threads.entry(key).or_insert_with(|| ThreadSummary {
                    stored_as,
                    ..ThreadSummary::default()
                });
            }
            Record::Comment(comment) => {
                run.comment(session.as_mut(), &mut summary, comment).await?;
            }
            Record::Skipped(reason) => *summary.skipped.entry(reason).or_default() += 1,
        }
        on_record(&summary);
    }
    // Replies whose parent never came: kept, at the top level. A group waiting for a
    // comment that is itself waiting goes in with that comment, so only the first of a
    // missing branch loses its parent (a cycle in the source is broken anywhere).
    loop {
        let waiting_keys: HashSet<(String, String)> = run
            .waiting
            .values()
            .flatten()
            .map(|(comment, _)| (comment.thread.clone(), comment.key.clone()))
            .collect();
        let next = run
            .waiting
            .keys()
            .find(|place| !waiting_keys.contains(*place))
            .or_else(|| run.waiting.keys().next())
            .cloned();
        let Some(place) = next else { break };
        for (mut orphan, source_thread) in run.waiting.remove(&place).unwrap_or_default() {
            orphan.parent_key = None;
            summary.orphans += 1;
            run.store(session.as_mut(), &mut summary, orphan, &source_thread)
                .await?;
        }
    }
    if !options.dry_run {
        session.commit().await?;
    }
    Ok(summary)
}

struct Run<'a> {
    source: Source,
    options: &'a Options,
    /// (thread, key) of every comment known to be stored, by this import or before it.
    present: HashSet<(String, String)>,
    /// Replies waiting for their parent, by (thread, parent key), with the key the source
    /// gave their thread.
    waiting: HashMap<(String, String), Vec<(FullComment, String)>>,
}

impl Run<'_> {
    async fn comment(
        &mut self,
        session: &mut dyn ImportSession,
        summary: &mut Summary,
        comment: ImportedComment,
    ) -> Result<(), ImportError> {
        let skip = match comment.status {
            SourceStatus::Deleted => Some("deleted in the source"),
            SourceStatus::Spam if !self.options.include_spam => {
                Some("marked as spam (--include-spam imports them)")
            }
            SourceStatus::Pending if !self.options.include_pending => {
                Some("awaiting moderation in the source (--include-pending imports them)")
            }
            _ if comment.body.trim().is_empty() => Some("empty"),
            _ => None,
        };
        if let Some(reason) = skip {
            *summary.skipped.entry(reason).or_default() += 1;
            return Ok(());
        }
        let stored_as = self
            .options
            .mapping
            .map(&comment.thread, self.source != Source::Colloquy)
            .map_err(ImportError::Mapping)?;
        let full = FullComment {
            thread: stored_as,
            key: self.source.key(&comment.source_id),
            parent_key: comment
                .parent_source_id
                .as_deref()
                .map(|parent| self.source.key(parent)),
            author: match comment.author.trim() {
                "" => NO_NAME.to_owned(),
                name => name.to_owned(),
            },
            email: comment.email.filter(|email| !email.trim().is_empty()),
            website: comment.website.filter(|website| !website.trim().is_empty()),
            body: comment.body,
            created_at_ms: comment.created_at_ms,
        };
        if let Some(parent) = &full.parent_key {
            let place = (full.thread.clone(), parent.clone());
            if !self.present.contains(&place) && !session.has(&place.0, &place.1).await? {
                self.waiting
                    .entry(place)
                    .or_default()
                    .push((full, comment.thread));
                return Ok(());
            }
        }
        self.store(session, summary, full, &comment.thread).await
    }

    /// Stores `first`, then every reply that was waiting for it (and theirs in turn).
    async fn store(
        &mut self,
        session: &mut dyn ImportSession,
        summary: &mut Summary,
        first: FullComment,
        source_thread: &str,
    ) -> Result<(), ImportError> {
        let mut ready = vec![(first, source_thread.to_owned())];
        while let Some((comment, source_thread)) = ready.pop() {
            let added = session.add(&comment).await?;
            let thread = summary
                .threads
                .entry(source_thread)
                .or_insert_with(|| ThreadSummary {
                    stored_as: comment.thread.clone(),
                    ..ThreadSummary::default()
                });
            if added {
                thread.added += 1;
                summary.added += 1;
            } else {
                thread.already_there += 1;
                summary.already_there += 1;
            }
            let place = (comment.thread, comment.key);
            if let Some(children) = self.waiting.remove(&place) {
                ready.extend(children);
            }
            self.present.insert(place);
        }
        Ok(())
    }
}
