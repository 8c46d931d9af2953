//! A PostgreSQL database of a journey's own: created on the server that
//! `COLLOQUY_TEST_POSTGRES` names (an administrator's URL) with the `psql` client, and
//! dropped again when it is dropped, so journeys in separate test binaries never share one.

use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};

/// The administrator's URL from `COLLOQUY_TEST_POSTGRES`.
pub fn admin_url() -> String {
    std::env::var("COLLOQUY_TEST_POSTGRES").expect(
        "COLLOQUY_TEST_POSTGRES is not set: name a PostgreSQL server this journey may create \
         databases on (postgres://postgres@127.0.0.1:5432/postgres), or run `cargo xtask test`",
    )
}

/// A fresh, empty database. Dropping it drops the database, whoever is still connected.
pub struct Database {
    /// `postgres://…/<name>`, for the server's `--database`.
    pub url: String,
    name: String,
    admin: String,
}

impl Database {
    /// Creates `colloquy_e2e_<label>_<process id>_<n>` (`label`: lowercase letters, digits
    /// and `_`).
    pub fn create(label: &str) -> Database {
        static CREATED: AtomicU32 = AtomicU32::new(0);
        assert!(
            label
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
            "a database label of lowercase letters, digits and _, not {label:?}"
        );
        let name = format!(
            "colloquy_e2e_{label}_{}_{}",
            std::process::id(),
            CREATED.fetch_add(1, Ordering::SeqCst)
        );
        let admin = admin_url();
        psql(&admin, &format!("CREATE DATABASE {name}"))
            .unwrap_or_else(|e| panic!("cannot create the database {name}: {e}"));
        Database {
            url: with_database(&admin, &name),
            name,
            admin,
        }
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        // FORCE ends sessions a server left behind (PostgreSQL 13 and later).
        if let Err(e) = psql(
            &self.admin,
            &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
        ) {
            eprintln!("could not drop the database {}: {e}", self.name);
        }
    }
}

/// Runs one SQL statement with `psql` as the administrator.
fn psql(admin: &str, statement: &str) -> Result<(), String> {
    let output = Command::new("psql")
        .arg(admin)
        .args(["--no-psqlrc", "--quiet", "-v", "ON_ERROR_STOP=1", "-c"])
        .arg(statement)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run psql (install postgresql-client): {e}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "psql said: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        ))
    }
}

/// `url` with its database (the path after the host) replaced by `name`; its query, if any,
/// is kept.
fn with_database(url: &str, name: &str) -> String {
    let (address, query) = match url.split_once('?') {
        Some((address, query)) => (address, Some(query)),
        None => (url, None),
    };
    let after_scheme = address.find("://").map_or(0, |at| at + 3);
    let server = match address[after_scheme..].find('/') {
        Some(slash) => &address[..after_scheme + slash],
        None => address,
    };
    match query {
        Some(query) => format!("{server}/{name}?{query}"),
        None => format!("{server}/{name}"),
    }
}
