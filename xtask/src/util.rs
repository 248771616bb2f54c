//! Small helpers shared by the tasks: paths, processes, tool lookup, tiny text parsers.

use std::ffi::{OsStr, OsString};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus};

use anyhow::{bail, Context, Result};

/// The workspace root (the parent of `xtask/`).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the workspace root")
        .to_path_buf()
}

/// Cargo's target directory, honouring `CARGO_TARGET_DIR`.
pub fn target_dir(root: &Path) -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => {
            let dir = PathBuf::from(dir);
            if dir.is_absolute() {
                dir
            } else {
                root.join(dir)
            }
        }
        _ => root.join("target"),
    }
}

/// The cargo that runs us (cargo sets `CARGO` for `cargo run`), else `cargo` from PATH.
pub fn cargo() -> OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}

/// `PATH` with `node_modules/.bin` first, so Trunk picks npm's binaryen (wasm-opt), never Debian's.
pub fn path_with_node_bin(root: &Path) -> Result<OsString> {
    let mut dirs = vec![root.join("node_modules").join(".bin")];
    if let Some(path) = std::env::var_os("PATH") {
        dirs.extend(std::env::split_paths(&path));
    }
    std::env::join_paths(dirs).context("building PATH")
}

/// Finds an executable on the given `PATH` value, like `which`.
pub fn which(name: &str, path: &OsStr) -> Option<PathBuf> {
    std::env::split_paths(path)
        .map(|dir| dir.join(name))
        .find(|candidate| {
            candidate
                .metadata()
                .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
                .unwrap_or(false)
        })
}

/// Runs `program --version` and returns its first output line, trimmed.
pub fn version_line(program: &Path) -> Result<String> {
    let out = Command::new(program)
        .arg("--version")
        .output()
        .with_context(|| format!("running `{} --version`", program.display()))?;
    if !out.status.success() {
        bail!("`{} --version` failed: {}", program.display(), out.status);
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let text = if text.trim().is_empty() {
        String::from_utf8_lossy(&out.stderr).into_owned()
    } else {
        text.into_owned()
    };
    Ok(text.lines().next().unwrap_or("").trim().to_string())
}

/// Prints a command like a shell would echo it.
pub fn show(cmd: &Command) -> String {
    let mut s = cmd.get_program().to_string_lossy().into_owned();
    for arg in cmd.get_args() {
        let arg = arg.to_string_lossy();
        if arg.is_empty() || arg.contains(|c: char| c.is_whitespace() || c == '\'' || c == '"') {
            s.push_str(&format!(" '{}'", arg.replace('\'', r"'\''")));
        } else {
            s.push(' ');
            s.push_str(&arg);
        }
    }
    s
}

/// Runs a command to completion, echoing it first; a non-zero exit is an error.
pub fn run(cmd: &mut Command) -> Result<()> {
    eprintln!("$ {}", show(cmd));
    let status = cmd
        .status()
        .with_context(|| format!("could not start `{}`", cmd.get_program().to_string_lossy()))?;
    if !status.success() {
        bail!("`{}` failed ({})", show(cmd), describe(status));
    }
    Ok(())
}

/// "exit code 1" or "killed by signal 9".
pub fn describe(status: ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exit code {code}"),
        (None, Some(sig)) => format!("killed by signal {sig}"),
        _ => status.to_string(),
    }
}

/// Shell-style exit code for a finished child: its code, or 128 + signal.
pub fn exit_code(status: ExitStatus) -> u8 {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => u8::try_from(code).unwrap_or(1),
        (None, Some(sig)) => u8::try_from(128 + sig).unwrap_or(1),
        _ => 1,
    }
}

/// The version of a package in `Cargo.lock` (the first entry with that name).
pub fn lock_version(lock: &str, package: &str) -> Option<String> {
    let wanted = format!("name = \"{package}\"");
    let mut lines = lock.lines().map(str::trim);
    while let Some(line) = lines.next() {
        if line == wanted {
            for next in lines.by_ref() {
                if next.starts_with("[[") || next.is_empty() {
                    break;
                }
                if let Some(v) = next.strip_prefix("version = ") {
                    return Some(v.trim_matches('"').to_string());
                }
            }
        }
    }
    None
}

/// A `key = "value"` in a `[section]` of a simple TOML file such as Trunk.toml.
pub fn toml_string(text: &str, section: &str, key: &str) -> Option<String> {
    let header = format!("[{section}]");
    let mut in_section = false;
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.starts_with('[') {
            in_section = line == header;
            continue;
        }
        if !in_section {
            continue;
        }
        if let Some((k, v)) = line.split_once('=') {
            if k.trim() == key {
                return Some(v.trim().trim_matches('"').to_string());
            }
        }
    }
    None
}

/// Bytes as kibibytes with one decimal ("123.4"); the tables say KB and mean 1024 bytes.
pub fn kb(bytes: u64) -> String {
    format!("{:.1}", bytes as f64 / 1024.0)
}

/// The last `n` lines of a text file (for showing a log after a failure).
pub fn tail(path: &Path, n: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCK: &str = r#"
[[package]]
name = "wasm-bindgen"
version = "0.2.130"
source = "registry+https://github.com/rust-lang/crates.io-index"
dependencies = [
 "cfg-if",
]

[[package]]
name = "wasm-bindgen-futures"
version = "0.4.53"
"#;

    #[test]
    fn reads_versions_from_cargo_lock() {
        assert_eq!(
            lock_version(LOCK, "wasm-bindgen").as_deref(),
            Some("0.2.130")
        );
        assert_eq!(
            lock_version(LOCK, "wasm-bindgen-futures").as_deref(),
            Some("0.4.53")
        );
        assert_eq!(lock_version(LOCK, "wasm-bindgen-shared"), None);
    }

    #[test]
    fn reads_the_real_cargo_lock() {
        let lock = std::fs::read_to_string(repo_root().join("Cargo.lock")).unwrap();
        let v = lock_version(&lock, "wasm-bindgen").expect("wasm-bindgen is in Cargo.lock");
        assert!(v.starts_with("0.2."), "{v}");
    }

    #[test]
    fn reads_trunk_tools() {
        let toml = "[build]\ntarget = \"index.html\"\n\n[tools]\n# pinned\nwasm_bindgen = \"0.2.130\"\nwasm_opt = \"version_123\" # npm\n";
        assert_eq!(
            toml_string(toml, "tools", "wasm_bindgen").as_deref(),
            Some("0.2.130")
        );
        assert_eq!(
            toml_string(toml, "tools", "wasm_opt").as_deref(),
            Some("version_123")
        );
        assert_eq!(toml_string(toml, "build", "wasm_opt"), None);
        assert_eq!(
            toml_string(toml, "build", "target").as_deref(),
            Some("index.html")
        );
    }

    #[test]
    fn formats_kilobytes() {
        assert_eq!(kb(0), "0.0");
        assert_eq!(kb(1024), "1.0");
        assert_eq!(kb(1536), "1.5");
        assert_eq!(kb(180 * 1024), "180.0");
    }

    #[test]
    fn quotes_arguments_when_showing_commands() {
        let mut cmd = Command::new("npx");
        cmd.args(["playwright", "test", "--grep", "legal rep"]);
        assert_eq!(show(&cmd), "npx playwright test --grep 'legal rep'");
    }
}
