//! The end-to-end journeys, two test binaries at a time: each journey file is its own
//! binary with its own servers, browsers, ports and databases, so two can run side by
//! side, which halves the longest part of `cargo xtask test` on two cores. Each binary's
//! output is printed whole when it ends, so two never interleave.

use std::ffi::OsString;
use std::sync::{Arc, Mutex};

use crate::test::Tally;
use crate::workspace_root;

/// How many journey binaries run at once.
const AT_ONCE: usize = 2;

/// The journey files, the slowest first so the two lanes end close together.
fn journey_names() -> Vec<String> {
    const SLOWEST_FIRST: [&str; 4] = ["hostile_input", "api_contract", "embedding", "live"];
    let mut names: Vec<String> = std::fs::read_dir(workspace_root().join("e2e").join("tests"))
        .map(|entries| {
            entries
                .flatten()
                .filter_map(|entry| {
                    let name = entry.file_name().to_string_lossy().into_owned();
                    name.strip_suffix(".rs").map(str::to_owned)
                })
                .collect()
        })
        .unwrap_or_default();
    names.sort_by_key(|name| {
        let rank = SLOWEST_FIRST
            .iter()
            .position(|slow| slow == name)
            .unwrap_or(SLOWEST_FIRST.len());
        (rank, name.clone())
    });
    names
}

fn cargo_e2e(extra: &[&str], environment: &[(&str, OsString)]) -> std::process::Command {
    let mut cargo = crate::process::command("cargo");
    cargo
        .args(["test", "-p", "colloquy-e2e"])
        .args(extra)
        .env("CARGO_TERM_COLOR", "never");
    for (name, value) in environment {
        cargo.env(name, value);
    }
    cargo
}

pub fn run_all(tally: &mut Tally, environment: &[(&str, OsString)]) {
    let built = tally.check(
        "end-to-end journeys build (cargo test -p colloquy-e2e --no-run)",
        crate::process::run(
            cargo_e2e(&["--no-run"], environment),
            "building the journeys",
        ),
    );
    if !built {
        return;
    }
    // Taken from the end: reversed, the slowest come first.
    let mut names = journey_names();
    names.reverse();
    let queue = Arc::new(Mutex::new(names));
    let finished: Arc<Mutex<Vec<(String, String, bool)>>> = Arc::default();
    std::thread::scope(|scope| {
        for _ in 0..AT_ONCE {
            let (queue, finished) = (queue.clone(), finished.clone());
            scope.spawn(move || loop {
                let Some(name) = queue.lock().unwrap().pop() else {
                    return;
                };
                println!("xtask: ▶ journeys: {name}");
                let output = cargo_e2e(
                    &[
                        "--test",
                        &name,
                        "--",
                        "--test-threads=1",
                        // What the journeys say about themselves (counts, timings).
                        "--show-output",
                    ],
                    environment,
                )
                .output();
                let (text, success) = match output {
                    Ok(output) => (
                        format!(
                            "{}{}",
                            String::from_utf8_lossy(&output.stdout),
                            String::from_utf8_lossy(&output.stderr)
                        ),
                        output.status.success(),
                    ),
                    Err(error) => (format!("could not start: {error}"), false),
                };
                println!("{text}");
                finished.lock().unwrap().push((name, text, success));
            });
        }
    });
    for (name, text, success) in finished.lock().unwrap().iter() {
        tally.add_run(&format!("journeys: {name}"), text, *success);
    }
}
