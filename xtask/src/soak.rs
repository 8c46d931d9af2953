//! `cargo xtask soak --minutes N`: builds the server and the bench in release, makes sure
//! PostgreSQL answers, and runs `colloquy-bench soak`, which starts two servers on a fresh
//! database of its own, loads them near the peak in `bench/report.json` for N minutes and
//! writes bench/SOAK.md and bench/soak.json.

use std::process::ExitCode;

use crate::bench::build_release;
use crate::process::{command, run};
use crate::{tools, workspace_root};

pub fn run_soak(minutes: u64) -> Result<ExitCode, String> {
    let postgres = tools::ensure_postgres()?;
    let release = build_release()?;
    let mut soak = command(&release.join("colloquy-bench").to_string_lossy());
    soak.args(["soak", "--minutes", &minutes.to_string()])
        .env(
            "COLLOQUY_SERVER_BIN",
            crate::server::binary(crate::server::Profile::Release),
        )
        .env("COLLOQUY_BENCH_OUT", workspace_root().join("bench"))
        .env("COLLOQUY_TEST_POSTGRES", postgres);
    run(soak, "the soak")?;
    Ok(ExitCode::SUCCESS)
}
