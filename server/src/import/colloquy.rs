//! Colloquy's own export: JSON lines that hold everything (emails included: it is the
//! owner's data), written by `colloquy-server export` and read back by
//! `colloquy-server import colloquy`. The first line names the format; then each thread
//! (`{"thread": {"key", "title"}}`) is followed by its comments, oldest first
//! (`{"comment": {…}}`), parents named by key. Exporting, importing into an empty
//! database and exporting again gives the same bytes. Edit-token hashes are not exported:
//! edits are a matter of minutes after posting, not of a move.

use std::io::{BufRead, Write};

use serde::{Deserialize, Serialize};

use super::{ImportedComment, InputError, Record, SourceStatus};
use crate::storage::ThreadRef;
use crate::storage::{FullComment, Store, StoreError};

const FORMAT: &str = "colloquy-export";
const VERSION: u32 = 1;

/// One line of the file, as serde sees it: `{"thread": …}`, `{"comment": …}` or the
/// header's plain object.
#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum Wire {
    Header { format: String, version: u32 },
    Tagged(TaggedLine),
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum TaggedLine {
    Thread { key: String, title: Option<String> },
    Comment(FullComment),
}

/// How much an export wrote.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Exported {
    pub threads: u64,
    pub comments: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("cannot write the export: {0}")]
    Write(#[from] std::io::Error),
}

/// Writes every thread (or the one named) to `out`.
pub async fn export(
    store: &dyn Store,
    site: i64,
    only: Option<&str>,
    out: &mut impl Write,
) -> Result<Exported, ExportError> {
    let header = Wire::Header {
        format: FORMAT.to_owned(),
        version: VERSION,
    };
    write_line(out, &header)?;
    let threads = match only {
        Some(thread) => vec![thread.to_owned()],
        None => store.thread_keys(site).await?,
    };
    let mut exported = Exported::default();
    for key in threads {
        let thread = ThreadRef::new(site, key.as_str());
        let title = store.thread_title(&thread).await?;
        let comments = store.export_thread(&thread).await?;
        if comments.is_empty() && title.is_none() {
            continue;
        }
        write_line(out, &Wire::Tagged(TaggedLine::Thread { key, title }))?;
        exported.threads += 1;
        for comment in comments {
            write_line(out, &Wire::Tagged(TaggedLine::Comment(comment)))?;
            exported.comments += 1;
        }
    }
    out.flush()?;
    Ok(exported)
}

fn write_line(out: &mut impl Write, line: &Wire) -> Result<(), ExportError> {
    serde_json::to_writer(&mut *out, line).map_err(std::io::Error::from)?;
    out.write_all(b"\n")?;
    Ok(())
}

/// Reads an export back, line by line.
pub fn read<R: BufRead>(input: R) -> impl Iterator<Item = Result<Record, InputError>> {
    let mut lines = input.lines().enumerate();
    let mut started = false;
    let mut failed = false;
    std::iter::from_fn(move || loop {
        if failed {
            return None;
        }
        let (index, line) = match lines.next() {
            Some(next) => next,
            None if started => return None,
            None => {
                failed = true;
                return Some(Err(InputError::new("line 1", "the file is empty")));
            }
        };
        let place = format!("line {}", index + 1);
        let fail = |reason: String| Some(Err(InputError::new(place.clone(), reason)));
        let line = match line {
            Ok(line) => line,
            Err(error) => {
                failed = true;
                return fail(error.to_string());
            }
        };
        if line.trim().is_empty() {
            continue;
        }
        let parsed: Result<Wire, _> = serde_json::from_str(&line);
        match (started, parsed) {
            (false, Ok(Wire::Header { format, version })) => {
                if format != FORMAT || version != VERSION {
                    failed = true;
                    return fail(format!(
                        "this is {format} version {version}, not {FORMAT} version {VERSION}"
                    ));
                }
                started = true;
            }
            (false, _) => {
                failed = true;
                return fail(format!(
                    "not a Colloquy export (it starts with no {FORMAT} line)"
                ));
            }
            (true, Ok(Wire::Tagged(TaggedLine::Thread { key, title }))) => {
                return Some(Ok(Record::Thread { key, title }));
            }
            (true, Ok(Wire::Tagged(TaggedLine::Comment(comment)))) => {
                return Some(Ok(Record::Comment(ImportedComment {
                    thread: comment.thread,
                    source_id: comment.key,
                    parent_source_id: comment.parent_key,
                    author: comment.author,
                    email: comment.email,
                    website: comment.website,
                    body: comment.body,
                    created_at_ms: comment.created_at_ms,
                    status: SourceStatus::Approved,
                })));
            }
            (true, Ok(Wire::Header { .. })) => {
                failed = true;
                return fail("a second header in the middle of the file".to_owned());
            }
            (true, Err(error)) => {
                failed = true;
                return fail(format!("not a thread or a comment: {error}"));
            }
        }
    })
}
