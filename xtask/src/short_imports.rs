//! Short names for what the wasm imports from its JS glue.
//!
//! wasm-bindgen names each import after the function it binds and a hash
//! (`__wbg_warn_228ff2257384d295`), under the module `./colloquy_bg.js`, and writes each name
//! twice: once in the wasm's import section, once as a key of the glue's import object. The
//! widget imports about 180 functions, and those names (sixteen hex digits each, which no
//! compressor shortens much) cost every reader about 5 KB gzipped, wasm and glue. Here each
//! becomes a short name (`a`, `b`, … `aa`), in both files at once, after Trunk's build and
//! before the glue is minified. (Shortening the exports too, the glue's `wasm.<name>`,
//! saved nothing measurable: there are twenty, and their long names repeat one another.)
//!
//! Only names whose one appearance in the glue is as that key are renamed (a name the glue
//! uses elsewhere keeps it), and the module name only when the glue names it once; the
//! functions, their types and their order are left as they are.

use std::path::Path;

/// The module wasm-bindgen's glue gives the wasm as its imports.
const GLUE_MODULE: &str = "./colloquy_bg.js";

/// Renames the imports of `dist/colloquy_bg.wasm` and the keys of `dist/colloquy.js` that
/// provide them.
pub fn shorten(dist: &Path) -> Result<(), String> {
    let wasm_path = dist.join("colloquy_bg.wasm");
    let glue_path = dist.join("colloquy.js");
    let wasm = std::fs::read(&wasm_path).map_err(|e| format!("reading {wasm_path:?}: {e}"))?;
    let glue =
        std::fs::read_to_string(&glue_path).map_err(|e| format!("reading {glue_path:?}: {e}"))?;
    let (wasm, glue, renamed) = rename_imports(&wasm, &glue)?;
    std::fs::write(&wasm_path, wasm).map_err(|e| format!("writing {wasm_path:?}: {e}"))?;
    std::fs::write(&glue_path, glue).map_err(|e| format!("writing {glue_path:?}: {e}"))?;
    println!("xtask: {renamed} of the wasm's imports named shortly (wasm and JS glue)");
    Ok(())
}

/// The wasm and the glue with short import names, and how many names changed.
pub fn rename_imports(wasm: &[u8], glue: &str) -> Result<(Vec<u8>, String, usize), String> {
    if wasm.len() < 8 || &wasm[..4] != b"\0asm" {
        return Err("colloquy_bg.wasm is not a wasm module".into());
    }
    let mut reader = Reader { bytes: wasm, at: 8 };
    let mut out = wasm[..8].to_vec();
    let mut glue = glue.to_owned();
    let mut renamed = 0;
    while reader.at < wasm.len() {
        let id = reader.byte()?;
        let size = reader.leb()? as usize;
        let body = reader.take(size)?;
        let body = if id == 2 {
            let (section, count) = rename_section(body, &mut glue)?;
            renamed = count;
            section
        } else {
            body.to_vec()
        };
        out.push(id);
        write_leb(&mut out, body.len() as u64);
        out.extend_from_slice(&body);
    }
    Ok((out, glue, renamed))
}

/// The import section (id 2) with its names replaced, and how many were.
fn rename_section(body: &[u8], glue: &mut String) -> Result<(Vec<u8>, usize), String> {
    let module_key = format!("\"{GLUE_MODULE}\":");
    let new_module = if glue.matches(&module_key).count() == 1 {
        *glue = glue.replacen(&module_key, "a:", 1);
        "a"
    } else {
        GLUE_MODULE
    };
    let mut reader = Reader { bytes: body, at: 0 };
    let count = reader.leb()?;
    let mut out = Vec::with_capacity(body.len());
    write_leb(&mut out, count);
    let mut renamed = 0;
    for _ in 0..count {
        let module = reader.name()?;
        let field = reader.name()?;
        let start = reader.at;
        reader.skip_description()?;
        let description = &body[start..reader.at];
        let (module, field) = if module == GLUE_MODULE {
            let short = short_name(renamed);
            if rename_key(glue, field, &short) {
                renamed += 1;
                (new_module, short)
            } else {
                (new_module, field.to_owned())
            }
        } else {
            (module, field.to_owned())
        };
        write_name(&mut out, module);
        write_name(&mut out, &field);
        out.extend_from_slice(description);
    }
    if reader.at != body.len() {
        return Err("the wasm's import section has bytes after its last import".into());
    }
    Ok((out, renamed))
}

/// Replaces the key `name:` in the glue by `short:`, when that is the name's one use there
/// as a whole identifier.
fn rename_key(glue: &mut String, name: &str, short: &str) -> bool {
    let uses: Vec<usize> = glue
        .match_indices(name)
        .map(|(at, _)| at)
        .filter(|&at| {
            let before = glue[..at].chars().next_back();
            let after = glue[at + name.len()..].chars().next();
            !before.is_some_and(is_identifier_char) && !after.is_some_and(is_identifier_char)
        })
        .collect();
    match uses[..] {
        [at] if glue[at + name.len()..].starts_with(':') => {
            glue.replace_range(at..at + name.len(), short);
            true
        }
        _ => false,
    }
}

fn is_identifier_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '$'
}

/// The `n`th short name: `a`…`z`, `A`…`Z`, then two letters, and so on. Keys of an object
/// literal may be any identifier name, reserved words too.
fn short_name(mut n: usize) -> String {
    const LETTERS: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut name = Vec::new();
    loop {
        name.push(LETTERS[n % LETTERS.len()]);
        n /= LETTERS.len();
        if n == 0 {
            break;
        }
        n -= 1;
    }
    name.reverse();
    String::from_utf8(name).expect("ASCII letters")
}

fn write_leb(out: &mut Vec<u8>, mut value: u64) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn write_name(out: &mut Vec<u8>, name: &str) {
    write_leb(out, name.len() as u64);
    out.extend_from_slice(name.as_bytes());
}

/// Reads the binary format's pieces, each failure a plain sentence.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn byte(&mut self) -> Result<u8, String> {
        let byte = *self
            .bytes
            .get(self.at)
            .ok_or("the wasm ends in the middle of a section")?;
        self.at += 1;
        Ok(byte)
    }

    fn leb(&mut self) -> Result<u64, String> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = self.byte()?;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err("the wasm holds a number longer than 64 bits".into())
    }

    fn take(&mut self, length: usize) -> Result<&'a [u8], String> {
        let end = self
            .at
            .checked_add(length)
            .filter(|&end| end <= self.bytes.len())
            .ok_or("the wasm ends in the middle of a section")?;
        let taken = &self.bytes[self.at..end];
        self.at = end;
        Ok(taken)
    }

    fn name(&mut self) -> Result<&'a str, String> {
        let length = self.leb()? as usize;
        std::str::from_utf8(self.take(length)?).map_err(|_| "an import name is not UTF-8".into())
    }

    /// Past what an import brings: a function's type, a table, a memory, a global or a tag.
    fn skip_description(&mut self) -> Result<(), String> {
        match self.byte()? {
            0 => self.leb().map(drop),
            1 => {
                self.byte()?;
                self.limits()
            }
            2 => self.limits(),
            3 => {
                self.byte()?;
                self.byte().map(drop)
            }
            4 => {
                self.byte()?;
                self.leb().map(drop)
            }
            kind => Err(format!(
                "an import of a kind this step does not know ({kind})"
            )),
        }
    }

    fn limits(&mut self) -> Result<(), String> {
        let flags = self.byte()?;
        self.leb()?;
        if flags & 1 == 1 {
            self.leb()?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A module importing `names` from the glue's module (functions of type 0) and a
    /// memory from `env`, with a type section before and a custom section after.
    fn module(names: &[&str]) -> Vec<u8> {
        let mut imports = Vec::new();
        write_leb(&mut imports, names.len() as u64 + 1);
        for name in names {
            write_name(&mut imports, GLUE_MODULE);
            write_name(&mut imports, name);
            imports.extend_from_slice(&[0, 0]);
        }
        write_name(&mut imports, "env");
        write_name(&mut imports, "memory");
        imports.extend_from_slice(&[2, 1, 1, 2]);
        let mut wasm = b"\0asm\x01\0\0\0".to_vec();
        wasm.extend_from_slice(&[1, 4, 1, 0x60, 0, 0]);
        wasm.push(2);
        write_leb(&mut wasm, imports.len() as u64);
        wasm.extend_from_slice(&imports);
        wasm.extend_from_slice(&[0, 4, 3, b'x', b'y', b'z']);
        wasm
    }

    fn import_names(wasm: &[u8]) -> Vec<(String, String)> {
        let mut reader = Reader { bytes: wasm, at: 8 };
        let mut names = Vec::new();
        while reader.at < wasm.len() {
            let id = reader.byte().unwrap();
            let size = reader.leb().unwrap() as usize;
            let body = reader.take(size).unwrap();
            if id == 2 {
                let mut section = Reader { bytes: body, at: 0 };
                for _ in 0..section.leb().unwrap() {
                    let module = section.name().unwrap().to_owned();
                    let field = section.name().unwrap().to_owned();
                    section.skip_description().unwrap();
                    names.push((module, field));
                }
                assert_eq!(section.at, body.len());
            }
        }
        names
    }

    #[test]
    fn names_shorten_in_the_wasm_and_the_glue_alike() {
        let (one, two) = ("__wbg_log_0123456789abcdef", "__wbg_now_fedcba9876543210");
        let glue = format!(
            "const i = {{ {one}: function(a) {{ log(a) }}, {two}: function() {{}} }};\n\
             return {{ \"{GLUE_MODULE}\": i }};"
        );
        let (wasm, glue, renamed) = rename_imports(&module(&[one, two]), &glue).unwrap();
        assert_eq!(renamed, 2);
        assert_eq!(
            import_names(&wasm),
            [("a", "a"), ("a", "b"), ("env", "memory")].map(|(m, f)| (m.to_owned(), f.to_owned()))
        );
        assert_eq!(
            glue,
            "const i = { a: function(a) { log(a) }, b: function() {} };\nreturn { a: i };"
        );
        // The sections after the imports are where they were, whole.
        assert!(wasm.ends_with(&[0, 4, 3, b'x', b'y', b'z']));
    }

    #[test]
    fn a_name_the_glue_uses_twice_is_kept() {
        let (one, two) = ("__wbindgen_malloc", "__wbg_now_fedcba9876543210");
        let glue = format!(
            "{one}: function() {{}}, {two}: function() {{ return {one}; }}, \"{GLUE_MODULE}\": i"
        );
        let (wasm, glue, renamed) = rename_imports(&module(&[one, two]), &glue).unwrap();
        assert_eq!(renamed, 1);
        let names = import_names(&wasm);
        assert_eq!(names[0].1, one);
        assert_eq!(names[1].1, "a");
        assert!(glue.contains("a: function() { return __wbindgen_malloc; }"));
    }

    #[test]
    fn a_name_found_only_inside_a_longer_one_is_kept() {
        let glue = "__wbg_x_1_more: function() {}";
        let (_, kept, renamed) = rename_imports(&module(&["__wbg_x_1"]), glue).unwrap();
        assert_eq!((renamed, kept.as_str()), (0, glue));
    }

    #[test]
    fn short_names_count_through_two_letters() {
        let names: Vec<String> = [0, 25, 26, 51, 52, 53, 52 + 52 * 52 - 1, 52 + 52 * 52]
            .into_iter()
            .map(short_name)
            .collect();
        assert_eq!(names, ["a", "z", "A", "Z", "aa", "ab", "ZZ", "aaa"]);
    }

    #[test]
    fn what_is_not_a_module_is_refused() {
        assert!(rename_imports(b"<html>", "").is_err());
        let mut cut = module(&["__wbg_a_1"]);
        cut.truncate(cut.len() - 2);
        assert!(rename_imports(&cut, "").is_err());
    }
}
