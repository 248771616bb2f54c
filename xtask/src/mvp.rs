//! Makes the splitter's modules WebAssembly 1.0 again (old WeCom WebViews, webview.md).
//!
//! wasm-split writes two post-MVP constructs: a DataCount section, and element segments as
//! expressions with `ref.null` for the table slots a chunk fills later. 1.0 has neither: a
//! slot that no segment writes is null already, so each run of functions becomes its own
//! plain segment at its offset, and DataCount goes (it only serves `memory.init`/`data.drop`,
//! which are refused here with every other bulk-memory and reference-types instruction).

use std::borrow::Cow;

use anyhow::{bail, Context, Result};
use wasm_encoder::{ConstExpr, ElementSection, Elements, RawSection};
use wasmparser::{ElementItems, ElementKind, Operator, Parser, Payload};

/// One element-segment slot: `Some(function)` or a null slot.
type Slot = Option<u32>;

/// The module with DataCount dropped and element segments as MVP function-index segments.
/// Idempotent: an MVP module comes back unchanged but for the linker's relocation sections.
pub fn to_mvp(module: &[u8]) -> Result<Vec<u8>> {
    let mut out = wasm_encoder::Module::new();
    for payload in Parser::new(0).parse_all(module) {
        let payload = payload?;
        match &payload {
            Payload::DataCountSection { .. } => continue,
            Payload::ElementSection(reader) => {
                out.section(&elements(reader.clone())?);
                continue;
            }
            Payload::CodeSectionEntry(body) => {
                refuse_post_mvp_code(body)?;
                continue;
            }
            // Only the linker reads these; wasm-bindgen and wasm-opt would drop them anyway.
            Payload::CustomSection(c)
                if c.name() == "linking" || c.name().starts_with("reloc.") =>
            {
                continue
            }
            _ => {}
        }
        if let Some((id, range)) = payload.as_section() {
            let data = &module[range.start as usize..range.end as usize];
            // A custom section's range includes its name, which RawSection writes as is.
            out.section(&RawSection { id, data });
        }
    }
    Ok(out.finish())
}

fn refuse_post_mvp_code(body: &wasmparser::FunctionBody<'_>) -> Result<()> {
    let mut ops = body.get_operators_reader()?;
    while !ops.eof() {
        let op = ops.read()?;
        let bad = match op {
            Operator::MemoryInit { .. } => "memory.init",
            Operator::DataDrop { .. } => "data.drop",
            Operator::MemoryCopy { .. } => "memory.copy",
            Operator::MemoryFill { .. } => "memory.fill",
            Operator::TableInit { .. } => "table.init",
            Operator::ElemDrop { .. } => "elem.drop",
            Operator::TableCopy { .. } => "table.copy",
            Operator::TableGet { .. } => "table.get",
            Operator::TableSet { .. } => "table.set",
            Operator::TableGrow { .. } => "table.grow",
            Operator::TableSize { .. } => "table.size",
            Operator::TableFill { .. } => "table.fill",
            Operator::RefNull { .. } => "ref.null",
            Operator::RefFunc { .. } => "ref.func",
            Operator::RefIsNull => "ref.is_null",
            _ => continue,
        };
        bail!(
            "a function uses `{bad}`, which WebAssembly 1.0 lacks (and DataCount cannot be dropped \
             under memory.init/data.drop): is the app built with -Ctarget-cpu=mvp?"
        );
    }
    Ok(())
}

fn i32_offset(expr: &wasmparser::ConstExpr<'_>) -> Result<Option<i32>> {
    let mut ops = expr.get_operators_reader();
    let first = ops.read()?;
    let offset = match first {
        Operator::I32Const { value } => Some(value),
        Operator::GlobalGet { .. } => None,
        other => bail!("element segment offset {other:?} is not an MVP constant expression"),
    };
    if !matches!(ops.read()?, Operator::End) {
        bail!("element segment offset is longer than one instruction (extended-const)");
    }
    Ok(offset)
}

fn slot(expr: &wasmparser::ConstExpr<'_>) -> Result<Slot> {
    let mut ops = expr.get_operators_reader();
    let slot = match ops.read()? {
        Operator::RefFunc { function_index } => Some(function_index),
        Operator::RefNull { .. } => None,
        other => bail!("element item {other:?} is neither ref.func nor ref.null"),
    };
    Ok(slot)
}

/// Runs of consecutive functions in `slots`, as (index of the first, functions).
fn runs(slots: &[Slot]) -> Vec<(usize, Vec<u32>)> {
    let mut out: Vec<(usize, Vec<u32>)> = Vec::new();
    let mut current: Option<(usize, Vec<u32>)> = None;
    for (i, s) in slots.iter().enumerate() {
        match (s, current.as_mut()) {
            (Some(f), Some((_, run))) => run.push(*f),
            (Some(f), None) => current = Some((i, vec![*f])),
            (None, _) => out.extend(current.take()),
        }
    }
    out.extend(current);
    out
}

fn elements(reader: wasmparser::ElementSectionReader<'_>) -> Result<ElementSection> {
    let mut section = ElementSection::new();
    for element in reader {
        let element = element?;
        let slots: Vec<Slot> = match element.items {
            ElementItems::Functions(funcs) => funcs
                .into_iter()
                .map(|f| f.map(Some))
                .collect::<Result<_, _>>()?,
            ElementItems::Expressions(_, exprs) => exprs
                .into_iter()
                .map(|e| slot(&e?))
                .collect::<Result<_>>()?,
        };
        match element.kind {
            // Only `ref.func` in code needs a declaration, and 1.0 has no `ref.func`.
            ElementKind::Declared => {}
            ElementKind::Passive => bail!("a passive element segment needs bulk memory"),
            ElementKind::Active {
                table_index,
                offset_expr,
            } => {
                if table_index.unwrap_or(0) != 0 {
                    bail!("an element segment writes table {table_index:?}; 1.0 has one table");
                }
                match i32_offset(&offset_expr)? {
                    Some(base) => {
                        for (start, funcs) in runs(&slots) {
                            let at = base
                                .checked_add(i32::try_from(start)?)
                                .context("element offset overflows")?;
                            section.active(
                                None,
                                &ConstExpr::i32_const(at),
                                Elements::Functions(Cow::Owned(funcs)),
                            );
                        }
                    }
                    // `global.get` + k is not a 1.0 constant: only a segment without nulls fits.
                    None => {
                        let funcs: Option<Vec<u32>> = slots.iter().copied().collect();
                        let funcs = funcs.context(
                            "an element segment at a global offset has null slots, which 1.0 cannot skip",
                        )?;
                        let mut ops = offset_expr.get_operators_reader();
                        let Operator::GlobalGet { global_index } = ops.read()? else {
                            unreachable!("checked by i32_offset")
                        };
                        section.active(
                            None,
                            &ConstExpr::global_get(global_index),
                            Elements::Functions(Cow::Owned(funcs)),
                        );
                    }
                }
            }
        }
    }
    Ok(section)
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_encoder::{
        CodeSection, DataCountSection, ElementSection, Elements, ExportKind, ExportSection,
        Function, FunctionSection, Instruction, Module, RefType, TableSection, TableType,
        TypeSection,
    };

    /// Three functions in a table of 8, written as the splitter writes them: expressions with
    /// null slots at 0, 2 and 5..8, plus a DataCount section.
    fn split_like_module(with_bulk: bool) -> Vec<u8> {
        let mut m = Module::new();
        let mut types = TypeSection::new();
        types.ty().function([], []);
        m.section(&types);
        let mut funcs = FunctionSection::new();
        for _ in 0..3 {
            funcs.function(0);
        }
        m.section(&funcs);
        let mut tables = TableSection::new();
        tables.table(TableType {
            element_type: RefType::FUNCREF,
            minimum: 8,
            maximum: None,
            table64: false,
            shared: false,
        });
        m.section(&tables);
        let mut exports = ExportSection::new();
        exports.export("__indirect_function_table", ExportKind::Table, 0);
        m.section(&exports);
        let mut elems = ElementSection::new();
        let null = ConstExpr::ref_null(wasm_encoder::HeapType::FUNC);
        let exprs = vec![
            null.clone(),
            ConstExpr::ref_func(0),
            null.clone(),
            ConstExpr::ref_func(1),
            ConstExpr::ref_func(2),
            null.clone(),
            null,
        ];
        elems.active(
            Some(0),
            &ConstExpr::i32_const(1),
            Elements::Expressions(RefType::FUNCREF, Cow::Owned(exprs)),
        );
        m.section(&elems);
        m.section(&DataCountSection { count: 0 });
        let mut code = CodeSection::new();
        for i in 0..3 {
            let mut f = Function::new([]);
            if with_bulk && i == 0 {
                f.instruction(&Instruction::I32Const(0));
                f.instruction(&Instruction::I32Const(0));
                f.instruction(&Instruction::I32Const(0));
                f.instruction(&Instruction::MemoryFill(0));
            }
            f.instruction(&Instruction::End);
            code.function(&f);
        }
        m.section(&code);
        m.finish()
    }

    fn mvp_features() -> wasmparser::WasmFeatures {
        wasmparser::WasmFeatures::MUTABLE_GLOBAL | wasmparser::WasmFeatures::FLOATS
    }

    #[test]
    fn splitter_output_becomes_valid_1_0() {
        let input = split_like_module(false);
        // The input really is post-MVP: the 1.0 validator refuses it.
        assert!(wasmparser::Validator::new_with_features(mvp_features())
            .validate_all(&input)
            .is_err());
        let out = to_mvp(&input).unwrap();
        wasmparser::Validator::new_with_features(mvp_features())
            .validate_all(&out)
            .expect("1.0 after to_mvp");

        let mut segments = Vec::new();
        for payload in Parser::new(0).parse_all(&out) {
            match payload.unwrap() {
                Payload::DataCountSection { .. } => panic!("DataCount kept"),
                Payload::ElementSection(r) => {
                    for e in r {
                        let e = e.unwrap();
                        let ElementKind::Active { offset_expr, .. } = e.kind else {
                            panic!("not active")
                        };
                        let ElementItems::Functions(f) = e.items else {
                            panic!("not function indices")
                        };
                        let f: Vec<u32> = f.into_iter().map(|x| x.unwrap()).collect();
                        segments.push((i32_offset(&offset_expr).unwrap().unwrap(), f));
                    }
                }
                _ => {}
            }
        }
        // Slots 2 and 4, 5 of the table (offset 1 + index), nothing written where null was.
        assert_eq!(segments, vec![(2, vec![0]), (4, vec![1, 2])]);
        // And again: already 1.0, it stays so.
        assert_eq!(to_mvp(&out).unwrap(), out);
    }

    #[test]
    fn refuses_bulk_memory_code() {
        let err = to_mvp(&split_like_module(true)).unwrap_err();
        assert!(format!("{err:#}").contains("memory.fill"), "{err:#}");
    }

    #[test]
    fn runs_skip_nulls() {
        assert_eq!(
            runs(&[None, Some(1), Some(2), None, None, Some(3)]),
            vec![(1, vec![1, 2]), (5, vec![3])]
        );
        assert!(runs(&[None, None]).is_empty());
    }
}
