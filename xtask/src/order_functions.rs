//! The wasm's functions put in an order that gzip compresses better.
//!
//! gzip (deflate) finds repeats only within the last 32 KB it has read, and the widget's code
//! is about 350 KB: two functions that share most of their bytes (copies of one generic
//! function for two types, two drop functions for similar structs) compress well only when
//! they sit near each other. wasm-opt leaves the functions in the order the compiler gave
//! them. Here, after it, the functions the module defines are written again in an order
//! that puts each next to the ones most like it, and every reference to a function (calls,
//! the table, exports, the start function) is renumbered to match. Nothing else changes:
//! the same instructions, the same types, the same imports in the same places.
//!
//! The order is greedy: it starts from the largest function, and each next one is the
//! remaining function the largest share of whose 4-byte sequences already occur in the
//! last ~2 KB of code placed (ties go to the earlier function, so the order is the same
//! on every machine). What this saves is a row of `cargo xtask bench`'s size steps.

use std::collections::{HashMap, VecDeque};
use std::path::Path;

use wasm_encoder::reencode::{Error, Reencode};
use wasmparser::{Parser, Payload};

/// How much of the code just placed a candidate is compared with, in bytes. Measured on
/// the widget (about 1,500 functions): windows of 1, 1.5, 3, 4 and 8 KB compressed 300 to
/// 450 bytes worse than 2 KB, and sequences of 3, 5, 6 or 8 bytes 80 to 230 bytes worse
/// than 4.
const WINDOW_BYTES: usize = 2048;

/// Reorders the functions of `dist/colloquy_bg.wasm` in place.
pub fn order(dist: &Path) -> Result<(), String> {
    let path = dist.join("colloquy_bg.wasm");
    let wasm = std::fs::read(&path).map_err(|e| format!("reading {path:?}: {e}"))?;
    let (ordered, moved) = reorder(&wasm)?;
    std::fs::write(&path, &ordered).map_err(|e| format!("writing {path:?}: {e}"))?;
    println!("xtask: the wasm's {moved} functions ordered for the compressor");
    Ok(())
}

/// The module with its defined functions in the compressor's order, and how many there
/// are. A module that does not validate is refused, and so is the result if it did not
/// (which would be a fault here, never to be shipped).
pub fn reorder(wasm: &[u8]) -> Result<(Vec<u8>, usize), String> {
    wasmparser::Validator::new()
        .validate_all(wasm)
        .map_err(|e| format!("the wasm to reorder is not valid: {e}"))?;
    let (imported, bodies) = function_bodies(wasm)?;
    let order = compressor_order(&bodies);
    let mut new_place = vec![0u32; bodies.len()];
    for (place, &old) in order.iter().enumerate() {
        new_place[old] = place as u32;
    }
    let mut reorderer = Reorderer {
        imported,
        new_place,
        order,
        types: Vec::new(),
    };
    let mut module = wasm_encoder::Module::new();
    reorderer
        .parse_core_module(&mut module, Parser::new(0), wasm)
        .map_err(|e| format!("reordering the wasm's functions: {e}"))?;
    let ordered = module.finish();
    wasmparser::Validator::new()
        .validate_all(&ordered)
        .map_err(|e| format!("the reordered wasm does not validate: {e}"))?;
    Ok((ordered, bodies.len()))
}

/// How many functions the module imports (they keep the first indices), and each defined
/// function's body as bytes.
fn function_bodies(wasm: &[u8]) -> Result<(u32, Vec<&[u8]>), String> {
    let mut imported = 0;
    let mut bodies = Vec::new();
    for payload in Parser::new(0).parse_all(wasm) {
        match payload.map_err(|e| e.to_string())? {
            Payload::ImportSection(imports) => {
                for import in imports.into_imports() {
                    let import = import.map_err(|e| e.to_string())?;
                    if matches!(import.ty, wasmparser::TypeRef::Func(_)) {
                        imported += 1;
                    }
                }
            }
            Payload::CodeSectionEntry(body) => bodies.push(&wasm[body.range()]),
            _ => {}
        }
    }
    Ok((imported, bodies))
}

/// The order (indices into `bodies`) in which similar functions sit together: see the
/// module's comment.
pub fn compressor_order(bodies: &[&[u8]]) -> Vec<usize> {
    if bodies.is_empty() {
        return Vec::new();
    }
    // Each body's distinct 4-byte sequences, numbered densely so the window's counts are
    // an array.
    let mut numbers: HashMap<u32, usize> = HashMap::new();
    let sequences: Vec<Vec<usize>> = bodies
        .iter()
        .map(|body| {
            let mut found: Vec<usize> = body
                .windows(4)
                .map(|four| {
                    let key = u32::from_le_bytes([four[0], four[1], four[2], four[3]]);
                    let next = numbers.len();
                    *numbers.entry(key).or_insert(next)
                })
                .collect();
            found.sort_unstable();
            found.dedup();
            found
        })
        .collect();
    let mut in_window = vec![0u32; numbers.len()];
    let mut window: VecDeque<usize> = VecDeque::new();
    let mut window_bytes = 0;
    let mut placed = vec![false; bodies.len()];
    let mut order = Vec::with_capacity(bodies.len());
    // The largest first (the earliest of equals).
    let mut next = (0..bodies.len())
        .max_by_key(|&i| (bodies[i].len(), std::cmp::Reverse(i)))
        .unwrap_or(0);
    loop {
        placed[next] = true;
        order.push(next);
        window.push_back(next);
        window_bytes += bodies[next].len();
        for &sequence in &sequences[next] {
            in_window[sequence] += 1;
        }
        while window_bytes > WINDOW_BYTES && window.len() > 1 {
            if let Some(old) = window.pop_front() {
                window_bytes -= bodies[old].len();
                for &sequence in &sequences[old] {
                    in_window[sequence] -= 1;
                }
            }
        }
        // The best share of sequences already in the window, as the fraction
        // shared / (own + 1), compared without division.
        let mut best: Option<(usize, u64, u64)> = None;
        for (candidate, own) in sequences.iter().enumerate() {
            if placed[candidate] {
                continue;
            }
            let shared = own.iter().filter(|&&s| in_window[s] > 0).count() as u64;
            let size = own.len() as u64 + 1;
            let better = match best {
                None => true,
                Some((_, best_shared, best_size)) => shared * best_size > best_shared * size,
            };
            if better {
                best = Some((candidate, shared, size));
            }
        }
        match best {
            Some((candidate, _, _)) => next = candidate,
            None => return order,
        }
    }
}

/// Writes the module again with the function section and the code in the new order, and
/// every function index renumbered.
struct Reorderer {
    imported: u32,
    /// Each defined function's new place among the defined functions.
    new_place: Vec<u32>,
    /// The defined functions (old places) in their new order.
    order: Vec<usize>,
    /// Each defined function's type, in the old order.
    types: Vec<u32>,
}

impl Reencode for Reorderer {
    type Error = String;

    fn function_index(&mut self, func: u32) -> Result<u32, Error<String>> {
        if func < self.imported {
            return Ok(func);
        }
        self.new_place
            .get((func - self.imported) as usize)
            .map(|place| place + self.imported)
            .ok_or_else(|| Error::UserError(format!("no function {func}")))
    }

    fn parse_function_section(
        &mut self,
        functions: &mut wasm_encoder::FunctionSection,
        section: wasmparser::FunctionSectionReader<'_>,
    ) -> Result<(), Error<String>> {
        for ty in section {
            self.types.push(ty?);
        }
        for &old in &self.order {
            functions.function(self.types[old]);
        }
        Ok(())
    }

    fn parse_code_section(
        &mut self,
        code: &mut wasm_encoder::CodeSection,
        section: wasmparser::CodeSectionReader<'_>,
    ) -> Result<(), Error<String>> {
        let mut bodies = Vec::new();
        for body in section {
            let body = body?;
            let mut function = self.new_function_with_parsed_locals(&body)?;
            let mut reader = body.get_operators_reader()?;
            while !reader.eof() {
                function.instruction(&self.parse_instruction(&mut reader)?);
            }
            bodies.push(Some(function.into_raw_body()));
        }
        if bodies.len() != self.order.len() {
            return Err(Error::UserError(
                "the code and function sections disagree".into(),
            ));
        }
        for &old in &self.order {
            if let Some(body) = bodies[old].take() {
                code.raw(&body);
            }
        }
        Ok(())
    }

    fn parse_custom_section(
        &mut self,
        module: &mut wasm_encoder::Module,
        section: wasmparser::CustomSectionReader<'_>,
    ) -> Result<(), Error<String>> {
        // Function names would have to be sorted again by their new indices. The shipped
        // wasm has none (wasm-opt drops them), so a name section is left out rather than
        // written wrong.
        if section.name() != "name" {
            module.section(&wasm_encoder::CustomSection {
                name: section.name().into(),
                data: section.data().into(),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_encoder::{
        CodeSection, ConstExpr, ElementSection, Elements, EntityType, ExportKind, ExportSection,
        Function, FunctionSection, ImportSection, Instruction, Module, RefType, StartSection,
        TableSection, TableType, TypeSection, ValType,
    };

    /// A module importing one function and defining `calls.len()` functions, each marked
    /// by its own constant (its old index among the defined ones, plus 1000), padded with
    /// `padding[i]` further constants so sizes differ, and calling the functions
    /// `calls[i]` names (indices in the module's index space); every defined function is
    /// exported as `f<i>`, the last is the start function, and the table holds the first.
    fn module(calls: &[&[u32]], padding: &[i64]) -> Vec<u8> {
        let mut types = TypeSection::new();
        types.ty().function([], []);
        types.ty().function([ValType::I64], []);
        let mut imports = ImportSection::new();
        imports.import("env", "log", EntityType::Function(1));
        let mut functions = FunctionSection::new();
        let mut code = CodeSection::new();
        let mut exports = ExportSection::new();
        for (i, callees) in calls.iter().enumerate() {
            functions.function(0);
            let mut body = Function::new([]);
            body.instruction(&Instruction::I64Const(1000 + i as i64));
            body.instruction(&Instruction::Call(0));
            for p in 0..padding[i] {
                body.instruction(&Instruction::I64Const(p * 7));
                body.instruction(&Instruction::Call(0));
            }
            for &callee in *callees {
                body.instruction(&Instruction::Call(callee));
            }
            body.instruction(&Instruction::End);
            code.function(&body);
            exports.export(&format!("f{i}"), ExportKind::Func, 1 + i as u32);
        }
        let mut tables = TableSection::new();
        tables.table(TableType {
            element_type: RefType::FUNCREF,
            table64: false,
            minimum: 1,
            maximum: None,
            shared: false,
        });
        let mut elements = ElementSection::new();
        elements.active(
            None,
            &ConstExpr::i32_const(0),
            Elements::Functions(std::borrow::Cow::Borrowed(&[1])),
        );
        let mut module = Module::new();
        module
            .section(&types)
            .section(&imports)
            .section(&functions)
            .section(&tables)
            .section(&exports)
            .section(&StartSection {
                function_index: calls.len() as u32,
            })
            .section(&elements)
            .section(&code);
        module.finish()
    }

    /// Each defined function's marker (see [`module`]) and the markers of what it calls,
    /// in index order; and the markers the exports, the start and the table name.
    struct Reading {
        functions: Vec<(i64, Vec<i64>)>,
        exports: Vec<(String, i64)>,
        start: i64,
        table: Vec<i64>,
    }

    fn read(wasm: &[u8]) -> Reading {
        let mut bodies: Vec<(i64, Vec<u32>)> = Vec::new();
        let (mut exports, mut start, mut table) = (Vec::new(), 0, Vec::new());
        for payload in Parser::new(0).parse_all(wasm) {
            match payload.unwrap() {
                Payload::CodeSectionEntry(body) => {
                    let mut marker = None;
                    let mut callees = Vec::new();
                    for op in body.get_operators_reader().unwrap() {
                        match op.unwrap() {
                            wasmparser::Operator::I64Const { value } if marker.is_none() => {
                                marker = Some(value)
                            }
                            wasmparser::Operator::Call { function_index } if function_index > 0 => {
                                callees.push(function_index)
                            }
                            _ => {}
                        }
                    }
                    bodies.push((marker.unwrap(), callees));
                }
                Payload::ExportSection(section) => {
                    for export in section {
                        let export = export.unwrap();
                        exports.push((export.name.to_owned(), export.index));
                    }
                }
                Payload::StartSection { func, .. } => start = func,
                Payload::ElementSection(section) => {
                    for element in section {
                        if let wasmparser::ElementItems::Functions(items) = element.unwrap().items {
                            table.extend(items.into_iter().map(Result::unwrap));
                        }
                    }
                }
                _ => {}
            }
        }
        let marker = |index: u32| bodies[index as usize - 1].0;
        Reading {
            functions: bodies
                .iter()
                .map(|(m, callees)| (*m, callees.iter().map(|&c| marker(c)).collect()))
                .collect(),
            exports: exports
                .into_iter()
                .map(|(name, index)| (name, marker(index)))
                .collect(),
            start: marker(start),
            table: table.into_iter().map(marker).collect(),
        }
    }

    #[test]
    fn every_reference_follows_its_function_to_its_new_place() {
        // Function 0 is small and calls 3 and 2; 1 is the largest; 2 and 3 alike.
        let calls: [&[u32]; 4] = [&[4, 3], &[1], &[2, 4], &[3, 1]];
        let original = module(&calls, &[0, 40, 12, 12]);
        let (ordered, count) = reorder(&original).unwrap();
        assert_eq!(count, 4);
        assert_eq!(ordered.len(), original.len());
        let (before, after) = (read(&original), read(&ordered));
        assert_ne!(
            before.functions, after.functions,
            "the largest function moves to the front"
        );
        assert_eq!(after.functions[0].0, 1001);
        // The same functions, each calling the same functions as before.
        let mut sorted = after.functions.clone();
        sorted.sort();
        assert_eq!(sorted, before.functions);
        assert_eq!(after.exports, before.exports);
        assert_eq!(after.start, before.start);
        assert_eq!(after.table, before.table);
    }

    #[test]
    fn similar_functions_end_up_side_by_side() {
        let like = |tail: u8| {
            let mut body: Vec<u8> = (0..200u8).map(|b| b.wrapping_mul(31)).collect();
            body.push(tail);
            body
        };
        let other = |seed: u8| -> Vec<u8> { (0..150u8).map(|b| b ^ seed).collect() };
        let bodies = [like(1), other(0x55), other(0xAA), like(2), other(0x0F)];
        let refs: Vec<&[u8]> = bodies.iter().map(Vec::as_slice).collect();
        let order = compressor_order(&refs);
        let mut sorted = order.clone();
        sorted.sort();
        assert_eq!(sorted, [0, 1, 2, 3, 4], "every function, once");
        assert_eq!(&order[..2], [0, 3], "the largest first, then its twin");
        assert_eq!(compressor_order(&refs), order, "the same order every time");
        assert!(compressor_order(&[]).is_empty());
    }

    #[test]
    fn what_is_not_a_valid_module_is_refused() {
        assert!(reorder(b"<html>").is_err());
        let mut cut = module(&[&[]], &[0]);
        cut.truncate(cut.len() - 3);
        assert!(reorder(&cut).is_err());
    }
}
