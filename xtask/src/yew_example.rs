//! The Yew example (`examples/yew_app.rs`) as a Rust developer would ship it: built for
//! wasm32, bound with wasm-bindgen, beside a page that starts it. The journey
//! `e2e/tests/yew_example.rs` serves this folder from another origin and looks at what a
//! reader sees.

use std::path::PathBuf;

use crate::process::{command, run};
use crate::workspace_root;

/// The page that starts the app. Nothing in it styles the thread: whatever a reader sees
/// styled comes from the component itself.
const PAGE: &str = r#"<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Release notes</title></head>
<body>
<script type="module">import start from "./yew_app.js"; start();</script>
</body>
</html>
"#;

/// Builds the example and writes `target/yew-example/` (index.html, yew_app.js and its wasm).
pub fn bundle() -> Result<PathBuf, String> {
    let mut build = command("cargo");
    build.args([
        "build",
        "-p",
        "colloquy",
        "--target",
        "wasm32-unknown-unknown",
        "--example",
        "yew_app",
    ]);
    run(build, "building the Yew example")?;
    let target = workspace_root().join("target");
    let wasm = target
        .join("wasm32-unknown-unknown")
        .join("debug")
        .join("examples")
        .join("yew_app.wasm");
    let folder = target.join("yew-example");
    let mut bind = command("wasm-bindgen");
    bind.args(["--target", "web", "--no-typescript", "--out-dir"])
        .arg(&folder)
        .arg(&wasm);
    run(bind, "wasm-bindgen on the Yew example")?;
    std::fs::write(folder.join("index.html"), PAGE)
        .map_err(|e| format!("writing the example's page: {e}"))?;
    Ok(folder)
}
