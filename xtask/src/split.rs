//! The post-step of `cargo xtask build-app` that Trunk cannot do: split the app into a main
//! module (首页, 准备资料 and what they need) and the lazy routes' chunks (src/routes.rs).
//!
//! Trunk still builds the page, the CSS and the copied files; its own wasm-bindgen output is
//! replaced. From the raw cargo wasm (linked with `--emit-relocs`, build.rs): wasm-split →
//! back to WebAssembly 1.0 (mvp.rs) → wasm-bindgen on the main module → wasm-opt on every
//! module → content-hashed names (`name-<16 hex>`, which the server caches as immutable) →
//! dist/index.html's loader, preloads and SRI `integrity` rewritten to them.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};
use base64::Engine as _;
use sha2::{Digest, Sha256, Sha384};

use crate::{mvp, util};

/// The link module's own name before hashing, as wasm-split writes it into the main module.
const LINK_JS: &str = "./__wasm_split.js";
/// Stands for the main JS module in the link module until its hashed name is known.
const MAIN_JS_PLACEHOLDER: &str = "./__app_main_js__";

/// One shipped file of the split bundle.
pub struct Output {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// `name-<first 16 hex of sha256>`, the form `is_hashed_asset` in the server recognises.
fn hashed(stem: &str, suffix: &str, content: &[u8]) -> String {
    let digest = Sha256::digest(content);
    let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    format!("{stem}-{hex}{suffix}")
}

/// Subresource integrity of `content`, as Trunk writes it.
fn integrity(content: &[u8]) -> String {
    format!(
        "sha384-{}",
        base64::engine::general_purpose::STANDARD.encode(Sha384::digest(content))
    )
}

fn replace_once(text: &str, from: &str, to: &str, what: &str) -> Result<String> {
    match text.matches(from).count() {
        1 => Ok(text.replacen(from, to, 1)),
        n => bail!("expected `{from}` once in {what}, found it {n} times"),
    }
}

fn wasm_opt(path: &OsStr, file: &Path) -> Result<()> {
    let mut cmd = Command::new("wasm-opt");
    cmd.env("PATH", path)
        .args(["-Oz", "--mvp-features", "--enable-mutable-globals"])
        .arg(file)
        .arg("-o")
        .arg(file);
    util::run(&mut cmd)
}

/// Splits, binds and optimises the raw cargo wasm; returns dist's new files (not yet written).
fn build_modules(root: &Path, path: &OsStr, raw: &[u8]) -> Result<(Vec<Output>, Output)> {
    let work = util::target_dir(root).join("wasm-split");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work)?;
    let main_path = work.join("main.wasm");

    let mut opts = wasm_split_cli_support::Options::new(raw);
    opts.output_dir = &work;
    opts.main_out_path = &main_path;
    opts.link_name = LINK_JS;
    opts.main_module = MAIN_JS_PLACEHOLDER;
    let split = wasm_split_cli_support::transform(opts)
        .map_err(|e| anyhow::anyhow!("wasm-split: {e:?}"))?;

    let mut modules: Vec<PathBuf> = vec![main_path.clone()];
    modules.extend(split.split_modules.iter().cloned());
    for m in &modules {
        let bytes = std::fs::read(m)?;
        let fixed = mvp::to_mvp(&bytes).with_context(|| format!("making {} 1.0", m.display()))?;
        std::fs::write(m, fixed)?;
    }

    let bindgen_dir = work.join("bindgen");
    let mut cmd = Command::new("wasm-bindgen");
    cmd.env("PATH", path)
        .arg(&main_path)
        .arg("--out-dir")
        .arg(&bindgen_dir)
        .args([
            "--out-name",
            "app",
            "--target",
            "web",
            "--no-typescript",
            "--keep-lld-exports",
        ]);
    util::run(&mut cmd)?;
    if bindgen_dir.join("snippets").exists() {
        bail!("wasm-bindgen wrote snippets/, which the split bundle does not ship yet");
    }
    let main_wasm = bindgen_dir.join("app_bg.wasm");
    let bytes = std::fs::read(&main_wasm)?;
    std::fs::write(&main_wasm, mvp::to_mvp(&bytes)?)?;

    wasm_opt(path, &main_wasm)?;
    for chunk in &split.split_modules {
        wasm_opt(path, chunk)?;
    }

    // Chunks first: the link module names them.
    let link_js = std::fs::read_to_string(work.join(LINK_JS))?;
    let mut link_js = with_instantiate_fallback(&link_js)?;
    let mut files = Vec::new();
    for chunk in &split.split_modules {
        let bytes = std::fs::read(chunk)?;
        let stem = chunk
            .file_stem()
            .and_then(|s| s.to_str())
            .context("chunk name")?;
        let name = hashed(stem, ".wasm", &bytes);
        let old = format!("fetch(new URL(\"./{stem}.wasm\", import.meta.url))");
        let new = format!(
            "fetch(new URL(\"./{name}\", import.meta.url), {{ integrity: \"{}\" }})",
            integrity(&bytes)
        );
        link_js = replace_once(&link_js, &old, &new, "the link module")?;
        files.push(Output { name, bytes });
    }

    // The main JS imports the link module and the link module imports the main JS: one hash
    // over both (before either names the other) names them both, so neither can go stale.
    let main_js = std::fs::read_to_string(bindgen_dir.join("app.js"))?;
    let mut both = Sha256::new();
    both.update(main_js.as_bytes());
    both.update(link_js.as_bytes());
    let hex: String = both.finalize()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let main_js_name = format!("app-{hex}.js");
    let link_js_name = format!("__wasm_split-{hex}.js");
    let link_js = replace_once(
        &link_js,
        &format!("\"{MAIN_JS_PLACEHOLDER}\""),
        &format!("\"./{main_js_name}\""),
        "the link module",
    )?;
    // Only the import statement: the imports object keeps the module name the wasm asks for.
    let quote = if main_js.contains(&format!("from '{LINK_JS}'")) {
        '\''
    } else {
        '"'
    };
    // One import statement per loader function.
    let import_from = format!("from {quote}{LINK_JS}{quote}");
    if !main_js.contains(&import_from) {
        bail!("wasm-bindgen's JS does not import {LINK_JS}");
    }
    let main_js = main_js.replace(
        &import_from,
        &format!("from {quote}./{link_js_name}{quote}"),
    );
    let main_wasm = std::fs::read(&main_wasm)?;
    files.push(Output {
        name: link_js_name,
        bytes: link_js.into_bytes(),
    });
    let main = Output {
        name: hashed("app", "_bg.wasm", &main_wasm),
        bytes: main_wasm,
    };
    files.push(Output {
        name: main_js_name,
        bytes: main_js.into_bytes(),
    });
    Ok((files, main))
}

/// The splitter's loader calls `WebAssembly.instantiateStreaming`, which iOS < 15 lacks (its
/// WKWebView is WeCom's there, webview.md): every chunk would fail to load. Same fallback as
/// wasm-bindgen's own loader, bytes then `instantiate`, refusing an error page as wasm.
const INSTANTIATE_FALLBACK: &str = r#"
function __instantiateChunk(src, imports) {
    if (typeof WebAssembly.instantiateStreaming === "function") {
        return WebAssembly.instantiateStreaming(src, imports);
    }
    return src.then((r) => {
        if (!r.ok) throw new Error("chunk " + r.url + ": HTTP " + r.status);
        return r.arrayBuffer();
    }).then((bytes) => WebAssembly.instantiate(bytes, imports));
}
"#;

fn with_instantiate_fallback(link_js: &str) -> Result<String> {
    let call = "WebAssembly.instantiateStreaming(src, imports)";
    if !link_js.contains(call) {
        bail!("the link module no longer calls `{call}`: check the fallback for iOS < 15");
    }
    Ok(link_js.replace(call, "__instantiateChunk(src, imports)") + INSTANTIATE_FALLBACK)
}

/// Trunk's `app-<hash>.js` / `app-<hash>_bg.wasm` names in dist/.
fn trunk_outputs(dist: &Path) -> Result<(String, String)> {
    let mut js = None;
    let mut wasm = None;
    for e in std::fs::read_dir(dist)?.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with("app-") && name.ends_with("_bg.wasm") {
            wasm = Some(name);
        } else if name.starts_with("app-") && name.ends_with(".js") {
            js = Some(name);
        }
    }
    Ok((
        js.context("no app-*.js from Trunk in dist/")?,
        wasm.context("no app-*_bg.wasm from Trunk in dist/")?,
    ))
}

/// Points dist/index.html at the split bundle: loader, preloads, integrity.
fn rewrite_index(
    html: &str,
    (old_js, old_wasm): (&str, &str),
    main_js: &Output,
    main_wasm: &Output,
    link_js: &Output,
) -> Result<String> {
    let mut html = html.to_string();
    for (old, new) in [(old_js, main_js), (old_wasm, main_wasm)] {
        let old_href = format!("/{old}");
        if !html.contains(&old_href) {
            bail!("dist/index.html does not reference {old_href}");
        }
        html = html.replace(&old_href, &format!("/{}", new.name));
        // Trunk's preload of this file: its integrity must be the new file's.
        let tag_start = html
            .find(&format!("href=\"/{}\"", new.name))
            .and_then(|i| html[..i].rfind("<link"))
            .with_context(|| format!("no preload <link> of {}", new.name))?;
        let tag_end = tag_start + html[tag_start..].find('>').context("unclosed <link>")?;
        let tag = &html[tag_start..tag_end];
        let at = tag
            .find("integrity=\"")
            .with_context(|| format!("the preload of {} has no integrity", new.name))?
            + "integrity=\"".len();
        let close = at + tag[at..].find('"').context("unclosed integrity")?;
        let new_tag = format!("{}{}{}", &tag[..at], integrity(&new.bytes), &tag[close..]);
        html.replace_range(tag_start..tag_end, &new_tag);
    }
    // The link module is a static import of the main JS: preload it with it, not after it.
    let js_tag = format!("href=\"/{}\"", main_js.name);
    let at = html.find(&js_tag).context("main JS preload")?;
    let start = html[..at].rfind("<link").context("main JS preload")?;
    let preload = format!(
        "<link rel=\"modulepreload\" href=\"/{}\" crossorigin=\"anonymous\" integrity=\"{}\">",
        link_js.name,
        integrity(&link_js.bytes)
    );
    html.insert_str(start, &preload);
    Ok(html)
}

/// Runs after Trunk: replaces its unsplit app in dist/ with the split one.
pub fn run(root: &Path, path: &OsStr) -> Result<()> {
    println!("build-app: splitting the app into lazily loaded chunks (wasm-split)");
    let raw_path = util::target_dir(root).join("wasm32-unknown-unknown/release/app.wasm");
    let raw =
        std::fs::read(&raw_path).with_context(|| format!("reading {}", raw_path.display()))?;
    let (files, main_wasm) = build_modules(root, path, &raw)?;

    let dist = root.join("dist");
    let old = trunk_outputs(&dist)?;
    let index_path = dist.join("index.html");
    let html = std::fs::read_to_string(&index_path)?;
    let main_js = files.last().context("main JS")?;
    let link_js = &files[files.len() - 2];
    let html = rewrite_index(&html, (&old.0, &old.1), main_js, &main_wasm, link_js)?;
    std::fs::remove_file(dist.join(&old.0))?;
    std::fs::remove_file(dist.join(&old.1))?;
    for f in files.iter().chain([&main_wasm]) {
        std::fs::write(dist.join(&f.name), &f.bytes)?;
    }
    std::fs::write(&index_path, html)?;

    Ok(())
}

/// What 首页 pays for first, against everything: from the `.br` copies precompression wrote,
/// so nothing is compressed a second time. A `.wasm` not named `app-…` is a lazy chunk.
pub fn summary(dist: &Path) -> Result<()> {
    let mut first = 0;
    let mut all = 0;
    let mut names: Vec<String> = std::fs::read_dir(dist)?
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| [".wasm", ".js", ".css"].iter().any(|x| n.ends_with(x)) && n != "wecom.js")
        .collect();
    names.sort();
    println!("  {:<40} {:>9} {:>11}", "module", "raw KB", "brotli KB");
    for name in names {
        let raw = std::fs::metadata(dist.join(&name))?.len();
        let br = std::fs::metadata(dist.join(format!("{name}.br")))
            .with_context(|| format!("{name}.br is missing: precompression runs first"))?
            .len();
        let lazy_chunk = name.ends_with(".wasm") && !name.starts_with("app-");
        if !lazy_chunk {
            first += br;
        }
        all += br;
        println!("  {:<40} {:>9} {:>11}", name, util::kb(raw), util::kb(br));
    }
    println!(
        "  首页 loads wasm+js+css {} KB brotli q11 first; every route together {} KB",
        util::kb(first),
        util::kb(all)
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const TRUNK_INDEX: &str = r#"<head><script type="module">
import init, * as bindings from '/app-1111111111111111.js';
const wasm = await init({ module_or_path: '/app-1111111111111111_bg.wasm' });
</script>
<link rel="modulepreload" href="/app-1111111111111111.js" crossorigin="anonymous" integrity="sha384-OLDJS"><link rel="preload" href="/app-1111111111111111_bg.wasm" crossorigin="anonymous" integrity="sha384-OLDWASM" as="fetch" type="application/wasm"></head>"#;

    fn out(name: &str, bytes: &[u8]) -> Output {
        Output {
            name: name.into(),
            bytes: bytes.to_vec(),
        }
    }

    #[test]
    fn index_points_at_the_split_bundle_with_fresh_integrity() {
        let js = out("app-aaaaaaaaaaaaaaaa.js", b"js");
        let wasm = out("app-bbbbbbbbbbbbbbbb_bg.wasm", b"wasm");
        let link = out("__wasm_split-aaaaaaaaaaaaaaaa.js", b"link");
        let html = rewrite_index(
            TRUNK_INDEX,
            ("app-1111111111111111.js", "app-1111111111111111_bg.wasm"),
            &js,
            &wasm,
            &link,
        )
        .unwrap();
        assert!(!html.contains("1111111111111111"), "{html}");
        assert!(!html.contains("OLD"), "{html}");
        assert!(html.contains("from '/app-aaaaaaaaaaaaaaaa.js'"));
        assert!(html.contains("module_or_path: '/app-bbbbbbbbbbbbbbbb_bg.wasm'"));
        for (f, bytes) in [(&js, b"js" as &[u8]), (&wasm, b"wasm"), (&link, b"link")] {
            let tag = format!(
                "href=\"/{}\" crossorigin=\"anonymous\" integrity=\"{}\"",
                f.name,
                integrity(bytes)
            );
            assert!(html.contains(&tag), "{tag} in {html}");
        }
        // The link module is preloaded before the main JS needs it.
        assert!(
            html.find("__wasm_split-").unwrap()
                < html.find("rel=\"modulepreload\" href=\"/app-").unwrap()
        );
    }

    #[test]
    fn chunks_load_without_instantiate_streaming() {
        let js = "const src = fetch(x);\nreturn async (imports) => (WebAssembly.instantiateStreaming(src, imports));";
        let out = with_instantiate_fallback(js).unwrap();
        assert!(out.contains("(__instantiateChunk(src, imports))"));
        assert_eq!(
            out.matches("WebAssembly.instantiateStreaming(src, imports)")
                .count(),
            1
        );
        assert!(out.contains("WebAssembly.instantiate(bytes, imports)"));
        assert!(with_instantiate_fallback("import x from 'y';").is_err());
    }

    #[test]
    fn hashed_names_follow_content() {
        let a = hashed("split_apply", ".wasm", b"a");
        assert_eq!(a.len(), "split_apply-".len() + 16 + ".wasm".len());
        assert_eq!(a, hashed("split_apply", ".wasm", b"a"));
        assert_ne!(a, hashed("split_apply", ".wasm", b"b"));
    }

    #[test]
    fn replace_once_refuses_missing_or_repeated() {
        assert!(replace_once("a b", "c", "d", "t").is_err());
        assert!(replace_once("a a", "a", "d", "t").is_err());
        assert_eq!(replace_once("a b", "a", "d", "t").unwrap(), "d b");
    }
}
