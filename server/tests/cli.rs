//! The subcommands as a site owner runs them: the real binary on files written the way
//! WordPress, Disqus and Isso write them (`colloquy_server::import::samples`), a real
//! SQLite file, and the exit code and words on standard error.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use colloquy_server::import::samples::{
    self, example_isso_posts, example_posts, SampleKind, SamplePost, SampleStatus,
};
use colloquy_server::storage::{self, Database, Store, ThreadRef, DEFAULT_SITE};

fn colloquy(database: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_colloquy-server"))
        .args(args)
        .arg("--database")
        .arg(database)
        .env_remove("COLLOQUY_DATABASE")
        .output()
        .expect("run colloquy-server")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The comments an import keeps by default: approved ones, pingbacks and trackbacks left
/// out.
fn kept(posts: &[SamplePost]) -> usize {
    posts
        .iter()
        .flat_map(|post| &post.comments)
        .filter(|c| c.status == SampleStatus::Approved && c.kind == SampleKind::Comment)
        .count()
}

async fn store(database: &Path) -> std::sync::Arc<dyn Store> {
    storage::open(&Database::Sqlite(database.to_owned()))
        .await
        .unwrap()
}

async fn comment_count(store: &dyn Store) -> usize {
    let mut count = 0;
    for thread in store.thread_keys(DEFAULT_SITE).await.unwrap() {
        count += store
            .thread_comments(&ThreadRef::default_site(thread.as_str()))
            .await
            .unwrap()
            .len();
    }
    count
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[tokio::test]
async fn a_wordpress_export_comes_in_nested_once_and_a_truncated_one_not_at_all() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("c.db");
    let posts = example_posts();
    let wxr = samples::wordpress_wxr(&posts);

    // A file cut off in the middle: refused with the place and reason, nothing written.
    let truncated = write(dir.path(), "cut.xml", &wxr[..wxr.len() * 2 / 3]);
    let refused = colloquy(
        &database,
        &["import", "wordpress", truncated.to_str().unwrap()],
    );
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("nothing was written"),
        "{}",
        stderr(&refused)
    );
    assert_eq!(comment_count(store(&database).await.as_ref()).await, 0);

    let file = write(dir.path(), "wordpress.xml", &wxr);
    let dry = colloquy(
        &database,
        &["import", "wordpress", file.to_str().unwrap(), "--dry-run"],
    );
    assert!(dry.status.success(), "{}", stderr(&dry));
    assert!(stderr(&dry).contains("dry run"), "{}", stderr(&dry));
    assert_eq!(comment_count(store(&database).await.as_ref()).await, 0);

    let first = colloquy(&database, &["import", "wordpress", file.to_str().unwrap()]);
    assert!(first.status.success(), "{}", stderr(&first));
    let summary = stderr(&first);
    assert!(
        summary.contains(&format!("{} comments added", kept(&posts))),
        "{summary}"
    );
    assert!(
        summary.contains("spam"),
        "skipped spam is reported: {summary}"
    );
    let store = store(&database).await;
    assert_eq!(comment_count(store.as_ref()).await, kept(&posts));

    // Nesting survives: every reply's parent is in its thread.
    for thread in store.thread_keys(DEFAULT_SITE).await.unwrap() {
        let comments = store
            .thread_comments(&ThreadRef::default_site(thread.as_str()))
            .await
            .unwrap();
        let ids: Vec<i64> = comments.iter().map(|c| c.id).collect();
        for comment in &comments {
            if let Some(parent) = comment.parent_id {
                assert!(
                    ids.contains(&parent),
                    "{thread}: a reply without its parent"
                );
            }
            // Markup a reader typed is kept as escaped text, never as markup.
            let bare = comment.body.replace("\\<", "");
            assert!(!bare.contains('<'), "markup left in {:?}", comment.body);
        }
    }
    let mut depth = 0;
    for thread in store.thread_keys(DEFAULT_SITE).await.unwrap() {
        let comments = store
            .thread_comments(&ThreadRef::default_site(thread.as_str()))
            .await
            .unwrap();
        let deepest = colloquy_core::tree::build_reply_tree(&comments)
            .iter()
            .map(|entry| entry.depth)
            .max()
            .unwrap_or(0);
        depth = depth.max(deepest);
    }
    assert!(
        depth >= 2,
        "replies of replies came in nested (depth {depth})"
    );

    let again = colloquy(&database, &["import", "wordpress", file.to_str().unwrap()]);
    assert!(again.status.success());
    assert!(
        stderr(&again).contains("0 comments added"),
        "{}",
        stderr(&again)
    );
    assert_eq!(comment_count(store.as_ref()).await, kept(&posts));
}

#[tokio::test]
async fn disqus_and_isso_come_in_too() {
    let dir = tempfile::tempdir().unwrap();
    let posts = example_posts();
    let disqus = write(dir.path(), "disqus.xml", &samples::disqus_export(&posts));
    let database = dir.path().join("disqus.db");
    let output = colloquy(&database, &["import", "disqus", disqus.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        comment_count(store(&database).await.as_ref()).await,
        kept(&posts)
    );

    let isso_posts = example_isso_posts();
    let isso = dir.path().join("isso.db");
    samples::isso_database(&isso, &isso_posts).await.unwrap();
    let database = dir.path().join("isso-import.db");
    let output = colloquy(&database, &["import", "isso", isso.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        comment_count(store(&database).await.as_ref()).await,
        kept(&isso_posts)
    );

    let not_isso = write(dir.path(), "not.db", "plain text");
    let refused = colloquy(&database, &["import", "isso", not_isso.to_str().unwrap()]);
    assert!(!refused.status.success());
}

#[tokio::test]
async fn export_import_export_and_threads_follow_their_pages() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("c.db");
    let file = write(
        dir.path(),
        "wp.xml",
        &samples::wordpress_wxr(&example_posts()),
    );
    assert!(
        colloquy(&database, &["import", "wordpress", file.to_str().unwrap()])
            .status
            .success()
    );

    let first = dir.path().join("first.jsonl");
    let output = colloquy(&database, &["export", "--output", first.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let copy = dir.path().join("copy.db");
    let output = colloquy(&copy, &["import", "colloquy", first.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let second = dir.path().join("second.jsonl");
    assert!(
        colloquy(&copy, &["export", "--output", second.to_str().unwrap()])
            .status
            .success()
    );
    assert_eq!(
        std::fs::read(&first).unwrap(),
        std::fs::read(&second).unwrap(),
        "export → import → export is the same file"
    );

    let store = store(&database).await;
    let old = store.thread_keys(DEFAULT_SITE).await.unwrap()[0].clone();
    let count = store
        .thread_comments(&ThreadRef::default_site(old.as_str()))
        .await
        .unwrap()
        .len();
    let moved = colloquy(&database, &["threads", "move", &old, "/moved"]);
    assert!(moved.status.success(), "{}", stderr(&moved));
    assert_eq!(
        store
            .thread_comments(&ThreadRef::default_site("/moved"))
            .await
            .unwrap()
            .len(),
        count
    );
    assert!(store
        .thread_comments(&ThreadRef::default_site(old.as_str()))
        .await
        .unwrap()
        .is_empty());
    let bad = colloquy(&database, &["threads", "move", "/moved", "has space"]);
    assert!(
        !bad.status.success(),
        "a key that cannot be a thread key is refused"
    );

    let backup = dir.path().join("backup.db");
    let output = colloquy(&database, &["backup", backup.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let restored = storage::open(&Database::Sqlite(backup.clone()))
        .await
        .unwrap();
    assert_eq!(
        restored
            .thread_comments(&ThreadRef::default_site("/moved"))
            .await
            .unwrap()
            .len(),
        count
    );
    let twice = colloquy(&database, &["backup", backup.to_str().unwrap()]);
    assert!(!twice.status.success(), "a backup never overwrites");
}

fn colloquy_with_input(database: &Path, args: &[&str], input: &str) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_colloquy-server"))
        .args(args)
        .arg("--database")
        .arg(database)
        .env_remove("COLLOQUY_DATABASE")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run colloquy-server");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[tokio::test]
async fn owners_and_sites_are_made_on_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("c.db");

    // A site, then an owner of it, the password from standard input.
    let added = colloquy(
        &database,
        &[
            "site",
            "add",
            "blog.example.org",
            "--origin",
            "https://Blog.Example.org/",
        ],
    );
    assert!(added.status.success(), "{}", stderr(&added));
    let listed = colloquy(&database, &["site", "list"]);
    let listed = String::from_utf8_lossy(&listed.stdout).into_owned();
    assert!(
        listed.contains("blog.example.org\thttps://blog.example.org"),
        "{listed}"
    );
    let taken = colloquy(
        &database,
        &[
            "site",
            "add",
            "other",
            "--origin",
            "https://blog.example.org",
        ],
    );
    assert!(!taken.status.success());
    assert!(
        stderr(&taken).contains("belongs to another site"),
        "{}",
        stderr(&taken)
    );
    let bad = colloquy(
        &database,
        &["site", "add", "x", "--origin", "blog.example.org"],
    );
    assert!(
        stderr(&bad).contains("is not an origin"),
        "{}",
        stderr(&bad)
    );

    let owner = colloquy_with_input(
        &database,
        &[
            "admin",
            "add",
            "Sam@Blog.Example.org",
            "--site",
            "blog.example.org",
            "--password-stdin",
        ],
        "a long enough password\n",
    );
    assert!(owner.status.success(), "{}", stderr(&owner));
    assert!(
        stderr(&owner).contains("sam@blog.example.org (sam) can now sign in"),
        "{}",
        stderr(&owner)
    );
    let short = colloquy_with_input(
        &database,
        &["admin", "add", "x@blog.example.org", "--password-stdin"],
        "short\n",
    );
    assert!(!short.status.success());
    assert!(stderr(&short).contains("at least 10 characters"));
    let nowhere = colloquy_with_input(
        &database,
        &[
            "admin",
            "add",
            "y@blog.example.org",
            "--site",
            "nowhere",
            "--password-stdin",
        ],
        "a long enough password\n",
    );
    assert!(
        stderr(&nowhere).contains("there is no site named nowhere"),
        "{}",
        stderr(&nowhere)
    );

    let store = store(&database).await;
    let account = store
        .owner_account("sam@blog.example.org")
        .await
        .unwrap()
        .unwrap();
    let site = store.site_named("blog.example.org").await.unwrap().unwrap();
    assert_eq!(account.owner.site, site.id);
    assert!(
        account.password_hash.starts_with("$argon2id$"),
        "Argon2id, never the password"
    );
    assert!(!account.password_hash.contains("a long enough password"));

    // A token for scripts: printed once, stored as a hash.
    let token = colloquy(&database, &["admin", "token", "sam@blog.example.org"]);
    assert!(token.status.success(), "{}", stderr(&token));
    let token = String::from_utf8_lossy(&token.stdout).trim().to_owned();
    assert_eq!(token.len(), 64);
    let found = store
        .token_owner(&colloquy_server::tokens::sha256_hex(&token))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.email, "sam@blog.example.org");

    // A new password from a file, then the owner is removed with their tokens.
    let file = write(dir.path(), "password", "another long password\n");
    let changed = colloquy(
        &database,
        &[
            "admin",
            "passwd",
            "sam@blog.example.org",
            "--password-file",
            file.to_str().unwrap(),
        ],
    );
    assert!(changed.status.success(), "{}", stderr(&changed));
    let after = store
        .owner_account("sam@blog.example.org")
        .await
        .unwrap()
        .unwrap();
    assert_ne!(after.password_hash, account.password_hash);
    let removed = colloquy(&database, &["admin", "remove", "sam@blog.example.org"]);
    assert!(removed.status.success(), "{}", stderr(&removed));
    assert!(store
        .owner_account("sam@blog.example.org")
        .await
        .unwrap()
        .is_none());
    assert!(store
        .token_owner(&colloquy_server::tokens::sha256_hex(&token))
        .await
        .unwrap()
        .is_none());
    let again = colloquy(&database, &["admin", "remove", "sam@blog.example.org"]);
    assert!(!again.status.success());
    assert!(stderr(&again).contains("is not an owner"));
}
