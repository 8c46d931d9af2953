//! Building the widget into dist/ with Trunk, then finishing the loader.

use std::io::Write;
use std::path::Path;

use crate::process::{command, run};
use crate::workspace_root;

/// The most the loader may weigh, gzipped: it is on every page that has a thread, read or not.
pub const LOADER_GZIP_LIMIT: usize = crate::bench::budgets::LOADER_GZIP_BYTES;

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
    let dist = workspace_root().join("dist");
    strip_build_instructions(&dist.join("index.html"))?;
    copy_catalogs(&dist)?;
    finish_loader(&dist)
}

/// Every language's catalog beside the widget (`dist/locales/<tag>.json`): the widget
/// fetches the one its reader needs (English is compiled in).
fn copy_catalogs(dist: &Path) -> Result<(), String> {
    let source = workspace_root().join("core").join("locales");
    let target = dist.join("locales");
    std::fs::create_dir_all(&target).map_err(|e| format!("creating {target:?}: {e}"))?;
    let entries = std::fs::read_dir(&source).map_err(|e| format!("reading {source:?}: {e}"))?;
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "json") {
            std::fs::copy(&path, target.join(entry.file_name()))
                .map_err(|e| format!("copying {path:?}: {e}"))?;
        }
    }
    Ok(())
}

/// Trunk leaves its own `<link data-trunk …>` tags in the page when it injects nothing;
/// they are build instructions, not content, so they go.
fn strip_build_instructions(page: &Path) -> Result<(), String> {
    let html = std::fs::read_to_string(page).map_err(|e| format!("reading {page:?}: {e}"))?;
    let mut cleaned = String::with_capacity(html.len());
    let mut rest = html.as_str();
    while let Some(start) = rest.find("<link data-trunk") {
        cleaned.push_str(&rest[..start]);
        let tail = &rest[start..];
        let end = tail.find('>').map_or(tail.len(), |end| end + 1);
        rest = &tail[end..];
    }
    cleaned.push_str(rest);
    std::fs::write(page, cleaned).map_err(|e| format!("writing {page:?}: {e}"))
}

/// Stamps the loader with a hash of the widget's files (so they can be cached for a year
/// under `?v=<hash>`) and drops its comments and indentation, which readers need not
/// download.
fn finish_loader(dist: &Path) -> Result<(), String> {
    let read =
        |name: &str| std::fs::read(dist.join(name)).map_err(|e| format!("reading {name}: {e}"));
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in read("colloquy.js")?
        .into_iter()
        .chain(read("colloquy_bg.wasm")?)
    {
        hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
    }
    let source = String::from_utf8(read("embed.js")?).map_err(|e| e.to_string())?;
    let loader = compact_script(&source).replace("__COLLOQUY_BUILD__", &format!("{hash:016x}"));
    std::fs::write(dist.join("embed.js"), loader).map_err(|e| format!("writing embed.js: {e}"))
}

/// Removes `/* … */` blocks that start a line, whole-line `//` comments, indentation and
/// blank lines. Deliberately simple: it is only ever given our own loader, whose strings
/// contain neither comment marker at the start of a line.
pub fn compact_script(source: &str) -> String {
    let mut out = String::with_capacity(source.len());
    let mut in_block = false;
    for line in source.lines() {
        let trimmed = line.trim();
        if in_block {
            in_block = !trimmed.contains("*/");
            continue;
        }
        if trimmed.starts_with("/*") {
            in_block = !trimmed.contains("*/");
            continue;
        }
        if trimmed.is_empty() || trimmed.starts_with("//") {
            continue;
        }
        out.push_str(trimmed);
        out.push('\n');
    }
    out
}

/// The loader's size in dist/, gzipped at level 9.
pub fn loader_gzip_size() -> Result<usize, String> {
    let loader = std::fs::read(workspace_root().join("dist").join("embed.js"))
        .map_err(|e| format!("reading dist/embed.js: {e}"))?;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(&loader).map_err(|e| e.to_string())?;
    Ok(encoder.finish().map_err(|e| e.to_string())?.len())
}

#[cfg(test)]
mod tests {
    use super::compact_script;

    #[test]
    fn compacting_keeps_code_and_drops_comments() {
        let source = "/*\n * header\n */\n(function () {\n  // note\n  var a = \"x://y\";\n\n  /* one */\n  return a;\n})();\n";
        assert_eq!(
            compact_script(source),
            "(function () {\nvar a = \"x://y\";\nreturn a;\n})();\n"
        );
    }
}
