//! The built app: files from `dist/`, client routes answered with `index.html` (status 200),
//! precompressed `.br`/`.gz` siblings preferred (`cargo xtask build-app` writes them; the
//! compression layer leaves an answer that has its encoding alone), and cache headers that let phones keep the
//! hashed bundle forever while always revalidating the page that names it.

use std::path::Path;

use axum::extract::Request;
use axum::http::header::{ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_TYPE, VARY};
use axum::http::HeaderValue;
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::Router;
use tower_http::services::{ServeDir, ServeFile};

pub fn service(dir: &Path) -> Router {
    let index = ServeFile::new(dir.join("index.html"))
        .precompressed_br()
        .precompressed_gzip();
    let files = ServeDir::new(dir)
        .precompressed_br()
        .precompressed_gzip()
        .fallback(index);
    Router::new()
        .fallback_service(files)
        .layer(middleware::from_fn(cache_headers))
}

async fn cache_headers(req: Request, next: Next) -> Response {
    let hashed = is_hashed_asset(req.uri().path());
    let mut res = next.run(req).await;
    let html = res
        .headers()
        .get(CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    let value = if html || !res.status().is_success() {
        "no-cache"
    } else if hashed {
        "public, max-age=31536000, immutable"
    } else {
        "public, max-age=3600"
    };
    let h = res.headers_mut();
    h.insert(CACHE_CONTROL, HeaderValue::from_static(value));
    // The same URL is a `.br`, a `.gz` or the file itself depending on `Accept-Encoding`, and
    // ServeDir does not say so: without this a shared cache could hand brotli to a client that
    // asked for gzip.
    let varies = h.get_all(VARY).iter().any(|v| {
        v.to_str().is_ok_and(|v| {
            v.split(',')
                .any(|n| n.trim().eq_ignore_ascii_case(ACCEPT_ENCODING.as_str()) || n.trim() == "*")
        })
    });
    if !varies {
        h.append(VARY, HeaderValue::from_static("accept-encoding"));
    }
    res
}

/// Trunk names assets `name-<hash>.ext` (and `name-<hash>_bg.wasm`), the hash a u64 in hex
/// without leading zeros: usually 16 digits, sometimes fewer.
fn is_hashed_asset(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or(path);
    let stem = file.split('.').next().unwrap_or(file);
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    stem.rsplit_once('-').is_some_and(|(_, hash)| {
        (12..=16).contains(&hash.len()) && hash.bytes().all(|b| b.is_ascii_hexdigit())
    })
}

#[cfg(test)]
mod tests {
    use super::is_hashed_asset;

    #[test]
    fn recognises_trunk_hashes() {
        assert!(is_hashed_asset("/app-3f2a9c1b2d4e5f60.js"));
        assert!(is_hashed_asset("/app-3f2a9c1b2d4e5f60_bg.wasm"));
        assert!(is_hashed_asset("/main-0123456789abcdef.css"));
        // A hash with a leading zero loses it.
        assert!(is_hashed_asset("/app-37925e33f9af2c3_bg.wasm"));
        assert!(!is_hashed_asset("/app-abc.js"));
        // The lazy routes' chunks and their loader, as `cargo xtask build-app` names them.
        assert!(is_hashed_asset("/split_apply-0123456789abcdef.wasm"));
        assert!(is_hashed_asset("/chunk_4-0123456789abcdef.wasm"));
        assert!(is_hashed_asset("/__wasm_split-0123456789abcdef.js"));
        assert!(!is_hashed_asset("/split_apply.wasm"));
        assert!(!is_hashed_asset("/__wasm_split.js"));
        assert!(!is_hashed_asset("/favicon.svg"));
        assert!(!is_hashed_asset("/index.html"));
        assert!(!is_hashed_asset("/legal-rep/abc"));
    }
}
