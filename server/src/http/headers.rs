//! Headers on every answer: the Content-Security-Policy, `nosniff`, `Referrer-Policy`, and
//! `Cache-Control: no-store` on the API (its answers are personal: a shared cache or the
//! WebView's back-forward cache must never replay them). The live event stream keeps its own
//! `no-cache`: it carries no personal data, and `no-cache` is what proxies expect of a stream.
//!
//! The CSP allows no inline script but the built `index.html`'s own: Trunk writes its module
//! loader inline (`import init … await init(…)`, names that change with every build) and the page
//! has a classic boot check for old WebViews. Their SHA-256 hashes are taken from the
//! `index.html` that is served, when the server starts, so the policy always matches the bundle
//! (a nonce would mean rewriting the page, and its precompressed copies, on every request).

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS,
};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine;
use sha2::{Digest, Sha256};

use super::Settings;

#[derive(Debug, Clone)]
pub struct SecurityHeaders {
    csp: HeaderValue,
}

impl SecurityHeaders {
    pub fn new(settings: &Settings) -> Self {
        let index =
            std::fs::read_to_string(settings.static_dir.join("index.html")).unwrap_or_default();
        for copy in stale_copies(&settings.static_dir, &index) {
            tracing::error!(
                "{} is not index.html compressed: browsers sent it would refuse its scripts \
                 (CSP). Rebuild with `cargo xtask build-app`, which writes both.",
                copy.display()
            );
        }
        let mut scripts: Vec<String> = inline_scripts(&index).iter().map(|s| hash(s)).collect();
        let mut styles = Vec::new();
        if settings.local_mode {
            // The /dev pages (local mode only) are server-written HTML with their own inline
            // script and styles: constants, hashed like the bundle's.
            scripts.extend(super::dev::INLINE_SCRIPTS.iter().map(|s| hash(s)));
            styles.extend(super::dev::INLINE_STYLES.iter().map(|s| hash(s)));
        }
        let wecom = if settings.wecom_sdk { WECOM_SDK } else { &[] };
        let policy = policy(&scripts, &styles, wecom, &settings.frame_ancestors);
        let csp = HeaderValue::from_str(&policy).unwrap_or_else(|_| {
            // Only a frame-ancestors setting with a control character gets here.
            tracing::error!("ESIGN_FRAME_ANCESTORS is not a valid header value; using 'self'");
            HeaderValue::from_str(&self::policy(&scripts, &styles, wecom, "'self'"))
                .expect("hashes and keywords are ASCII")
        });
        tracing::debug!(
            "CSP allows {} inline script(s) of {} by hash",
            inline_scripts(&index).len(),
            settings.static_dir.join("index.html").display()
        );
        Self { csp }
    }
}

/// The policy hashes the identity `index.html`, but most browsers are sent its `.br` or `.gz`
/// (`cargo xtask build-app` writes them last). A copy that says anything else (the page edited
/// after the build) would carry scripts the policy refuses: a blank app for those users, so
/// the server says so loudly at start.
fn stale_copies(dir: &std::path::Path, index: &str) -> Vec<std::path::PathBuf> {
    use std::io::Read;
    let gunzip = |b: &[u8]| {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(b).read_to_end(&mut out)?;
        Ok(out)
    };
    let decoders: [(&str, &dyn Fn(&[u8]) -> std::io::Result<Vec<u8>>); 2] =
        [("br", &decode_brotli), ("gz", &gunzip)];
    decoders
        .into_iter()
        .map(|(ext, decode)| (dir.join(format!("index.html.{ext}")), decode))
        .filter(|(path, decode)| {
            std::fs::read(path).is_ok_and(|b| !decode(&b).is_ok_and(|p| p == index.as_bytes()))
        })
        .map(|(path, _)| path)
        .collect()
}

fn decode_brotli(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut out = Vec::new();
    brotli::Decompressor::new(bytes, 4096).read_to_end(&mut out)?;
    Ok(out)
}

/// Where WeCom's JS-SDK (`jweixin`, `jwxwork`) and its open-data frames come from
/// (`public/wecom.js` loads them, only inside WeCom).
const WECOM_SDK: &[&str] = &["https://res.wx.qq.com", "https://open.work.weixin.qq.com"];

/// Leptos sets dynamic styles through the CSSOM (`style:width=`), which CSP does not govern;
/// static `style="…"` attributes would need `'unsafe-inline'`, so the app has none.
fn policy(scripts: &[String], styles: &[String], wecom: &[&str], frame_ancestors: &str) -> String {
    let join = |extra: &[String]| extra.iter().map(|h| format!(" {h}")).collect::<String>();
    let hosts: Vec<String> = wecom.iter().map(|h| (*h).to_owned()).collect();
    let frames = match hosts.is_empty() {
        true => String::new(),
        false => format!("frame-src 'self'{}; ", join(&hosts)),
    };
    format!(
        "default-src 'self'; \
         script-src 'self' 'wasm-unsafe-eval'{scripts}{sdk}; \
         {frames}\
         style-src 'self'{styles}; \
         img-src 'self' data: blob:; \
         connect-src 'self'; \
         object-src 'none'; \
         base-uri 'none'; \
         form-action 'self'; \
         frame-ancestors {frame_ancestors}",
        scripts = join(scripts),
        sdk = join(&hosts),
        styles = join(styles),
        frame_ancestors = frame_ancestors.trim(),
    )
}

pub async fn apply(
    State(headers): State<Arc<SecurityHeaders>>,
    req: Request,
    next: Next,
) -> Response {
    let path = req.uri().path();
    let api = path == "/api" || path.starts_with("/api/");
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(CONTENT_SECURITY_POLICY, headers.csp.clone());
    h.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    let stream = h
        .get(CONTENT_TYPE)
        .is_some_and(|t| t.as_bytes().starts_with(b"text/event-stream"));
    if api && !stream {
        h.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

/// `'sha256-…'` of a script or style as the browser hashes it: its text, UTF-8.
pub fn hash(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

/// The text of every `<script>` without `src` in an HTML page, as the browser sees it: line
/// breaks normalized to `\n` (the HTML parser does that before anything else), the text taken
/// verbatim up to `</script` (script content has no character references). Comments are skipped.
pub fn inline_scripts(html: &str) -> Vec<String> {
    let html = html.replace("\r\n", "\n").replace('\r', "\n");
    let lower = html.to_ascii_lowercase();
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(i) = lower[at..].find('<').map(|i| at + i) {
        if lower[i..].starts_with("<!--") {
            at = lower[i..].find("-->").map_or(lower.len(), |e| i + e + 3);
            continue;
        }
        let is_script = lower[i..].starts_with("<script")
            && lower[i + 7..]
                .chars()
                .next()
                .is_some_and(|c| c == '>' || c == '/' || c.is_ascii_whitespace());
        if !is_script {
            at = i + 1;
            continue;
        }
        let Some(tag_end) = tag_end(&lower, i + 7) else {
            break;
        };
        let attrs = &lower[i + 7..tag_end];
        let body_start = tag_end + 1;
        let body_end = lower[body_start..]
            .find("</script")
            .map_or(lower.len(), |e| body_start + e);
        if !has_attribute(attrs, "src") {
            out.push(html[body_start..body_end].to_owned());
        }
        at = body_end;
    }
    out
}

/// The `>` that closes a start tag, skipping quoted attribute values.
fn tag_end(lower: &str, from: usize) -> Option<usize> {
    let mut quote = None;
    for (i, b) in lower.bytes().enumerate().skip(from) {
        match (quote, b) {
            (None, b'"' | b'\'') => quote = Some(b),
            (Some(q), _) if b == q => quote = None,
            (None, b'>') => return Some(i),
            _ => {}
        }
    }
    None
}

fn has_attribute(attrs: &str, name: &str) -> bool {
    let mut rest = attrs;
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_ascii_whitespace() || c == '/');
        if rest.is_empty() {
            return false;
        }
        let end = rest
            .find(|c: char| c.is_ascii_whitespace() || c == '=' || c == '/')
            .unwrap_or(rest.len());
        if &rest[..end] == name {
            return true;
        }
        rest = rest[end..].trim_start();
        if let Some(value) = rest.strip_prefix('=') {
            let value = value.trim_start();
            rest = match value.as_bytes().first() {
                Some(&q @ (b'"' | b'\'')) => {
                    value[1..].find(q as char).map_or("", |e| &value[e + 2..])
                }
                _ => value
                    .find(|c: char| c.is_ascii_whitespace())
                    .map_or("", |e| &value[e..]),
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{has_attribute, inline_scripts, stale_copies};

    #[test]
    fn finds_precompressed_pages_that_are_not_the_page() {
        use std::io::Write;
        let dir = std::env::temp_dir().join(format!("csp-copies-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let page = "<script>boot()</script>";
        let mut br = Vec::new();
        {
            let mut enc = brotli::CompressorWriter::new(&mut br, 4096, 11, 22);
            enc.write_all(page.as_bytes()).unwrap();
        }
        std::fs::write(dir.join("index.html.br"), &br).unwrap();
        assert!(stale_copies(&dir, page).is_empty(), "no .gz, a right .br");
        // An older build's page, and garbage.
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(9));
        gz.write_all(b"<script>old()</script>").unwrap();
        std::fs::write(dir.join("index.html.gz"), gz.finish().unwrap()).unwrap();
        assert_eq!(stale_copies(&dir, page), [dir.join("index.html.gz")]);
        std::fs::write(dir.join("index.html.br"), b"not brotli").unwrap();
        assert_eq!(stale_copies(&dir, page).len(), 2);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn finds_inline_scripts_as_the_browser_parses_them() {
        let html = "<!DOCTYPE html><head>\r\n<script>\r\n  var a = '<b>';\r\n</script>\
                    <!-- <script>commented()</script> -->\
                    <script src=\"/x.js\"></script>\
                    <script data-src=\"x\" type=\"module\">import x from '/x.js';</SCRIPT >\
                    <script title='a > b'>one()</script>\
                    <scripts>not()</scripts><script/>";
        assert_eq!(
            inline_scripts(html),
            [
                "\n  var a = '<b>';\n",
                "import x from '/x.js';",
                "one()",
                "",
            ]
        );
        assert!(inline_scripts("<p>no script</p>").is_empty());
        assert_eq!(inline_scripts("<script>unterminated"), ["unterminated"]);
    }

    #[test]
    fn attributes() {
        assert!(has_attribute(" src=\"/a.js\" defer", "src"));
        assert!(has_attribute(" defer src", "src"));
        assert!(has_attribute(" type=module src=/a.js", "src"));
        assert!(!has_attribute(" data-src=\"x\"", "src"));
        assert!(!has_attribute(" title=\"src\"", "src"));
        assert!(!has_attribute(" title='a src=b'", "src"));
        assert!(!has_attribute("", "src"));
    }
}
