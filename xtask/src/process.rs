//! Running child processes with the tools xtask installed on their PATH.

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::Command;

use crate::workspace_root;

/// Where cargo puts what `cargo install` builds.
pub fn cargo_bin_dir() -> PathBuf {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")))
        .unwrap_or_else(|| PathBuf::from(".cargo"));
    home.join("bin")
}

/// Project-local tools (binaryen from npm) live here; `cargo clean` removes them.
pub fn tools_dir() -> PathBuf {
    workspace_root().join("target").join("tools")
}

/// PATH with cargo's bin folder and the project's tools in front.
pub fn tool_path() -> OsString {
    let mut paths = vec![
        tools_dir().join("node_modules").join(".bin"),
        cargo_bin_dir(),
    ];
    if let Some(existing) = std::env::var_os("PATH") {
        paths.extend(std::env::split_paths(&existing));
    }
    std::env::join_paths(paths).unwrap_or_default()
}

/// A command that runs in the workspace root with the tool PATH.
pub fn command(program: &str) -> Command {
    let mut command = Command::new(program);
    command
        .current_dir(workspace_root())
        .env("PATH", tool_path());
    command
}

/// Runs a command to completion, streaming its output; Err says what failed.
pub fn run(mut command: Command, what: &str) -> Result<(), String> {
    let status = command
        .status()
        .map_err(|e| format!("{what}: could not start {:?}: {e}", command.get_program()))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{what} failed ({status})"))
    }
}

/// The trimmed standard output of a command, or None if it cannot run or fails.
pub fn output_of(program: &str, args: &[&str]) -> Option<String> {
    let output = command(program).args(args).output().ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
}
