//! The `split` build keeps wasm-ld's relocations in app.wasm: the splitter (xtask/src/split.rs)
//! needs them to move functions and data between modules. wasm-bindgen drops them afterwards.
//! It also exports the function table: with -Ctarget-cpu=mvp no relocation names the table
//! (`call_indirect` has no table operand before reference-types), so without the export the
//! splitter thinks the main module does not own it and makes it import its own table.
fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let wasm = std::env::var("CARGO_CFG_TARGET_FAMILY").is_ok_and(|f| f == "wasm");
    if wasm && std::env::var_os("CARGO_FEATURE_SPLIT").is_some() {
        println!("cargo:rustc-link-arg-bins=--emit-relocs");
        println!("cargo:rustc-link-arg-bins=--export-table");
    }
}
