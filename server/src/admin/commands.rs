//! `colloquy-server admin …` and `colloquy-server site …`: owners and sites are made on
//! the command line, by whoever runs the server, never through the web.

use std::io::{IsTerminal, Read};
use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::auth::{check_new_password, hash_password};
use crate::clock::now_ms;
use crate::storage::Store;
use crate::tokens::{sha256_hex, ServerSecret};

#[derive(Subcommand, Debug)]
pub enum AdminAction {
    /// Add an owner of the site (`--site`, the default site when absent). The password is
    /// asked for on the terminal, or read from a file or standard input.
    Add {
        email: String,
        /// The name shown on the owner's replies, with the "Author" badge; readers may not
        /// post under it. The email's part before the @ by default.
        #[arg(long)]
        name: Option<String>,
        #[command(flatten)]
        password: PasswordSource,
    },
    /// Set an owner's password (this also lifts a lock and ends their sessions).
    Passwd {
        email: String,
        #[command(flatten)]
        password: PasswordSource,
    },
    /// Remove an owner, their sessions and their tokens.
    Remove { email: String },
    /// Print a new API token for an owner, for scripts: send it as
    /// `Authorization: Bearer <token>` to /api/v1/admin/…. It is shown once.
    Token { email: String },
}

#[derive(Args, Debug, Clone)]
pub struct PasswordSource {
    /// Read the password from this file (its first line).
    #[arg(long, conflicts_with = "password_stdin")]
    password_file: Option<PathBuf>,
    /// Read the password from standard input (its first line).
    #[arg(long)]
    password_stdin: bool,
}

#[derive(Subcommand, Debug)]
pub enum SiteAction {
    /// Add a site: its pages' origins are where its widget's requests come from.
    Add {
        /// A name for the site, such as its host (blog.example.org).
        name: String,
        /// An origin its pages are served from (https://blog.example.org); repeatable.
        #[arg(long = "origin", required = true)]
        origins: Vec<String>,
    },
    /// List the sites and their origins.
    List,
}

fn read_password(source: &PasswordSource) -> Result<String, String> {
    let first_line = |text: String| text.lines().next().unwrap_or_default().to_owned();
    let password = if let Some(file) = &source.password_file {
        first_line(
            std::fs::read_to_string(file)
                .map_err(|e| format!("cannot read {}: {e}", file.display()))?,
        )
    } else if source.password_stdin || !std::io::stdin().is_terminal() {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| format!("cannot read the password from standard input: {e}"))?;
        first_line(text)
    } else {
        let first = rpassword::prompt_password("Password: ").map_err(|e| e.to_string())?;
        let again = rpassword::prompt_password("Once more: ").map_err(|e| e.to_string())?;
        if first != again {
            return Err("the two passwords differ; nothing was changed".to_owned());
        }
        first
    };
    check_new_password(&password)?;
    Ok(password)
}

fn checked_email(email: &str) -> Result<String, String> {
    let email = email.trim().to_lowercase();
    if !colloquy_core::validation::is_plausible_email(&email) {
        return Err(format!("{email:?} is not an email address"));
    }
    Ok(email)
}

pub async fn admin(store: &dyn Store, site: i64, action: AdminAction) -> Result<(), String> {
    let refused = |e: crate::storage::StoreError| e.to_string();
    match action {
        AdminAction::Add {
            email,
            name,
            password,
        } => {
            let email = checked_email(&email)?;
            let name = name
                .map(|name| name.trim().to_owned())
                .filter(|name| !name.is_empty())
                .unwrap_or_else(|| email.split('@').next().unwrap_or_default().to_owned());
            let password = read_password(&password)?;
            let hash = hash_password(&password)?;
            store
                .add_owner(site, &email, &name, &hash)
                .await
                .map_err(refused)?;
            eprintln!("colloquy-server: {email} ({name}) can now sign in at /admin");
        }
        AdminAction::Passwd { email, password } => {
            let email = checked_email(&email)?;
            let password = read_password(&password)?;
            let hash = hash_password(&password)?;
            if !store.set_password(&email, &hash).await.map_err(refused)? {
                return Err(format!("{email} is not an owner"));
            }
            eprintln!("colloquy-server: the password of {email} is set; its sessions ended");
        }
        AdminAction::Remove { email } => {
            let email = checked_email(&email)?;
            if !store.remove_owner(&email).await.map_err(refused)? {
                return Err(format!("{email} is not an owner"));
            }
            eprintln!("colloquy-server: {email} is no longer an owner");
        }
        AdminAction::Token { email } => {
            let email = checked_email(&email)?;
            let account = store
                .owner_account(&email)
                .await
                .map_err(refused)?
                .ok_or_else(|| format!("{email} is not an owner"))?;
            let token = ServerSecret::random_token().map_err(|e| e.to_string())?;
            store
                .create_token(&sha256_hex(&token), account.owner.id, now_ms())
                .await
                .map_err(refused)?;
            // The token alone on standard output, for scripts; the words on standard error.
            println!("{token}");
            eprintln!(
                "colloquy-server: a token for {email}; send it as Authorization: Bearer <token>"
            );
        }
    }
    Ok(())
}

/// An origin as browsers send it: scheme, host and port, no path.
fn checked_origin(origin: &str) -> Result<String, String> {
    let origin = origin.trim().trim_end_matches('/').to_ascii_lowercase();
    let valid = origin.split_once("://").is_some_and(|(scheme, rest)| {
        matches!(scheme, "http" | "https")
            && !rest.is_empty()
            && !rest.contains(['/', '?', '#', ' '])
    });
    if !valid {
        return Err(format!(
            "{origin:?} is not an origin: give the scheme and host, such as https://blog.example.org"
        ));
    }
    Ok(origin)
}

pub async fn site(store: &dyn Store, action: SiteAction) -> Result<(), String> {
    match action {
        SiteAction::Add { name, origins } => {
            let name = name.trim().to_owned();
            if name.is_empty() || name.contains(char::is_whitespace) {
                return Err("a site's name is one word, such as its host".to_owned());
            }
            let origins = origins
                .iter()
                .map(|origin| checked_origin(origin))
                .collect::<Result<Vec<_>, _>>()?;
            store
                .add_site(&name, &origins)
                .await
                .map_err(|e| e.to_string())?;
            eprintln!(
                "colloquy-server: site {name} added for {}; add its owner with colloquy-server admin add EMAIL --site {name}",
                origins.join(", ")
            );
        }
        SiteAction::List => {
            for site in store.sites().await.map_err(|e| e.to_string())? {
                let origins = if site.id == crate::storage::DEFAULT_SITE {
                    "(the server's own and --allowed-origin)".to_owned()
                } else {
                    site.origins.join(" ")
                };
                println!("{}\t{}", site.name, origins);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_scheme_and_host() {
        assert_eq!(
            checked_origin("https://Blog.Example.org/").unwrap(),
            "https://blog.example.org"
        );
        assert!(checked_origin("http://127.0.0.1:8080").is_ok());
        assert!(checked_origin("blog.example.org").is_err());
        assert!(checked_origin("https://blog.example.org/path").is_err());
        assert!(checked_origin("ftp://x").is_err());
    }
}
