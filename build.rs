//! The `split` build keeps wasm-ld's relocations in app.wasm: the splitter (xtask/src/split.rs)
//! needs them to move functions and data between modules. wasm-bindgen drops them afterwards.
fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let wasm = std::env::var("CARGO_CFG_TARGET_FAMILY").is_ok_and(|f| f == "wasm");
    if wasm && std::env::var_os("CARGO_FEATURE_SPLIT").is_some() {
        println!("cargo:rustc-link-arg-bins=--emit-relocs");
    }
}
