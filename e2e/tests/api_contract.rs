//! The API keeps to its own OpenAPI document on both storage engines: schemathesis (from
//! PyPI, which `cargo xtask test` installs and names in `COLLOQUY_SCHEMATHESIS`) reads
//! `/api/v1/openapi.json` from the real server, once on SQLite and once on a fresh
//! PostgreSQL database, and sends generated requests to every operation in it but the
//! event stream (server-sent events never end; they have HTTP tests of their own),
//! checking that no answer is a server error and that each one's status, content type and
//! body are the ones the document promises, the owner's admin API included (with a token
//! from `colloquy-server admin token`). Over a thousand cases in all.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use colloquy_e2e::console::{add_owner, admin_token};
use colloquy_e2e::postgres::Database;
use colloquy_e2e::server::{Launch, Server};

/// Generous for a run against a local server; a hang ends here.
const DEADLINE: Duration = Duration::from_secs(600);
/// Per operation and phase: over 1,000 cases a run with the public and admin operations.
const MAX_EXAMPLES: &str = "50";
/// The cases both runs must generate together, at least.
const CASES_IN_ALL: u64 = 1_000;
/// Left out: the stream never ends, so a generated request would wait forever.
const EVENTS: &str = "/api/v1/threads/{key}/events";

fn schemathesis() -> PathBuf {
    std::env::var_os("COLLOQUY_SCHEMATHESIS")
        .map(PathBuf::from)
        .expect("COLLOQUY_SCHEMATHESIS is not set: run the journeys with `cargo xtask test`")
}

/// What one run of schemathesis said.
struct Run {
    passed: bool,
    /// From its summary: "Test cases: N generated, …".
    cases: u64,
    /// From its summary: "Selected: 4/5" (operations tested / in the document).
    selected: String,
    took: Duration,
}

/// The number in "  1038 generated, 1038 passed" after the summary's "Test cases:" line.
fn generated_cases(output: &[String]) -> Option<u64> {
    let at = output
        .iter()
        .position(|line| line.trim() == "Test cases:")?;
    let counts = output.get(at + 1)?;
    let (number, _) = counts.trim().split_once(" generated")?;
    number.trim().parse().ok()
}

/// Runs schemathesis against `server`, echoing its output with `label`. Every request
/// carries an owner's API token, so the admin operations are exercised as an owner's
/// script uses them (their refusals without one have HTTP tests of their own).
fn run_schemathesis(label: &'static str, server: &Server) -> Run {
    add_owner(server, None, "owner@contract.example", "Contract Owner");
    let token = admin_token(server, "owner@contract.example");
    let program = schemathesis();
    // Hypothesis keeps its example database, and schemathesis its reports, in the working
    // folder: a scratch one, never the work tree.
    let folder = tempfile::tempdir().expect("a scratch folder");
    let started = Instant::now();
    let mut run = Command::new(&program)
        .current_dir(folder.path())
        .arg("run")
        .arg(server.url("/api/v1/openapi.json"))
        .args([
            "--checks",
            "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
            "--exclude-path",
            EVENTS,
            "--max-examples",
            MAX_EXAMPLES,
            "--header",
            &format!("Authorization: Bearer {token}"),
            // One worker: with several, Python 3.11 can trip over its own AST recursion
            // counter while hypothesis reads lambdas' source ("SystemError: AST constructor
            // recursion depth mismatch").
            "--workers",
            "1",
            // A fixed seed: the same requests on every run, so a failure can be replayed.
            "--seed",
            "20261125",
            "--no-color",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start schemathesis at {program:?}: {e}"));

    // Its report is echoed as it comes, and kept for the summary.
    let (line_sent, lines) = mpsc::channel::<String>();
    for stream in [
        run.stdout
            .take()
            .map(|s| Box::new(s) as Box<dyn std::io::Read + Send>),
        run.stderr
            .take()
            .map(|s| Box::new(s) as Box<dyn std::io::Read + Send>),
    ]
    .into_iter()
    .flatten()
    {
        let line_sent = line_sent.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stream).lines().map_while(Result::ok) {
                println!("[schemathesis {label}] {line}");
                line_sent.send(line).ok();
            }
        });
    }
    drop(line_sent);

    let pid = run.id();
    let (finished, wait) = mpsc::channel();
    let waiter = std::thread::spawn(move || {
        let status = run.wait();
        finished.send(()).ok();
        status
    });
    if wait.recv_timeout(DEADLINE).is_err() {
        // Ours, by its id: nothing else is touched.
        Command::new("kill")
            .args(["-KILL", &pid.to_string()])
            .status()
            .ok();
        waiter.join().ok();
        panic!("schemathesis on {label} did not finish within {DEADLINE:?}");
    }
    let status = waiter
        .join()
        .expect("the waiting thread")
        .expect("schemathesis's exit status");
    // Both pipes end with the process; every line is in.
    let output: Vec<String> = lines.iter().collect();
    let selected = output
        .iter()
        .find_map(|line| line.trim().strip_prefix("Selected: "))
        .unwrap_or("?")
        .to_owned();
    Run {
        passed: status.success(),
        cases: generated_cases(&output).unwrap_or(0),
        selected,
        took: started.elapsed(),
    }
}

#[test]
fn the_api_answers_as_its_openapi_document_says_on_both_engines() {
    let folder = tempfile::tempdir().expect("a scratch folder");
    // Server::start turns the posting limit off (COLLOQUY_POSTS_PER_MINUTE=0): fuzzing posts
    // far faster than a person, and the limit has journeys of its own.
    let sqlite = Server::start(&folder.path().join("contract.db"), &[]);
    let on_sqlite = run_schemathesis("sqlite", &sqlite);
    drop(sqlite);

    let database = Database::create("contract");
    let postgres = Launch::new(&database.url).start();
    let on_postgres = run_schemathesis("postgres", &postgres);
    drop(postgres);

    for (engine, run) in [("SQLite", &on_sqlite), ("PostgreSQL", &on_postgres)] {
        println!(
            "api contract on {engine}: {} cases generated, operations selected {}, {:.1} s",
            run.cases,
            run.selected,
            run.took.as_secs_f64()
        );
    }
    for (engine, run) in [("SQLite", &on_sqlite), ("PostgreSQL", &on_postgres)] {
        assert!(
            run.passed,
            "schemathesis found answers on {engine} that break the OpenAPI document; its report is above"
        );
        assert!(
            run.cases > 0,
            "no count of generated cases in schemathesis's summary on {engine}"
        );
        let all_but_one = run
            .selected
            .split_once('/')
            .and_then(|(tested, all)| Some((tested.parse::<u32>().ok()?, all.parse::<u32>().ok()?)))
            .is_some_and(|(tested, all)| tested + 1 == all);
        assert!(
            all_but_one,
            "every operation but the event stream is tested on {engine}, not {}",
            run.selected
        );
    }
    let total = on_sqlite.cases + on_postgres.cases;
    assert!(
        total >= CASES_IN_ALL,
        "{total} cases in all, fewer than {CASES_IN_ALL}"
    );
    println!("api contract: {total} cases in all on the two engines");
}
