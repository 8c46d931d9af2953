//! The API keeps to its own OpenAPI document: schemathesis (from PyPI, which
//! `cargo xtask test` installs and names in `COLLOQUY_SCHEMATHESIS`) reads
//! `/api/v1/openapi.json` from the real server and sends generated requests to every
//! operation in it, checking that no answer is a server error and that each one's status,
//! content type and body are the ones the document promises.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use colloquy_e2e::server::Server;

/// Generous for 25 examples an operation against a local server; a hang ends here.
const DEADLINE: Duration = Duration::from_secs(600);

fn schemathesis() -> PathBuf {
    std::env::var_os("COLLOQUY_SCHEMATHESIS")
        .map(PathBuf::from)
        .expect("COLLOQUY_SCHEMATHESIS is not set: run the journeys with `cargo xtask test`")
}

#[test]
fn the_api_answers_as_its_openapi_document_says() {
    let program = schemathesis();
    // Hypothesis keeps its example database, and schemathesis its reports, in the working
    // folder: this scratch one, never the work tree.
    let folder = tempfile::tempdir().expect("a scratch folder");
    // Server::start turns the posting limit off (COLLOQUY_POSTS_PER_MINUTE=0): fuzzing posts
    // far faster than a person, and the limit has journeys of its own.
    let server = Server::start(&folder.path().join("contract.db"), &[]);
    let mut run = Command::new(&program)
        .current_dir(folder.path())
        .arg("run")
        .arg(server.url("/api/v1/openapi.json"))
        .args([
            "--checks",
            "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
            "--max-examples",
            "25",
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
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start schemathesis at {program:?}: {e}"));

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
        panic!("schemathesis did not finish within {DEADLINE:?}");
    }
    let status = waiter
        .join()
        .expect("the waiting thread")
        .expect("schemathesis's exit status");
    assert!(
        status.success(),
        "schemathesis found answers that break the OpenAPI document ({status}); its report is above"
    );
}
