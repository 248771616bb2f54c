//! The API describes itself: every route is in `/api/openapi.json`, with its error answers.

mod common;

use axum::http::StatusCode;
use common::TestApp;
use serde_json::Value;

const DEV: &[(&str, &str)] = &[
    ("get", "/dev/login"),
    ("get", "/dev/outbox"),
    ("get", "/dev/outbox.json"),
    ("post", "/dev/reset"),
    ("post", "/dev/clock"),
    ("get", "/dev/face/{token}"),
    ("post", "/dev/face/{token}"),
];

fn operations(spec: &Value) -> Vec<(String, String)> {
    let mut ops = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            if ["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                ops.push((method.clone(), path.clone()));
            }
        }
    }
    ops.sort();
    ops
}

#[tokio::test]
async fn every_route_is_in_the_spec_and_nothing_else() {
    let app = TestApp::new().await;
    let (status, spec) = app.get_json(api::wire::paths::OPENAPI, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(spec["openapi"].as_str().unwrap().starts_with("3."));

    let mut expected: Vec<(String, String)> = api::wire::paths::ALL
        .iter()
        .chain(DEV)
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    expected.sort();
    assert_eq!(operations(&spec), expected, "routes and spec disagree");
}

#[tokio::test]
async fn every_documented_route_is_served() {
    let app = TestApp::new().await;
    let (_, spec) = app.get_json(api::wire::paths::OPENAPI, None).await;
    for (method, template) in operations(&spec) {
        // A made-up id: such a route answers its own 404, so only "not routed" is looked for.
        let templated = template.contains('{');
        let path = template.replace("{token}", "made-up");
        let req = match method.as_str() {
            "get" => common::get(&path, None),
            "post" => common::post(&path, None, "{}"),
            other => common::browser(&other.to_uppercase(), &path)
                .header("content-type", "application/json")
                .body(axum::body::Body::from("{}"))
                .unwrap(),
        };
        let res = app.send(req).await;
        let status = res.status();
        let body = common::body_text(res).await;
        assert!(
            status != StatusCode::NOT_FOUND || (templated && !body.is_empty()),
            "{method} {path} is documented but not routed"
        );
        assert_ne!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
        assert!(
            !status.is_server_error(),
            "{method} {path} answered {status}"
        );
    }
}

#[tokio::test]
async fn api_operations_document_their_errors() {
    let app = TestApp::new().await;
    let (_, spec) = app.get_json(api::wire::paths::OPENAPI, None).await;
    for (method, path) in operations(&spec) {
        if path == api::wire::paths::HEALTH
            || path == api::wire::paths::OPENAPI
            || path.starts_with("/dev/")
        {
            continue;
        }
        let responses = spec["paths"][&path][&method]["responses"]
            .as_object()
            .unwrap();
        // SMS links (legal representative, super admin) work without a session: the token is
        // the key.
        if !path.starts_with("/api/legal-rep/") && !path.starts_with("/api/activate/") {
            assert!(
                responses.contains_key("401"),
                "{method} {path} must document 401"
            );
        }
        for (status, r) in responses {
            if status.starts_with('4') || status.starts_with('5') {
                let schema = &r["content"]["application/json"]["schema"]["$ref"];
                assert_eq!(
                    schema, "#/components/schemas/ErrorBody",
                    "{method} {path} {status}"
                );
            }
        }
    }
}

#[tokio::test]
async fn the_spec_of_real_mode_has_no_dev_paths() {
    let app = TestApp::with_mode(false).await;
    let (_, spec) = app.get_json(api::wire::paths::OPENAPI, None).await;
    assert!(operations(&spec)
        .iter()
        .all(|(_, p)| !p.starts_with("/dev/")));
}
