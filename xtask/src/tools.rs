//! The external tools the app build needs, and their pinned versions.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

use crate::util;

/// Trunk version installed by scripts/setup.sh (`cargo install trunk --version … --locked`).
pub const TRUNK_VERSION: &str = "0.21.14";

const SETUP_HINT: &str = "Run `bash scripts/setup.sh` to install the pinned tools.";

/// The wasm-bindgen version the app is locked to; wasm-bindgen-cli must match it exactly.
pub fn wasm_bindgen_version(root: &Path) -> Result<String> {
    let lock = std::fs::read_to_string(root.join("Cargo.lock")).context("reading Cargo.lock")?;
    util::lock_version(&lock, "wasm-bindgen").context("no `wasm-bindgen` package in Cargo.lock")
}

/// "123" from Trunk.toml's `wasm_opt = "version_123"`.
fn expected_wasm_opt(trunk_toml: &str) -> Option<String> {
    util::toml_string(trunk_toml, "tools", "wasm_opt")
        .map(|v| v.trim_start_matches("version_").to_string())
}

/// "123" from `wasm-opt version 123 (version_123)`.
fn wasm_opt_number(line: &str) -> Option<&str> {
    let mut words = line.split_whitespace();
    words.find(|w| *w == "version")?;
    words.next()
}

/// The second word of "trunk 0.21.14" or "wasm-bindgen 0.2.130".
fn second_word(line: &str) -> &str {
    line.split_whitespace().nth(1).unwrap_or("")
}

/// Checks trunk, wasm-bindgen, wasm-opt and the Rust wasm target; returns the PATH to run
/// Trunk with (node_modules/.bin first). Lists every problem at once.
pub fn check_app_tools(root: &Path) -> Result<OsString> {
    let path = util::path_with_node_bin(root)?;
    let trunk_toml = std::fs::read_to_string(root.join("Trunk.toml")).unwrap_or_default();
    let mut problems: Vec<String> = Vec::new();

    // trunk
    match util::which("trunk", &path) {
        None => problems.push(format!("trunk is not installed (need {TRUNK_VERSION})")),
        Some(trunk) => match util::version_line(&trunk) {
            Ok(line) if second_word(&line) == TRUNK_VERSION => {
                println!("  trunk         {TRUNK_VERSION}  {}", trunk.display())
            }
            Ok(line) => problems.push(format!(
                "{} reports `{line}`, need trunk {TRUNK_VERSION}",
                trunk.display()
            )),
            Err(e) => problems.push(format!("{e:#}")),
        },
    }

    // wasm-bindgen (the CLI must equal the crate version in Cargo.lock)
    let wbg = wasm_bindgen_version(root)?;
    match util::which("wasm-bindgen", &path) {
        None => problems.push(format!(
            "wasm-bindgen-cli is not installed (need {wbg}, from Cargo.lock)"
        )),
        Some(bin) => match util::version_line(&bin) {
            Ok(line) if second_word(&line) == wbg => {
                println!("  wasm-bindgen  {wbg}  {}", bin.display())
            }
            Ok(line) => problems.push(format!(
                "{} reports `{line}`, but Cargo.lock has wasm-bindgen {wbg}",
                bin.display()
            )),
            Err(e) => problems.push(format!("{e:#}")),
        },
    }
    if let Some(pinned) = util::toml_string(&trunk_toml, "tools", "wasm_bindgen") {
        if pinned != wbg {
            problems.push(format!(
                "Trunk.toml pins [tools] wasm_bindgen = \"{pinned}\" but Cargo.lock has {wbg}; make them equal"
            ));
        }
    }

    // wasm-opt: npm's binaryen from node_modules/.bin, never Debian's binaryen
    let want_opt = expected_wasm_opt(&trunk_toml).unwrap_or_else(|| "123".into());
    let node_bin = root.join("node_modules").join(".bin");
    match util::which("wasm-opt", &path) {
        None => problems.push(format!(
            "wasm-opt is missing: expected npm binaryen (version {want_opt}) in node_modules/.bin"
        )),
        Some(bin) if !bin.starts_with(&node_bin) => problems.push(format!(
            "wasm-opt resolves to {} instead of node_modules/.bin/wasm-opt (npm binaryen {want_opt}); \
             Debian's binaryen writes broken modules",
            bin.display()
        )),
        Some(bin) => match util::version_line(&bin) {
            Ok(line) if wasm_opt_number(&line) == Some(want_opt.as_str()) => {
                println!("  wasm-opt      {want_opt}  {}", bin.display())
            }
            Ok(line) => problems.push(format!(
                "{} reports `{line}`, need binaryen version {want_opt}",
                bin.display()
            )),
            Err(e) => problems.push(format!("{e:#}")),
        },
    }

    // Rust: the wasm target and rust-src (build-std rebuilds std for the MVP target)
    match sysroot() {
        Ok(sysroot) => {
            let rustlib = sysroot.join("lib").join("rustlib");
            if !rustlib.join("wasm32-unknown-unknown").is_dir() {
                problems.push("Rust target wasm32-unknown-unknown is missing (rustup target add wasm32-unknown-unknown)".into());
            }
            if !rustlib.join("src").join("rust").join("library").is_dir() {
                problems.push(
                    "Rust component rust-src is missing (rustup component add rust-src)".into(),
                );
            }
        }
        Err(e) => problems.push(format!("{e:#}")),
    }

    if !problems.is_empty() {
        bail!(
            "the app build tools are not ready:\n  - {}\n{SETUP_HINT}",
            problems.join("\n  - ")
        );
    }
    Ok(path)
}

pub fn sysroot() -> Result<PathBuf> {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let out = Command::new(&rustc)
        .args(["--print", "sysroot"])
        .output()
        .context("running `rustc --print sysroot`")?;
    if !out.status.success() {
        bail!("`rustc --print sysroot` failed");
    }
    Ok(PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_tool_versions() {
        assert_eq!(second_word("trunk 0.21.14"), "0.21.14");
        assert_eq!(second_word("wasm-bindgen 0.2.130"), "0.2.130");
        assert_eq!(
            wasm_opt_number("wasm-opt version 123 (version_123)"),
            Some("123")
        );
        assert_eq!(wasm_opt_number("wasm-opt version 108"), Some("108"));
        assert_eq!(
            expected_wasm_opt("[tools]\nwasm_opt = \"version_123\"\n").as_deref(),
            Some("123")
        );
    }
}
