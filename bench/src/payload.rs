//! What a reader downloads: the loader and the widget, raw, gzipped and brotli; a map of
//! the largest items in the wasm; and what each size setting saves.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};
use wasmparser::{KnownCustom, Name, Parser, Payload, TypeRef};

/// One file (or several added up): raw, gzipped and brotli (quality 11), in bytes, each
/// compressed as `cargo xtask dist` does for the server to send: gzip by zopfli (the gzip
/// format at its smallest, [`crate::gzip::gzip_best`]; zlib's level 9 makes about 5 %
/// more), brotli at quality 11.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Sizes {
    pub raw: usize,
    pub gzip: usize,
    pub brotli: usize,
}

impl Sizes {
    pub fn of(bytes: &[u8]) -> Sizes {
        let gzip = crate::gzip::gzip_best(bytes).expect("gzip in memory").len();
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
}

/// The length of `bytes` gzipped by zlib at level 9.
fn zlib9(bytes: &[u8]) -> usize {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(bytes).expect("gzip in memory");
    gz.finish().expect("gzip in memory").len()
}

pub fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("reading {path:?}: {e}"))
}

/// What a reader downloads, file by file.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PayloadSizes {
    pub loader: Sizes,
    pub wasm: Sizes,
    pub js_glue: Sizes,
    /// The stylesheet, compiled into the wasm: counted there, shown for what it weighs.
    pub css_inside_wasm: Sizes,
    /// wasm + JS glue.
    pub widget_total: Sizes,
    /// wasm + JS glue gzipped by zlib at level 9 (`gzip -9`), as the reports before
    /// zopfli measured them: the gzip figure of those reports to compare with.
    pub widget_zlib9: usize,
    /// The largest language file a reader of another language than English downloads
    /// (`dist/locales/<tag>.json`), by its tag; English is inside the wasm.
    pub largest_language: (String, Sizes),
}

impl PayloadSizes {
    /// The loader, the wasm and its JS glue from `dist`, and the stylesheet at `css`.
    pub fn measure(dist: &Path, css: &Path) -> PayloadSizes {
        let (wasm_bytes, glue_bytes) = (
            read(&dist.join("colloquy_bg.wasm")),
            read(&dist.join("colloquy.js")),
        );
        let (wasm, js_glue) = (Sizes::of(&wasm_bytes), Sizes::of(&glue_bytes));
        PayloadSizes {
            loader: Sizes::of(&read(&dist.join("embed.js"))),
            wasm,
            js_glue,
            css_inside_wasm: Sizes::of(&read(css)),
            widget_total: wasm.add(js_glue),
            widget_zlib9: zlib9(&wasm_bytes) + zlib9(&glue_bytes),
            largest_language: largest_language(&dist.join("locales")),
        }
    }
}

/// The language file that weighs most gzipped, by its tag.
fn largest_language(folder: &Path) -> (String, Sizes) {
    std::fs::read_dir(folder)
        .map(|entries| {
            entries
                .flatten()
                .filter_map(|entry| {
                    let name = entry.file_name().to_string_lossy().into_owned();
                    let tag = name.strip_suffix(".json")?.to_owned();
                    Some((tag, Sizes::of(&read(&entry.path()))))
                })
                .max_by_key(|(_, sizes)| sizes.gzip)
        })
        .ok()
        .flatten()
        .unwrap_or_else(|| ("none".to_owned(), Sizes::of(&[])))
}

/// One entry of `variants.json`, which xtask writes beside the builds of the size steps.
#[derive(Debug, Deserialize)]
pub struct Variant {
    pub id: String,
    pub description: String,
    /// The id of the step this one is measured against; empty for the first.
    pub compared_to: String,
}

/// One size step: one build setting changed, and what that did to wasm + JS glue.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SizeStep {
    pub id: String,
    pub description: String,
    pub compared_to: Option<String>,
    pub sizes: Sizes,
    /// Gzipped bytes saved against `compared_to`; negative when the step costs bytes.
    pub gzip_saved: Option<i64>,
}

/// Every size step xtask built into `dir`: `variants.json` lists them in order, each in a
/// folder named by its id with its `colloquy_bg.wasm` and `colloquy.js`.
pub fn size_steps(dir: &Path) -> Vec<SizeStep> {
    let listing: Vec<Variant> =
        serde_json::from_slice(&read(&dir.join("variants.json"))).expect("variants.json");
    let measured = listing
        .into_iter()
        .map(|variant| {
            let folder = dir.join(&variant.id);
            let sizes = Sizes::of(&read(&folder.join("colloquy_bg.wasm")))
                .add(Sizes::of(&read(&folder.join("colloquy.js"))));
            (variant, sizes)
        })
        .collect();
    compare_steps(measured)
}

/// Each measured step with what it saved against the step it names.
pub fn compare_steps(measured: Vec<(Variant, Sizes)>) -> Vec<SizeStep> {
    let gzip_of = |id: &str| {
        measured
            .iter()
            .find(|(variant, _)| variant.id == id)
            .map(|(_, sizes)| sizes.gzip as i64)
    };
    let saved: Vec<Option<i64>> = measured
        .iter()
        .map(|(variant, sizes)| gzip_of(&variant.compared_to).map(|base| base - sizes.gzip as i64))
        .collect();
    measured
        .into_iter()
        .zip(saved)
        .map(|((variant, sizes), gzip_saved)| SizeStep {
            compared_to: Some(variant.compared_to).filter(|base| !base.is_empty()),
            id: variant.id,
            description: variant.description,
            sizes,
            gzip_saved,
        })
        .collect()
}

/// Where the wasm's bytes are: its largest items, and the total they are shares of.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SizeMap {
    /// All function bodies and data segments of the named build, in bytes.
    pub total_bytes: usize,
    pub largest: Vec<Item>,
}

/// One row of the size map.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Item {
    pub name: String,
    pub bytes: usize,
}

/// The largest function bodies and the data segments of a wasm file, by bytes, with the
/// total of all code and data. Names come
/// from the `name` section, which only the un-optimised build keeps; its sizes are within a
/// few percent of the shipped file's and show where the bytes are.
pub fn size_map(wasm: &[u8], count: usize) -> SizeMap {
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
    let total_bytes = items.iter().map(|item| item.bytes).sum();
    items.sort_by_key(|item| std::cmp::Reverse(item.bytes));
    items.truncate(count);
    SizeMap {
        total_bytes,
        largest: items,
    }
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

    fn variant(id: &str, compared_to: &str) -> Variant {
        Variant {
            id: id.into(),
            description: format!("step {id}"),
            compared_to: compared_to.into(),
        }
    }

    fn gzip(gzip: usize) -> Sizes {
        Sizes {
            raw: gzip * 3,
            gzip,
            brotli: gzip - 1,
        }
    }

    #[test]
    fn each_step_is_compared_with_the_one_it_names() {
        let steps = compare_steps(vec![
            (variant("a", ""), gzip(1000)),
            (variant("b", "a"), gzip(900)),
            (variant("c", "b"), gzip(950)),
            (variant("d", "a"), gzip(800)),
            (variant("e", "gone"), gzip(700)),
        ]);
        let saved: Vec<(Option<&str>, Option<i64>)> = steps
            .iter()
            .map(|s| (s.compared_to.as_deref(), s.gzip_saved))
            .collect();
        assert_eq!(
            saved,
            [
                (None, None),
                (Some("a"), Some(100)),
                (Some("b"), Some(-50)),
                (Some("a"), Some(200)),
                (Some("gone"), None),
            ]
        );
        assert_eq!(steps[2].description, "step c");
    }

    #[test]
    fn the_size_map_of_a_module_counts_its_bodies_and_data() {
        // A hand-assembled module: one imported function, two bodies (the second larger),
        // one 5-byte data segment, and a name section naming the second body.
        let module: Vec<u8> = [
            &b"\0asm\x01\0\0\0"[..],
            // type section: one type, () -> ()
            &[1, 4, 1, 0x60, 0, 0],
            // import section: "m" "f" func type 0
            &[2, 7, 1, 1, b'm', 1, b'f', 0, 0],
            // function section: two functions of type 0
            &[3, 3, 2, 0, 0],
            // memory section: one memory, minimum 1 page (data needs a memory)
            &[5, 3, 1, 0, 1],
            // code section: a 2-byte body (no locals, end) and a 4-byte one (nop nop end)
            &[10, 9, 2, 2, 0, 0x0b, 4, 0, 1, 1, 0x0b],
            // data section: one active segment at offset 0 with "hello"
            &[11, 11, 1, 0, 0x41, 0, 0x0b, 5, b'h', b'e', b'l', b'l', b'o'],
            // custom "name" section, function names subsection: index 2 is "big"
            &[
                0, 13, 4, b'n', b'a', b'm', b'e', 1, 6, 1, 2, 3, b'b', b'i', b'g',
            ],
        ]
        .concat();
        let map = size_map(&module, 2);
        assert_eq!(map.total_bytes, 2 + 4 + 5, "both bodies and the data");
        let rows: Vec<(&str, usize)> = map
            .largest
            .iter()
            .map(|item| (item.name.as_str(), item.bytes))
            .collect();
        assert_eq!(
            rows,
            [
                ("data segments (strings, tables, the stylesheet)", 5),
                ("big", 4),
            ]
        );
    }
}
