//! Building the widget into dist/ with Trunk.

use crate::process::{command, run};
use crate::workspace_root;

/// `trunk build --release --offline`: the optimised widget, the loader and the demo page.
pub fn build() -> Result<(), String> {
    println!("xtask: building the widget (trunk build --release --offline)");
    let mut trunk = command("trunk");
    trunk
        .args(["build", "--release", "--offline"])
        .env("TRUNK_OFFLINE", "true")
        // Trunk reads NO_COLOR; its colour codes would only clutter CI logs.
        .env("NO_COLOR", "true");
    run(trunk, "building the widget")?;
    strip_build_instructions()
}

/// Trunk leaves its own `<link data-trunk …>` tags in the page when it injects nothing;
/// they are build instructions, not content, so they go.
fn strip_build_instructions() -> Result<(), String> {
    let page = workspace_root().join("dist").join("index.html");
    let html = std::fs::read_to_string(&page).map_err(|e| format!("reading {page:?}: {e}"))?;
    let mut cleaned = String::with_capacity(html.len());
    let mut rest = html.as_str();
    while let Some(start) = rest.find("<link data-trunk") {
        cleaned.push_str(&rest[..start]);
        let tail = &rest[start..];
        let end = tail.find('>').map_or(tail.len(), |end| end + 1);
        rest = &tail[end..];
    }
    cleaned.push_str(rest);
    std::fs::write(&page, cleaned).map_err(|e| format!("writing {page:?}: {e}"))
}
