//! Carries the built widget inside the server binary when `COLLOQUY_EMBED_DIST` names its
//! folder (`cargo xtask dist` and `cargo xtask test` set it), each file with a brotli and
//! a gzip copy, so the server sends bytes it never has to compress. The copies are the
//! `.br` and `.gz` files xtask wrote beside it (brotli 11, gzip by zopfli) when they are
//! newer than the file; otherwise they are made here (brotli 11, zlib's gzip level 9).
//! Without the variable the binary embeds nothing and serves the `--assets` folder.

use std::io::Write;
use std::path::{Path, PathBuf};

fn main() {
    write_locale_list();
    println!("cargo:rerun-if-env-changed=COLLOQUY_EMBED_DIST");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let mut table = String::from("&[\n");
    if let Some(dist) = std::env::var_os("COLLOQUY_EMBED_DIST").map(PathBuf::from) {
        let mut files = Vec::new();
        collect(&dist, &dist, &mut files);
        files.sort();
        assert!(
            files.iter().any(|(path, _)| path == "/embed.js"),
            "COLLOQUY_EMBED_DIST={} holds no embed.js: build the widget first",
            dist.display()
        );
        for (index, (path, file)) in files.iter().enumerate() {
            println!("cargo:rerun-if-changed={}", file.display());
            let raw = std::fs::read(file).expect("read a widget file");
            let stored = |suffix: &str, bytes: &[u8]| {
                let target = out.join(format!("asset-{index}.{suffix}"));
                std::fs::write(&target, bytes).expect("write into OUT_DIR");
                target
            };
            let raw_file = stored("raw", &raw);
            let gzip_file = made_copy(file, "gz").unwrap_or_else(|| stored("gz", &gzip(&raw)));
            let brotli_file = made_copy(file, "br").unwrap_or_else(|| stored("br", &brotli(&raw)));
            table.push_str(&format!(
                "    EmbeddedFile {{ path: {path:?}, raw: include_bytes!({raw_file:?}), gzip: include_bytes!({gzip_file:?}), brotli: include_bytes!({brotli_file:?}) }},\n"
            ));
        }
    }
    table.push(']');
    std::fs::write(out.join("embedded.rs"), table).expect("write embedded.rs");
}

/// Every catalog of `core/locales/`, compiled in: `LOCALE_FILES`, (tag, JSON) pairs. The
/// server answers in every language the widget speaks.
fn write_locale_list() {
    let folder = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets it"))
        .join("..")
        .join("core")
        .join("locales");
    println!("cargo:rerun-if-changed={}", folder.display());
    let mut files: Vec<PathBuf> = std::fs::read_dir(&folder)
        .expect("core/locales")
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let mut list = String::from("&[\n");
    for file in files {
        println!("cargo:rerun-if-changed={}", file.display());
        let tag = file
            .file_stem()
            .map(|stem| stem.to_string_lossy().into_owned())
            .unwrap_or_default();
        let path = file.canonicalize().expect("a catalog's path");
        list.push_str(&format!("    ({tag:?}, include_str!({path:?})),\n"));
    }
    list.push(']');
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(out.join("locales.rs"), list).expect("write locales.rs");
}

/// Every file under `folder`, with its URL path (`/colloquy.js`).
fn collect(root: &Path, folder: &Path, files: &mut Vec<(String, PathBuf)>) {
    println!("cargo:rerun-if-changed={}", folder.display());
    let entries = std::fs::read_dir(folder)
        .unwrap_or_else(|e| panic!("cannot read COLLOQUY_EMBED_DIST {}: {e}", folder.display()));
    for entry in entries.flatten() {
        let path = entry.path();
        let compressed_copy = path
            .extension()
            .is_some_and(|extension| extension == "br" || extension == "gz");
        if path.is_dir() {
            collect(root, &path, files);
        } else if compressed_copy {
            // xtask's compressed copies: taken with the file they belong to.
        } else if let Ok(relative) = path.strip_prefix(root) {
            let url = relative
                .components()
                .map(|part| part.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            files.push((format!("/{url}"), path));
        }
    }
}

/// xtask's compressed copy of `file` (`embed.js.gz`), when there is one made after it.
fn made_copy(file: &Path, suffix: &str) -> Option<PathBuf> {
    let mut name = file.as_os_str().to_owned();
    name.push(format!(".{suffix}"));
    let copy = PathBuf::from(name);
    let modified = |path: &Path| std::fs::metadata(path).and_then(|m| m.modified()).ok();
    let made = modified(&copy)?;
    // Watched only when it exists: cargo reruns a build script for a missing path every time.
    println!("cargo:rerun-if-changed={}", copy.display());
    (made >= modified(file)?).then(|| copy.canonicalize().ok())?
}

fn gzip(raw: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(raw).expect("gzip in memory");
    encoder.finish().expect("gzip in memory")
}

fn brotli(raw: &[u8]) -> Vec<u8> {
    let mut compressed = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 22,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &raw[..], &mut compressed, &params).expect("brotli in memory");
    compressed
}
