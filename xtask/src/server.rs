//! Building `colloquy-server` with the widget inside it: the one binary a site owner
//! installs. The release build is what `cargo xtask dist` ships and `demo` runs; the tests
//! build the same way in the debug profile, so the journeys exercise the same mechanism.

use std::path::PathBuf;

use crate::process::{command, run};
use crate::workspace_root;

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    Debug,
    Release,
}

/// Where cargo puts the server binary of `profile`.
pub fn binary(profile: Profile) -> PathBuf {
    let folder = match profile {
        Profile::Debug => "debug",
        Profile::Release => "release",
    };
    workspace_root()
        .join("target")
        .join(folder)
        .join("colloquy-server")
}

/// Builds the server carrying `dist/` (which must be built) and returns its path.
pub fn build_with_widget(profile: Profile) -> Result<PathBuf, String> {
    let dist = workspace_root().join("dist");
    if !dist.join("embed.js").is_file() {
        return Err("dist/ holds no built widget; build it first".into());
    }
    let release = profile == Profile::Release;
    println!(
        "xtask: building the server with the widget inside (cargo build{} -p colloquy-server)",
        if release { " --release" } else { "" }
    );
    let mut build = command("cargo");
    build.args(["build", "-p", "colloquy-server"]);
    if release {
        build.arg("--release");
    }
    build.env("COLLOQUY_EMBED_DIST", &dist);
    run(build, "building the server")?;
    Ok(binary(profile))
}
