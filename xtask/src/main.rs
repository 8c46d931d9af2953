//! `cargo xtask demo | test | bench | soak | dist`: everything a newcomer runs. Each command first installs what
//! is missing (and says so), so a fresh machine with only the Rust toolchain works.

mod bench;
mod demo;
mod dist;
mod journeys;
mod order_functions;
mod process;
mod server;
mod short_imports;
mod soak;
mod test;
mod tools;
mod widget;
mod yew_example;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "cargo xtask", about = "Build, run and test Colloquy")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Install what is missing, build the widget, and serve the demo page with its thread.
    Demo {
        /// Port to listen on (127.0.0.1 only).
        #[arg(long, default_value_t = 8080)]
        port: u16,
        /// SQLite database file; created and seeded on first start.
        #[arg(long, default_value = "colloquy.db")]
        database: PathBuf,
    },
    /// Run every check and test: formatting, lints, native, browser and end-to-end tests.
    Test,
    /// Measure payload, rendering and server speed; write bench/REPORT.md and report.json.
    Bench,
    /// Build the release server with the widget inside it, and its SHA-256 checksum.
    Dist,
    /// Two servers on one PostgreSQL under mixed load near the measured peak for N minutes; write bench/SOAK.md.
    Soak {
        #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..))]
        minutes: u64,
    },
}

fn main() -> ExitCode {
    let result = match Cli::parse().command {
        Command::Demo { port, database } => demo::run(port, &database),
        Command::Test => test::run(),
        Command::Bench => bench::run_bench(),
        Command::Dist => dist::run(),
        Command::Soak { minutes } => soak::run_soak(minutes),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root: xtask lives one folder below it.
pub fn workspace_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(PathBuf::from).unwrap_or(manifest)
}
