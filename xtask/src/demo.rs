//! `cargo xtask demo`: the widget built in release, the server on SQLite with the demo
//! thread, and the URL to open.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{ExitCode, Stdio};

use crate::process::{command, run as run_step};
use crate::{tools, widget, workspace_root};

pub fn run(port: u16, database: &Path) -> Result<ExitCode, String> {
    tools::ensure_build_tools()?;
    widget::build()?;
    println!("xtask: building the server (cargo build --release -p colloquy-server)");
    let mut build = command("cargo");
    build.args(["build", "--release", "-p", "colloquy-server"]);
    run_step(build, "building the server")?;

    let database = std::env::current_dir()
        .map_err(|e| e.to_string())?
        .join(database);
    let server = workspace_root()
        .join("target")
        .join("release")
        .join("colloquy-server");
    let mut child = std::process::Command::new(&server)
        .arg("--listen")
        .arg(format!("127.0.0.1:{port}"))
        .arg("--database")
        .arg(&database)
        .arg("--assets")
        .arg(workspace_root().join("dist"))
        .arg("--seed-demo")
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {server:?}: {e}"))?;
    if let Some(stdout) = child.stdout.take() {
        let mut lines = BufReader::new(stdout).lines();
        if let Some(Ok(line)) = lines.next() {
            println!("{line}");
            if let Some(url) = line.split_whitespace().find(|w| w.starts_with("http://")) {
                println!();
                println!("  Colloquy demo: {url}");
                println!("  Database:      {}", database.display());
                println!("  Stop with Ctrl-C.");
                println!();
            }
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
