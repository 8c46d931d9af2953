//! Smaller text for the widget's wasm, made at build time from the sources people edit:
//! the stylesheet without its comments and indentation, and the English catalog without
//! the server's sections (the widget never shows them). Every reader downloads both.

use std::path::PathBuf;

fn main() {
    let root = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets it"));
    let css = root.join("styles").join("colloquy.css");
    let english = root.join("core").join("locales").join("en.json");
    println!("cargo:rerun-if-changed={}", css.display());
    println!("cargo:rerun-if-changed={}", english.display());

    let source = std::fs::read_to_string(&css).expect("styles/colloquy.css");
    std::fs::write(out.join("colloquy.css"), compact_css(&source)).expect("write OUT_DIR");

    let text = std::fs::read_to_string(&english).expect("core/locales/en.json");
    let mut catalog: serde_json::Value = serde_json::from_str(&text).expect("en.json is JSON");
    let sections = catalog.as_object_mut().expect("en.json is an object");
    sections.remove("api");
    sections.remove("mail");
    std::fs::write(out.join("en.json"), catalog.to_string()).expect("write OUT_DIR");
}

/// Drops `/* … */` comments and needless spaces. Our stylesheet has no strings or URLs
/// that hold comment markers, so nothing smarter is needed.
fn compact_css(source: &str) -> String {
    let mut text = String::with_capacity(source.len());
    let mut rest = source;
    while let Some(start) = rest.find("/*") {
        text.push_str(&rest[..start]);
        rest = rest[start..]
            .find("*/")
            .map_or("", |end| &rest[start + end + 2..]);
    }
    text.push_str(rest);
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut out = words.join(" ");
    for mark in ["{", "}", ";", ","] {
        out = out
            .replace(&format!(" {mark}"), mark)
            .replace(&format!("{mark} "), mark);
    }
    out
}
