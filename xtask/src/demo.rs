//! `cargo xtask demo`: the widget built in release, the server on SQLite with the demo
//! thread, and the URL to open.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{ExitCode, Stdio};

use crate::server::{build_with_widget, Profile};
use crate::{tools, widget};

pub fn run(port: u16, database: &Path) -> Result<ExitCode, String> {
    tools::ensure_build_tools()?;
    widget::build()?;
    let server = build_with_widget(Profile::Release)?;
    let database = std::env::current_dir()
        .map_err(|e| e.to_string())?
        .join(database);
    add_demo_owner(&server, &database)?;
    // The binary serves the widget it carries, as an installed one does. The demo
    // publishes every comment at once (a server's default holds a newcomer's first
    // comment for the owner's approval: try it with --moderation first-time).
    let mut child = std::process::Command::new(&server)
        .arg("--listen")
        .arg(format!("127.0.0.1:{port}"))
        .arg("--database")
        .arg(&database)
        .arg("--seed-demo")
        .arg("--moderation")
        .arg("none")
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {server:?}: {e}"))?;
    if let Some(stdout) = child.stdout.take() {
        let mut lines = BufReader::new(stdout).lines();
        // Its first line says it is listening; the address is the one asked for.
        if let Some(Ok(line)) = lines.next() {
            println!("{line}");
            println!();
            println!("  Colloquy demo: http://127.0.0.1:{port}/");
            println!(
                "  Console:       http://127.0.0.1:{port}/admin/ ({DEMO_OWNER} / {DEMO_PASSWORD})"
            );
            println!("  Database:      {}", database.display());
            println!("  Stop with Ctrl-C.");
            println!();
        }
        std::thread::spawn(move || lines.map_while(Result::ok).for_each(|l| println!("{l}")));
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    Ok(if status.success() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// The demo's site owner, so the console can be tried at once. Only for a local demo: a
/// real installation makes its owners with `colloquy-server admin add`.
const DEMO_OWNER: &str = "demo@colloquy.example";
const DEMO_PASSWORD: &str = "colloquy-demo";

/// Adds the demo owner unless the database has them already.
fn add_demo_owner(server: &Path, database: &Path) -> Result<(), String> {
    let mut child = std::process::Command::new(server)
        .args([
            "admin",
            "add",
            DEMO_OWNER,
            "--name",
            "Demo Owner",
            "--password-stdin",
        ])
        .arg("--database")
        .arg(database)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {server:?}: {e}"))?;
    if let Some(mut stdin) = child.stdin.take() {
        use std::io::Write;
        writeln!(stdin, "{DEMO_PASSWORD}").map_err(|e| e.to_string())?;
    }
    let output = child.wait_with_output().map_err(|e| e.to_string())?;
    let said = String::from_utf8_lossy(&output.stderr);
    if output.status.success() || said.contains("an owner already") {
        Ok(())
    } else {
        Err(format!("cannot add the demo owner: {said}"))
    }
}
