//! `cargo xtask dist`: the release server with the widget inside, and its checksum, ready
//! to copy to a server (see the README's "Install").

use std::process::ExitCode;

use sha2::{Digest, Sha256};

use crate::server::{build_with_widget, Profile};
use crate::{tools, widget, workspace_root};

pub fn run() -> Result<ExitCode, String> {
    tools::ensure_build_tools()?;
    widget::build()?;
    let built = build_with_widget(Profile::Release)?;
    let folder = workspace_root().join("target").join("colloquy-dist");
    std::fs::create_dir_all(&folder).map_err(|e| format!("creating {folder:?}: {e}"))?;
    let binary = folder.join("colloquy-server");
    std::fs::copy(&built, &binary).map_err(|e| format!("copying the binary: {e}"))?;
    let bytes = std::fs::read(&binary).map_err(|e| e.to_string())?;
    let checksum = folder.join("colloquy-server.sha256");
    // The format `sha256sum --check` reads.
    let line = format!("{}  colloquy-server\n", hex(&Sha256::digest(&bytes)));
    std::fs::write(&checksum, &line).map_err(|e| e.to_string())?;
    println!("xtask: {} ({} bytes)", binary.display(), bytes.len());
    println!("xtask: {}: {}", checksum.display(), line.trim());
    Ok(ExitCode::SUCCESS)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}
