//! `cargo xtask test`: every check and every test, in the order that fails fastest, with one
//! closing line `N passed, M failed` that counts them all (each check counts as one).

use std::io::{BufRead, BufReader};
use std::process::{Command, ExitCode, Stdio};

use crate::process::command;
use crate::{tools, widget, workspace_root};

#[derive(Default)]
struct Tally {
    passed: u64,
    failed: u64,
    failures: Vec<String>,
}

impl Tally {
    fn check(&mut self, name: &str, result: Result<(), String>) -> bool {
        match result {
            Ok(()) => {
                self.passed += 1;
                println!("xtask: ✔ {name}");
                true
            }
            Err(message) => {
                self.failed += 1;
                println!("xtask: ✘ {name}: {message}");
                self.failures.push(name.to_owned());
                false
            }
        }
    }

    /// Runs a cargo test command, streaming its output and adding up its result lines.
    fn tests(&mut self, name: &str, mut cargo: Command) {
        println!("xtask: ▶ {name}");
        cargo.stdout(Stdio::piped());
        let mut child = match cargo.spawn() {
            Ok(child) => child,
            Err(e) => {
                self.check(name, Err(format!("could not start: {e}")));
                return;
            }
        };
        let (mut passed, mut failed, mut results) = (0, 0, 0);
        if let Some(stdout) = child.stdout.take() {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                println!("{line}");
                if let Some((p, f)) = parse_result_line(&line) {
                    passed += p;
                    failed += f;
                    results += 1;
                }
            }
        }
        let success = child.wait().map(|s| s.success()).unwrap_or(false);
        self.passed += passed;
        self.failed += failed;
        if !success && failed == 0 {
            // It never got to report (a build error, a crashed runner): that is a failure.
            self.failed += 1;
        }
        if !success || failed > 0 {
            self.failures.push(name.to_owned());
        }
        println!(
            "xtask: {} {name}: {passed} passed, {failed} failed in {results} test binaries",
            if success { "✔" } else { "✘" }
        );
    }
}

/// Reads libtest's (and wasm-bindgen-test-runner's) closing line:
/// `test result: ok. 12 passed; 0 failed; 0 ignored; …`.
fn parse_result_line(line: &str) -> Option<(u64, u64)> {
    let rest = line.trim().strip_prefix("test result: ")?;
    let number_before = |word: &str| -> Option<u64> {
        let end = rest.find(word)?;
        rest[..end]
            .trim_end()
            .rsplit([' ', '.', ';'])
            .next()?
            .parse()
            .ok()
    };
    Some((number_before(" passed")?, number_before(" failed")?))
}

fn cargo(args: &[&str]) -> Command {
    let mut cargo = command("cargo");
    cargo.args(args).env("CARGO_TERM_COLOR", "never");
    cargo
}

fn checked(cargo: Command) -> Result<(), String> {
    crate::process::run(cargo, "the command")
}

pub fn run() -> Result<ExitCode, String> {
    tools::ensure_build_tools()?;
    let chromedriver = tools::ensure_chromium()?;
    let naughty_strings = tools::ensure_naughty_strings()?;
    let schemathesis = tools::ensure_schemathesis()?;
    let mut tally = Tally::default();

    tally.check(
        "formatting (cargo fmt --check)",
        checked(cargo(&["fmt", "--all", "--check"])),
    );
    tally.check(
        "lints, native (cargo clippy --workspace --all-targets -D warnings)",
        checked(cargo(&[
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ])),
    );
    tally.check(
        "lints, wasm32 (widget and core)",
        checked(cargo(&[
            "clippy",
            "-p",
            "colloquy",
            "-p",
            "colloquy-core",
            "--target",
            "wasm32-unknown-unknown",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ])),
    );
    tally.check(
        "the Yew example builds for wasm32 (examples/yew_app.rs)",
        checked(cargo(&[
            "build",
            "-p",
            "colloquy",
            "--target",
            "wasm32-unknown-unknown",
            "--examples",
        ])),
    );
    let built = tally.check("release widget build (trunk)", widget::build());
    if built {
        let size = widget::loader_gzip_size();
        if let Ok(bytes) = &size {
            println!("xtask: the loader (dist/embed.js) is {bytes} bytes gzipped");
        }
        tally.check(
            &format!("loader at most {} bytes gzipped", widget::LOADER_GZIP_LIMIT),
            size.and_then(|bytes| {
                if bytes <= widget::LOADER_GZIP_LIMIT {
                    Ok(())
                } else {
                    Err(format!("it is {bytes} bytes"))
                }
            }),
        );
    }

    tally.tests(
        "native tests (core, server over HTTP, widget state, xtask)",
        cargo(&[
            "test",
            "--workspace",
            "--exclude",
            "colloquy-e2e",
            "--no-fail-fast",
            "--",
            // The email scan prints what it covered.
            "--show-output",
        ]),
    );

    let mut browser = cargo(&[
        "test",
        "-p",
        "colloquy",
        "--target",
        "wasm32-unknown-unknown",
        "--test",
        "widget",
    ]);
    browser
        .env(
            "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER",
            "wasm-bindgen-test-runner",
        )
        .env("CHROMEDRIVER", &chromedriver)
        .env("WASM_BINDGEN_TEST_TIMEOUT", "120");
    tally.tests(
        "widget tests in headless Chromium (wasm-bindgen-test)",
        browser,
    );

    let server_built = tally.check(
        "server binary for the journeys (cargo build -p colloquy-server)",
        checked(cargo(&["build", "-p", "colloquy-server"])),
    );
    if server_built {
        tally.check(
            "the API against its own OpenAPI document (schemathesis)",
            run_schemathesis(&schemathesis),
        );
    }
    if built && server_built {
        // One journey at a time: each starts its own server and Chromium, and two cores
        // are better spent on one browser than shared by several.
        let mut e2e = cargo(&[
            "test",
            "-p",
            "colloquy-e2e",
            "--no-fail-fast",
            "--",
            "--test-threads=1",
            // Shows what the journeys print about themselves (counts of what they checked).
            "--show-output",
        ]);
        let server = workspace_root()
            .join("target")
            .join("debug")
            .join("colloquy-server");
        e2e.env("CHROMEDRIVER", &chromedriver)
            .env("COLLOQUY_DIST", workspace_root().join("dist"))
            .env("COLLOQUY_SERVER_BIN", server)
            .env("COLLOQUY_BLNS", &naughty_strings);
        tally.tests(
            "end-to-end journeys (real server, release widget, Chromium)",
            e2e,
        );
    } else {
        tally.check(
            "end-to-end journeys",
            Err("not run: the widget or the server did not build".into()),
        );
    }

    if !tally.failures.is_empty() {
        println!("xtask: failed: {}", tally.failures.join("; "));
    }
    println!("{} passed, {} failed", tally.passed, tally.failed);
    Ok(if tally.failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Starts the server on a scratch database and lets schemathesis loose on every operation
/// of `/api/v1/openapi.json`: no 5xx, and every answer in the documented status codes,
/// content types and schemas. The seed is fixed so a failure can be replayed.
fn run_schemathesis(schemathesis: &std::path::Path) -> Result<(), String> {
    let folder = std::env::temp_dir().join(format!("colloquy-schemathesis-{}", std::process::id()));
    std::fs::create_dir_all(&folder).map_err(|e| e.to_string())?;
    let server = workspace_root()
        .join("target")
        .join("debug")
        .join("colloquy-server");
    let mut child = std::process::Command::new(server)
        .args(["--listen", "127.0.0.1:0", "--database"])
        .arg(folder.join("schemathesis.db"))
        .arg("--assets")
        .arg(workspace_root().join("dist"))
        // Fuzzing posts far more than a person; the limit has tests of its own.
        .env("COLLOQUY_POSTS_PER_MINUTE", "0")
        .env("COLLOQUY_LOG", "error")
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start the server: {e}"))?;
    let mut first_line = String::new();
    if let Some(stdout) = child.stdout.take() {
        BufReader::new(stdout).read_line(&mut first_line).ok();
    }
    let result = match first_line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
    {
        Some(base) => {
            let mut run = command(&schemathesis.to_string_lossy());
            // Its example database and reports go to the scratch folder, not the work tree.
            run.current_dir(&folder)
                .arg("run")
                .arg(format!("{base}api/v1/openapi.json"))
                .args([
                    "--checks",
                    "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
                    "--max-examples",
                    "25",
                    // One worker: with several, Python 3.11 can trip over its own AST
                    // recursion counter while hypothesis reads lambdas' source
                    // ("SystemError: AST constructor recursion depth mismatch").
                    "--workers",
                    "1",
                    "--seed",
                    "20261125",
                    "--no-color",
                ]);
            crate::process::run(run, "schemathesis")
        }
        None => Err(format!("the server did not start: {first_line:?}")),
    };
    child.kill().ok();
    child.wait().ok();
    std::fs::remove_dir_all(&folder).ok();
    result
}

#[cfg(test)]
mod tests {
    use super::parse_result_line;

    #[test]
    fn reads_libtest_summaries() {
        assert_eq!(
            parse_result_line("test result: ok. 33 passed; 0 failed; 0 ignored; 0 measured"),
            Some((33, 0))
        );
        assert_eq!(
            parse_result_line("test result: FAILED. 32 passed; 1 failed; 0 ignored"),
            Some((32, 1))
        );
        assert_eq!(parse_result_line("test foo ... ok"), None);
    }
}
