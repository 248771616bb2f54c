//! The last step of `cargo xtask build-app`: a `.br` (brotli quality 11) and a `.gz` (gzip
//! level 9) beside every compressible file in dist/, which the server's `ServeDir` sends by
//! `Accept-Encoding` instead of compressing on the fly at a low level.
//!
//! It runs on whatever dist/ holds at the end (steps before it rename and add modules), and
//! first removes every `.br`/`.gz` there, so no copy of an older build can be served. Each copy
//! is decompressed again and compared with its file: the server hashes the identity
//! `index.html`'s inline scripts for its CSP, so a compressed page that differed would be
//! refused by the browser.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

/// Brotli's largest window that browsers decode (RFC 7932: 2^24 − 16 bytes). The "large
/// window" extension beyond it is not part of `Content-Encoding: br`.
const BROTLI_WINDOW: u32 = 24;
const BROTLI_QUALITY: u32 = 11;
const GZIP_LEVEL: u32 = 9;

/// Text and code; images and fonts are already compressed.
const COMPRESSIBLE: &[&str] = &[
    "wasm",
    "js",
    "mjs",
    "css",
    "html",
    "svg",
    "json",
    "txt",
    "xml",
    "map",
    "ico",
    "webmanifest",
];

pub fn is_compressible(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| COMPRESSIBLE.contains(&e.to_ascii_lowercase().as_str()))
}

fn is_copy(path: &Path) -> bool {
    matches!(path.extension().and_then(|e| e.to_str()), Some("br" | "gz"))
}

pub fn brotli(data: &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    {
        let mut enc =
            brotli::CompressorWriter::new(&mut out, 64 * 1024, BROTLI_QUALITY, BROTLI_WINDOW);
        enc.write_all(data)?;
        enc.flush()?;
    }
    Ok(out)
}

pub fn gzip(data: &[u8]) -> Result<Vec<u8>> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(GZIP_LEVEL));
    enc.write_all(data)?;
    Ok(enc.finish()?)
}

fn unbrotli(data: &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    brotli::Decompressor::new(data, 64 * 1024).read_to_end(&mut out)?;
    Ok(out)
}

fn gunzip(data: &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(data).read_to_end(&mut out)?;
    Ok(out)
}

/// Files under `dir`, skipping hidden entries (Trunk's `.stage`).
fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let entry = entry?;
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            walk(&path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}

/// What one run did, for the build's summary line.
#[derive(Debug, Default, PartialEq)]
pub struct Summary {
    pub files: usize,
    pub removed: usize,
    pub raw: u64,
    pub brotli: u64,
    pub gzip: u64,
}

/// Removes every `.br`/`.gz` under `dir`, then writes fresh ones for each compressible file.
pub fn run(dir: &Path) -> Result<Summary> {
    let mut files = Vec::new();
    walk(dir, &mut files)?;
    let mut summary = Summary::default();
    for stale in files.iter().filter(|f| is_copy(f)) {
        std::fs::remove_file(stale).with_context(|| format!("removing {}", stale.display()))?;
        summary.removed += 1;
    }
    files.retain(|f| !is_copy(f) && is_compressible(f));
    files.sort();
    for file in &files {
        let data = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
        let br = brotli(&data)?;
        let gz = gzip(&data)?;
        if unbrotli(&br)? != data || gunzip(&gz)? != data {
            bail!(
                "{}: a compressed copy does not decode to the file",
                file.display()
            );
        }
        for (ext, bytes) in [("br", &br), ("gz", &gz)] {
            let mut name = file.as_os_str().to_owned();
            name.push(".");
            name.push(ext);
            std::fs::write(&name, bytes)
                .with_context(|| format!("writing {}", Path::new(&name).display()))?;
        }
        summary.files += 1;
        summary.raw += data.len() as u64;
        summary.brotli += br.len() as u64;
        summary.gzip += gz.len() as u64;
    }
    Ok(summary)
}

/// build-app's last step, in one call.
pub fn dist(root: &Path) -> Result<()> {
    let dist = root.join("dist");
    let s = run(&dist)?;
    println!(
        "build-app: precompressed {} files in {} (brotli q{BROTLI_QUALITY} {} KB, gzip -{GZIP_LEVEL} {} KB, of {} KB; {} stale copies removed)",
        s.files,
        dist.display(),
        crate::util::kb(s.brotli),
        crate::util::kb(s.gzip),
        crate::util::kb(s.raw),
        s.removed
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("xtask-precompress-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn writes_decodable_copies_and_removes_stale_ones() {
        let dir = temp_dir("run");
        let page = "<!DOCTYPE html><script>boot()</script>企业认证\n".repeat(50);
        std::fs::write(dir.join("index.html"), &page).unwrap();
        std::fs::write(dir.join("app-1_bg.wasm"), vec![0u8; 4096]).unwrap();
        std::fs::create_dir_all(dir.join("snippets/x")).unwrap();
        std::fs::write(dir.join("snippets/x/inline0.js"), "export const a = 1;").unwrap();
        std::fs::write(dir.join("photo.png"), b"\x89PNG not text").unwrap();
        // A module a previous build had, since renamed: its copies must go.
        std::fs::write(dir.join("app-0_bg.wasm.br"), b"old").unwrap();
        std::fs::write(dir.join("app-0_bg.wasm.gz"), b"old").unwrap();
        // Trunk's staging directory is not shipped.
        std::fs::create_dir_all(dir.join(".stage")).unwrap();
        std::fs::write(dir.join(".stage/index.html"), "stage").unwrap();

        let s = run(&dir).unwrap();
        assert_eq!(s.files, 3, "{s:?}");
        assert_eq!(s.removed, 2, "{s:?}");
        assert!(!dir.join("app-0_bg.wasm.br").exists());
        assert!(!dir.join("app-0_bg.wasm.gz").exists());
        assert!(!dir.join("photo.png.br").exists());
        assert!(!dir.join(".stage/index.html.br").exists());
        assert_eq!(
            unbrotli(&std::fs::read(dir.join("index.html.br")).unwrap()).unwrap(),
            page.as_bytes()
        );
        assert_eq!(
            gunzip(&std::fs::read(dir.join("index.html.gz")).unwrap()).unwrap(),
            page.as_bytes()
        );
        assert!(dir.join("snippets/x/inline0.js.br").is_file());
        assert!(
            std::fs::metadata(dir.join("index.html.br")).unwrap().len() < page.len() as u64 / 5
        );

        // A second run replaces its own copies instead of compressing them again.
        let again = run(&dir).unwrap();
        assert_eq!((again.files, again.removed), (3, 6), "{again:?}");
        assert!(!dir.join("index.html.br.br").exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn quality_11_beats_the_on_the_fly_level() {
        let data = include_bytes!("bench.rs");
        let q11 = brotli(data).unwrap().len();
        let mut fast = Vec::new();
        {
            let mut enc = brotli::CompressorWriter::new(&mut fast, 4096, 4, 22);
            enc.write_all(data).unwrap();
        }
        assert!(q11 < fast.len(), "q11 {q11} vs q4 {}", fast.len());
    }

    #[test]
    fn compressible_kinds() {
        for f in [
            "a.wasm",
            "a.js",
            "a.css",
            "index.html",
            "favicon.svg",
            "A.JSON",
        ] {
            assert!(is_compressible(Path::new(f)), "{f}");
        }
        for f in ["a.png", "a.jpg", "a.woff2", "a.br", "a.gz", "LICENSE"] {
            assert!(!is_compressible(Path::new(f)), "{f}");
        }
    }
}
