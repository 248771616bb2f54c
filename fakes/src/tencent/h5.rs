//! The stand-in for FaceID's H5 page: two buttons, plainly a test fake, that send the person
//! back to `RedirectUrl` with `BizToken` appended, as FaceID does.

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Form;
use serde::Deserialize;

use super::Fake;

/// `RedirectUrl` with `BizToken=<token>` added to its query (before any `#`).
pub fn back_to(redirect_url: &str, biz_token: &str) -> String {
    let (base, fragment) = match redirect_url.split_once('#') {
        Some((b, f)) => (b, Some(f)),
        None => (redirect_url, None),
    };
    let sep = match base.contains('?') {
        true if base.ends_with('?') || base.ends_with('&') => "",
        true => "&",
        false => "?",
    };
    let mut out = format!("{base}{sep}BizToken={biz_token}");
    if let Some(f) = fragment {
        out.push('#');
        out.push_str(f);
    }
    out
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

pub async fn page(State(fake): State<Fake>, Path(token): Path<String>) -> Response {
    if !fake.state().faces.contains_key(&token) {
        return (StatusCode::NOT_FOUND, "unknown BizToken").into_response();
    }
    let t = escape(&token);
    Html(format!(
        "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>人脸核身（测试替身）</title></head><body>\
<h1>人脸核身（测试替身）</h1>\
<p>这是测试用的 FaceID 替身页面，不采集也不比对任何人脸。</p>\
<form method=\"post\" action=\"/_fake/faceid/h5/{t}\">\
<button name=\"decision\" value=\"pass\">通过</button> \
<button name=\"decision\" value=\"fail\">不通过</button>\
</form></body></html>"
    ))
    .into_response()
}

#[derive(Deserialize)]
pub struct Decision {
    decision: String,
}

pub async fn decide(
    State(fake): State<Fake>,
    Path(token): Path<String>,
    Form(d): Form<Decision>,
) -> Response {
    let passed = match d.decision.as_str() {
        "pass" => true,
        "fail" => false,
        _ => return (StatusCode::BAD_REQUEST, "decision is pass or fail").into_response(),
    };
    match fake.decide_face(&token, passed) {
        Some(location) => (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response(),
        None => (StatusCode::NOT_FOUND, "unknown BizToken").into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::back_to;

    #[test]
    fn the_token_is_appended_to_any_query() {
        assert_eq!(
            back_to("https://e.example/r", "T"),
            "https://e.example/r?BizToken=T"
        );
        assert_eq!(
            back_to("https://e.example/r?a=1", "T"),
            "https://e.example/r?a=1&BizToken=T"
        );
        assert_eq!(back_to("/r?", "T"), "/r?BizToken=T");
        assert_eq!(back_to("/r#x", "T"), "/r?BizToken=T#x");
    }
}
