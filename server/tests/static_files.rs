//! Serving the built app: SPA fallback with 200, cache headers, compression.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::{body_text, get, TestApp};

#[tokio::test]
async fn client_routes_get_index_html_with_200_and_no_cache() {
    let app = TestApp::new().await;
    for path in ["/", "/materials", "/apply/real-name", "/no/such/page"] {
        let res = app.send(get(path, None)).await;
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        assert_eq!(res.headers()[header::CACHE_CONTROL], "no-cache", "{path}");
        assert!(body_text(res).await.contains("<title>app</title>"));
    }
}

#[tokio::test]
async fn hashed_assets_are_immutable_and_compressed() {
    let app = TestApp::new().await;
    let dist = app.dir.join("dist");
    let js = "export function f(){return 1}\n".repeat(200);
    std::fs::write(dist.join("app-0123456789abcdef.js"), &js).unwrap();
    std::fs::write(
        dist.join("favicon.svg"),
        "<svg xmlns='http://www.w3.org/2000/svg'/>",
    )
    .unwrap();

    let res = app.send(get("/app-0123456789abcdef.js", None)).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.headers()[header::CACHE_CONTROL],
        "public, max-age=31536000, immutable"
    );

    for encoding in ["br", "gzip"] {
        let req = Request::get("/app-0123456789abcdef.js")
            .header(header::ACCEPT_ENCODING, encoding)
            .body(Body::empty())
            .unwrap();
        let res = app.send(req).await;
        assert_eq!(res.headers()[header::CONTENT_ENCODING], encoding);
    }

    let res = app.send(get("/favicon.svg", None)).await;
    assert_eq!(res.headers()[header::CACHE_CONTROL], "public, max-age=3600");
}

#[tokio::test]
async fn json_answers_are_compressed_too() {
    let app = TestApp::new().await;
    let req = Request::get("/api/openapi.json")
        .header(header::ACCEPT_ENCODING, "br")
        .body(Body::empty())
        .unwrap();
    let res = app.send(req).await;
    assert_eq!(res.headers()[header::CONTENT_ENCODING], "br");
}

// ---------------------------------------------------------------------------------------------
// Precompressed assets: `cargo xtask build-app` writes a `.br` (quality 11) and a `.gz` (level 9)
// beside each file; what a phone receives must be those bytes, not the on-the-fly layer's.
// ---------------------------------------------------------------------------------------------

use http_body_util::BodyExt;
use std::io::{Read, Write};

const PAGE: &str = "<!DOCTYPE html><html><head><script>window.boot = 1;</script>\
    <link rel=\"stylesheet\" href=\"/main-0123456789abcdef.css\"></head><body>\
    <div id=\"boot\">企业认证</div><script type=\"module\">import init from '/app-0123456789abcdef.js';\
    await init('/app-0123456789abcdef_bg.wasm');</script></body></html>";

/// (path, content type, body): a page, the bundle's kinds, and an icon.
fn assets() -> Vec<(&'static str, &'static str, Vec<u8>)> {
    let mut wasm = b"\0asm\x01\0\0\0".to_vec();
    wasm.extend("(func $render_home)".repeat(300).bytes());
    vec![
        ("index.html", "text/html", PAGE.repeat(4).into_bytes()),
        ("app-0123456789abcdef_bg.wasm", "application/wasm", wasm),
        (
            "app-0123456789abcdef.js",
            "text/javascript",
            "export function __wbg_get(){return 1}\n"
                .repeat(200)
                .into_bytes(),
        ),
        (
            "main-0123456789abcdef.css",
            "text/css",
            ".corp-card{display:flex;padding:24px 16px}\n"
                .repeat(200)
                .into_bytes(),
        ),
        (
            "favicon.svg",
            "image/svg+xml",
            "<svg xmlns='http://www.w3.org/2000/svg'><rect width='1' height='1'/></svg>"
                .repeat(20)
                .into_bytes(),
        ),
    ]
}

fn brotli_q11(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut enc = brotli::CompressorWriter::new(&mut out, 4096, 11, 24);
        enc.write_all(data).unwrap();
    }
    out
}

fn gzip_9(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(9));
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

fn unbrotli(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    brotli::Decompressor::new(data, 4096)
        .read_to_end(&mut out)
        .unwrap();
    out
}

/// A dist/ as build-app leaves it: every file with its two precompressed siblings.
async fn precompressed_app() -> TestApp {
    TestApp::with_settings(true, |s| {
        for (name, _, body) in assets() {
            let path = s.static_dir.join(name);
            std::fs::write(&path, &body).unwrap();
            std::fs::write(format!("{}.br", path.display()), brotli_q11(&body)).unwrap();
            std::fs::write(format!("{}.gz", path.display()), gzip_9(&body)).unwrap();
        }
    })
    .await
}

fn with_encoding(path: &str, accept: Option<&str>) -> Request<Body> {
    let mut b = Request::get(path).header(header::HOST, common::HOST);
    if let Some(a) = accept {
        b = b.header(header::ACCEPT_ENCODING, a);
    }
    b.body(Body::empty()).unwrap()
}

async fn bytes(res: axum::http::Response<Body>) -> Vec<u8> {
    res.into_body().collect().await.unwrap().to_bytes().to_vec()
}

/// The request paths that answer with `file`: itself, and for the page, the client routes.
fn paths_of(file: &str) -> Vec<String> {
    match file {
        "index.html" => ["/", "/apply/license", "/legal-rep/abc123", "/activate/xyz"]
            .map(String::from)
            .to_vec(),
        other => vec![format!("/{other}")],
    }
}

#[tokio::test]
async fn each_encoding_gets_its_precompressed_file_byte_for_byte() {
    let app = precompressed_app().await;
    let dist = app.dir.join("dist");
    for (file, content_type, identity) in assets() {
        let br = std::fs::read(dist.join(format!("{file}.br"))).unwrap();
        let gz = std::fs::read(dist.join(format!("{file}.gz"))).unwrap();
        for path in paths_of(file) {
            // Chromium's header first: it offers deflate and zstd too, which must not win.
            for (accept, encoding, want) in [
                (Some("gzip, deflate, br, zstd"), Some("br"), &br),
                (Some("br"), Some("br"), &br),
                (Some("gzip"), Some("gzip"), &gz),
                (Some("gzip;q=1, br;q=0.5"), Some("gzip"), &gz),
                (Some("br;q=0, gzip;q=0.8"), Some("gzip"), &gz),
                (None, None, &identity),
                (Some("identity"), None, &identity),
            ] {
                let what = format!("{path} with Accept-Encoding {accept:?}");
                let res = app.send(with_encoding(&path, accept)).await;
                assert_eq!(res.status(), StatusCode::OK, "{what}");
                let h = res.headers();
                assert_eq!(
                    h.get(header::CONTENT_ENCODING).map(|v| v.to_str().unwrap()),
                    encoding,
                    "{what}"
                );
                let ct = h[header::CONTENT_TYPE].to_str().unwrap();
                assert!(ct.starts_with(content_type), "{what}: {ct}");
                let vary: Vec<_> = h
                    .get_all(header::VARY)
                    .iter()
                    .map(|v| v.to_str().unwrap().to_ascii_lowercase())
                    .collect();
                assert!(
                    vary.iter().any(|v| v.contains("accept-encoding")),
                    "{what}: Vary {vary:?}"
                );
                // Exactly the file's bytes: not compressed a second time, not re-encoded at
                // the layer's level.
                let body = bytes(res).await;
                assert!(
                    body == *want,
                    "{what}: {} bytes, want {}",
                    body.len(),
                    want.len()
                );
            }
        }
    }
}

#[tokio::test]
async fn the_csp_hashes_the_page_that_every_encoding_delivers() {
    let app = precompressed_app().await;
    for accept in [Some("br"), Some("gzip"), None] {
        let res = app.send(with_encoding("/apply/license", accept)).await;
        let csp = res.headers()[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .to_owned();
        let raw = bytes(res).await;
        let page = match accept {
            Some("br") => unbrotli(&raw),
            Some(_) => {
                let mut out = Vec::new();
                flate2::read::GzDecoder::new(&raw[..])
                    .read_to_end(&mut out)
                    .unwrap();
                out
            }
            None => raw,
        };
        let page = String::from_utf8(page).unwrap();
        let scripts = server::http::headers::inline_scripts(&page);
        assert_eq!(scripts.len(), 8, "{accept:?}");
        for script in scripts {
            let hash = server::http::headers::hash(&script);
            assert!(csp.contains(&hash), "{accept:?}: {hash} not in {csp}");
        }
    }
}

#[tokio::test]
async fn small_and_uncompressible_answers_are_left_alone() {
    let app = precompressed_app().await;
    let dist = app.dir.join("dist");
    // A photo type with no precompressed copy: never compressed on the fly either.
    let png = [0x89u8, b'P', b'N', b'G'].repeat(100);
    std::fs::write(dist.join("shot.png"), &png).unwrap();
    let res = app
        .send(with_encoding("/shot.png", Some("gzip, deflate, br, zstd")))
        .await;
    assert!(res.headers().get(header::CONTENT_ENCODING).is_none());
    assert_eq!(bytes(res).await, png);
}
