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
