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
    // The binary serves the widget it carries, as an installed one does.
    let mut child = std::process::Command::new(&server)
        .arg("--listen")
        .arg(format!("127.0.0.1:{port}"))
        .arg("--database")
        .arg(&database)
        .arg("--seed-demo")
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
