//! A site owner's install: the one `colloquy-server` file copied into an empty folder and
//! started there with nothing beside it (no `--assets`, no `dist/`), as the README's three
//! steps do. The widget it carries loads in Chromium and takes a comment, and its files go
//! out compressed with brotli and typed for the browser.

use std::path::Path;

use colloquy_e2e::server::{server_binary, Assets, Launch};
use colloquy_e2e::stage::Reader;
use colloquy_e2e::webdriver::Browser;

/// The demo page's widget and thread.
const DEMO: &str = "[data-colloquy]";
const DEMO_THREAD: &str = "demo%2Fa-quieter-comment-section";

/// The names in `folder`, sorted.
fn listing(folder: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(folder)
        .expect("read the install folder")
        .map(|entry| {
            entry
                .expect("a folder entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names
}

/// GETs `url` asking for brotli; returns the content type, the content encoding and the
/// body as sent (this client decompresses nothing).
fn fetch_brotli(url: &str) -> (String, String, Vec<u8>) {
    fetch_encoded(url, "br")
}

/// GETs `url` with `Accept-Encoding: encoding`; returns the content type, the content
/// encoding and the body as sent.
fn fetch_encoded(url: &str, encoding: &str) -> (String, String, Vec<u8>) {
    let response = ureq::get(url)
        .set("Accept-Encoding", encoding)
        .call()
        .unwrap_or_else(|e| panic!("GET {url}: {e}"));
    let content_type = response.header("content-type").unwrap_or("").to_owned();
    let encoding = response.header("content-encoding").unwrap_or("").to_owned();
    let mut body = Vec::new();
    std::io::Read::read_to_end(&mut response.into_reader(), &mut body).expect("read the body");
    (content_type, encoding, body)
}

#[test]
fn one_file_in_an_empty_folder_serves_the_widget_and_takes_comments() {
    let install = tempfile::tempdir().expect("an empty folder");
    let program = install.path().join("colloquy-server");
    std::fs::copy(server_binary(), &program).expect("copy the server into the folder");
    assert_eq!(listing(install.path()), ["colloquy-server"]);

    let server = Launch::new(install.path().join("colloquy.db"))
        .program(&program)
        .working_folder(install.path())
        .assets(Assets::Carried)
        .seed_demo(true)
        .start();

    // The widget's files, from the binary itself.
    let (loader_type, loader_encoding, loader) = fetch_brotli(&server.url("/embed.js"));
    assert!(
        loader_type.starts_with("text/javascript"),
        "the loader is JavaScript, not {loader_type:?}"
    );
    assert_eq!(loader_encoding, "br", "the loader is sent compressed");
    let (wasm_type, wasm_encoding, wasm) = fetch_brotli(&server.url("/colloquy_bg.wasm"));
    assert_eq!(
        wasm_type, "application/wasm",
        "typed for streaming compilation"
    );
    assert_eq!(wasm_encoding, "br", "the wasm is sent compressed");
    let raw_wasm = ureq::get(&server.url("/colloquy_bg.wasm"))
        .set("Accept-Encoding", "identity")
        .call()
        .expect("GET the wasm uncompressed");
    assert!(
        raw_wasm.header("content-encoding").is_none(),
        "sent as is to a client that asks for no compression"
    );
    let mut raw = Vec::new();
    std::io::Read::read_to_end(&mut raw_wasm.into_reader(), &mut raw).expect("read the wasm");
    assert!(raw.starts_with(b"\0asm"), "a WebAssembly module");
    assert!(
        wasm.len() < raw.len() / 2,
        "brotli makes the wasm much smaller ({} of {} bytes)",
        wasm.len(),
        raw.len()
    );
    // Both compressed copies (made once by `cargo xtask dist`, gzip by zopfli) read back
    // to the very file.
    let mut from_brotli = Vec::new();
    brotli::BrotliDecompress(&mut &wasm[..], &mut from_brotli).expect("the brotli copy reads");
    assert!(from_brotli == raw, "the brotli copy is the wasm");
    let (_, gzip_encoding, gzipped) = fetch_encoded(&server.url("/colloquy_bg.wasm"), "gzip");
    assert_eq!(
        gzip_encoding, "gzip",
        "sent gzipped to a client without brotli"
    );
    let mut from_gzip = Vec::new();
    std::io::Read::read_to_end(
        &mut flate2::read::GzDecoder::new(&gzipped[..]),
        &mut from_gzip,
    )
    .expect("the gzip copy reads");
    assert!(from_gzip == raw, "the gzip copy is the wasm");

    // A reader on the demo page it serves.
    let browser = Browser::start();
    let reader = Reader(&browser);
    browser.goto(&server.url("/"));
    reader.wait_for_count(DEMO, "8 comments");
    let body = "Installed from one file.";
    reader.post_through(DEMO, "Site owner", body);
    reader.wait_for_count(DEMO, "9 comments");
    assert_eq!(reader.copies_of(DEMO, body), 1);
    let stored = server.get_json(&format!("/api/v1/threads/{DEMO_THREAD}/comments"));
    assert_eq!(stored["total"], 9);

    // Nothing came to sit beside it but its database.
    let beside: Vec<String> = listing(install.path())
        .into_iter()
        .filter(|name| name != "colloquy-server" && !name.starts_with("colloquy.db"))
        .collect();
    assert!(
        beside.is_empty(),
        "the install folder also holds {beside:?}"
    );
    println!(
        "one binary: loader {} bytes and wasm {} bytes brotli ({} gzip, {} raw), demo thread loaded and took a comment",
        loader.len(),
        wasm.len(),
        gzipped.len(),
        raw.len()
    );
}
