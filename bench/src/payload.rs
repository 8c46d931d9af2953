//! What a reader downloads: the loader and the widget, raw, gzip -9 and brotli; a map of
//! the largest items in the wasm; and what each size setting saves.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

use serde_json::{json, Value};
use wasmparser::{KnownCustom, Name, Parser, Payload, TypeRef};

#[derive(Clone, Copy, Debug, Default)]
pub struct Sizes {
    pub raw: usize,
    pub gzip: usize,
    pub brotli: usize,
}

impl Sizes {
    pub fn of(bytes: &[u8]) -> Sizes {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(bytes).expect("gzip in memory");
        let gzip = gz.finish().expect("gzip in memory").len();
        let mut br = Vec::new();
        {
            let mut writer = brotli::CompressorWriter::new(&mut br, 4096, 11, 22);
            writer.write_all(bytes).expect("brotli in memory");
        }
        Sizes {
            raw: bytes.len(),
            gzip,
            brotli: br.len(),
        }
    }

    pub fn add(self, other: Sizes) -> Sizes {
        Sizes {
            raw: self.raw + other.raw,
            gzip: self.gzip + other.gzip,
            brotli: self.brotli + other.brotli,
        }
    }

    pub fn json(&self) -> Value {
        json!({"raw": self.raw, "gzip": self.gzip, "brotli": self.brotli})
    }
}

pub fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("reading {path:?}: {e}"))
}

/// One row of the size map.
pub struct Item {
    pub name: String,
    pub bytes: usize,
}

/// The largest function bodies and the data segments of a wasm file, by bytes, with the
/// total of all code and data. Names come
/// from the `name` section, which only the un-optimised build keeps; its sizes are within a
/// few percent of the shipped file's and show where the bytes are.
pub fn largest_items(wasm: &[u8], count: usize) -> (Vec<Item>, usize) {
    let mut imported_functions = 0u32;
    let mut bodies: Vec<(u32, usize)> = Vec::new();
    let mut names: HashMap<u32, String> = HashMap::new();
    let mut data = 0usize;
    for payload in Parser::new(0).parse_all(wasm).flatten() {
        match payload {
            Payload::ImportSection(imports) => {
                imported_functions += imports
                    .into_iter()
                    .flatten()
                    .filter(|import| matches!(import.ty, TypeRef::Func(_)))
                    .count() as u32;
            }
            Payload::CodeSectionEntry(body) => {
                let index = imported_functions + bodies.len() as u32;
                bodies.push((index, body.range().len()));
            }
            Payload::DataSection(segments) => {
                data += segments
                    .into_iter()
                    .flatten()
                    .map(|s| s.data.len())
                    .sum::<usize>();
            }
            Payload::CustomSection(custom) => {
                if let KnownCustom::Name(reader) = custom.as_known() {
                    for section in reader.into_iter().flatten() {
                        if let Name::Function(map) = section {
                            for naming in map.into_iter().flatten() {
                                let name = rustc_demangle::demangle(naming.name).to_string();
                                names.insert(naming.index, name);
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
    let mut items: Vec<Item> = bodies
        .into_iter()
        .map(|(index, bytes)| Item {
            name: names
                .remove(&index)
                .unwrap_or_else(|| format!("function #{index}")),
            bytes,
        })
        .collect();
    items.push(Item {
        name: "data segments (strings, tables, the stylesheet)".into(),
        bytes: data,
    });
    let total = items.iter().map(|item| item.bytes).sum();
    items.sort_by_key(|item| std::cmp::Reverse(item.bytes));
    items.truncate(count);
    (items, total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compression_shrinks_repetition() {
        let sizes = Sizes::of(&b"colloquy ".repeat(1000));
        assert_eq!(sizes.raw, 9000);
        assert!(sizes.gzip < 200 && sizes.brotli < 200, "{sizes:?}");
    }
}
