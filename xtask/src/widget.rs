//! Building the widget into dist/ with Trunk, then finishing the loader.

use std::io::Write;
use std::path::Path;
use std::process::Command;

use crate::process::{command, run};
use crate::workspace_root;

/// The server's gzip, shared with the bench (see the file's comment).
#[path = "../../bench/src/gzip.rs"]
mod gzip;
use gzip::gzip_best;

/// The most the loader may weigh, gzipped: it is on every page that has a thread, read or not.
pub const LOADER_GZIP_LIMIT: usize = crate::bench::budgets::LOADER_GZIP_BYTES;

/// `trunk build --release --offline`: the optimised widget, the loader, the count script and
/// the demo page.
pub fn build() -> Result<(), String> {
    fetch_crates()?;
    println!("xtask: building the widget (trunk build --release --offline)");
    let mut trunk = command("trunk");
    standard_library_for_size(&mut trunk);
    trunk
        .args(["build", "--release", "--offline"])
        .env("TRUNK_OFFLINE", "true")
        // Trunk reads NO_COLOR; its colour codes would only clutter CI logs.
        .env("NO_COLOR", "true");
    run(trunk, "building the widget")?;
    let dist = workspace_root().join("dist");
    strip_build_instructions(&dist.join("index.html"))?;
    copy_catalogs(&dist)?;
    crate::short_imports::shorten(&dist)?;
    crate::order_functions::order(&dist)?;
    minify_glue(&dist)?;
    finish_loader(&dist)?;
    compress_files(&dist)
}

/// The standard library compiled into the widget as the widget is: for size, not as rustup
/// ships it (opt-level 3, with every panic's message and location). Set on the command that
/// runs cargo for the shipped wasm (Trunk, and the bench's builds of the same setting):
/// - `-Zbuild-std=std,panic_abort` with std's `optimize_for_size` (smaller algorithms),
///   under the profile's own opt-level "z";
/// - `-Cpanic=immediate-abort`: a panic is the trap it already was under `panic = "abort"`,
///   without formatting a message first (none reaches a reader; the console shows
///   "unreachable" and the wasm's stack);
/// - `-Zfmt-debug=none` and `-Zlocation-detail=none`: no `Debug` output and no source
///   paths, which the widget never shows anyone.
///
/// These are unstable flags of the one stable toolchain: `RUSTC_BOOTSTRAP=1` lets this
/// build, and no other, use them (rustup's `rust-src` component, which xtask installs,
/// holds std's source). Only wasm32 gets the flags: build scripts and proc macros are
/// built as usual. A `RUSTFLAGS` of the caller's own overrides the target flags (cargo's
/// rule); the widget is then only larger. What this saves is a row of the bench's size steps.
pub fn standard_library_for_size(cargo: &mut Command) -> &mut Command {
    cargo
        .env("RUSTC_BOOTSTRAP", "1")
        .env("CARGO_UNSTABLE_BUILD_STD", "std,panic_abort")
        .env("CARGO_UNSTABLE_BUILD_STD_FEATURES", "optimize_for_size")
        .env(
            "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS",
            "-Zunstable-options -Cpanic=immediate-abort -Zfmt-debug=none -Zlocation-detail=none",
        )
}

/// Every crate the widget's build needs, downloaded before Trunk runs cargo offline: the
/// workspace's (its build scripts' and macros' too), and those std itself depends on
/// (`dlmalloc`, `hashbrown`…, from `rust-src`'s own lock file). A machine whose cargo has
/// never built std from source has none of the latter, and an offline build could not
/// resolve them. Quick when they are all there.
fn fetch_crates() -> Result<(), String> {
    println!("xtask: fetching the crates the widget and its std are built from (cargo fetch)");
    for target in [None, Some("wasm32-unknown-unknown")] {
        let mut cargo = command("cargo");
        standard_library_for_size(&mut cargo)
            .arg("fetch")
            .arg("--quiet");
        if let Some(target) = target {
            cargo.args(["--target", target]);
        }
        run(cargo, "fetching the crates the widget is built from")?;
    }
    Ok(())
}

/// Beside every file a reader downloads, a `.br` (quality 11) and a `.gz` ([`gzip_best`])
/// copy, made once here so the server sends the smallest bytes without compressing per
/// request (`--assets` and `./dist`; a binary that carries the widget takes these copies).
fn compress_files(dist: &Path) -> Result<(), String> {
    let mut files = Vec::new();
    for folder in [dist.to_path_buf(), dist.join("locales")] {
        let entries = std::fs::read_dir(&folder).map_err(|e| format!("reading {folder:?}: {e}"))?;
        for entry in entries.flatten() {
            let path = entry.path();
            let wanted = path
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| matches!(e, "js" | "wasm" | "json" | "html"));
            if wanted && path.is_file() {
                files.push(path);
            }
        }
    }
    for path in files {
        let raw = std::fs::read(&path).map_err(|e| format!("reading {path:?}: {e}"))?;
        let gzip = gzip_best(&raw).map_err(|e| format!("gzip (zopfli): {e}"))?;
        let mut brotli = Vec::new();
        {
            let mut writer = brotli::CompressorWriter::new(&mut brotli, 4096, 11, 22);
            writer.write_all(&raw).map_err(|e| e.to_string())?;
        }
        let with_suffix = |suffix: &str| {
            let mut name = path.clone().into_os_string();
            name.push(suffix);
            std::path::PathBuf::from(name)
        };
        std::fs::write(with_suffix(".gz"), gzip).map_err(|e| e.to_string())?;
        std::fs::write(with_suffix(".br"), brotli).map_err(|e| e.to_string())?;
    }
    Ok(())
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
/// under `?v=<hash>`) and minifies it with terser (its comments, spaces and local names are
/// for us, not for readers' downloads); minifies the count script (`loader/count.js`) into
/// `dist/count.js` beside it.
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
    let stamped = dist.join("embed.src.js");
    std::fs::write(
        &stamped,
        source.replace("__COLLOQUY_BUILD__", &format!("{hash:016x}")),
    )
    .map_err(|e| format!("writing {stamped:?}: {e}"))?;
    let minified = minify(
        &stamped,
        &dist.join("embed.js"),
        "the loader",
        Script::Classic,
    );
    let _ = std::fs::remove_file(&stamped);
    minified?;
    // The count script for listing pages: no build hash (it loads nothing of the widget's),
    // straight from loader/ (Trunk copies only embed.js), minified the same way.
    let count = workspace_root().join("loader").join("count.js");
    minify(
        &count,
        &dist.join("count.js"),
        "the count script",
        Script::Classic,
    )
}

/// wasm-bindgen's JS glue (`colloquy.js`, an ES module) minified in place by terser, as
/// a module so its exports stay: every reader downloads it beside the wasm.
fn minify_glue(dist: &Path) -> Result<(), String> {
    let glue = dist.join("colloquy.js");
    let source = dist.join("colloquy.src.js");
    std::fs::rename(&glue, &source).map_err(|e| format!("renaming {glue:?}: {e}"))?;
    let minified = minify(&source, &glue, "the widget's JS glue", Script::Module);
    let _ = std::fs::remove_file(&source);
    minified
}

/// How terser reads a file: a classic script, or an ES module (whose exports it keeps).
#[derive(PartialEq)]
enum Script {
    Classic,
    Module,
}

/// `terser --compress --mangle`: comments, spaces and long local names go.
fn minify(source: &Path, target: &Path, what: &str, script: Script) -> Result<(), String> {
    let mut terser = command(&crate::tools::terser_path().to_string_lossy());
    terser.arg(source);
    if script == Script::Module {
        terser.arg("--module");
    }
    terser
        .args(["--compress", "--mangle", "--ecma", "2017", "--output"])
        .arg(target);
    run(terser, &format!("minifying {what} (terser)"))
}

/// The loader's size in dist/, gzipped as it is served: its `.gz` copy.
pub fn loader_gzip_size() -> Result<usize, String> {
    gzip_size("embed.js")
}

/// The count script's size in dist/, gzipped as it is served: its `.gz` copy.
pub fn count_gzip_size() -> Result<usize, String> {
    gzip_size("count.js")
}

/// The length of `dist/<name>.gz`, which [`build`] has just written ([`compress_files`]).
fn gzip_size(name: &str) -> Result<usize, String> {
    let copy = workspace_root().join("dist").join(format!("{name}.gz"));
    let metadata = std::fs::metadata(&copy).map_err(|e| format!("reading {copy:?}: {e}"))?;
    Ok(metadata.len() as usize)
}
