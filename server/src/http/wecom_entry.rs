//! Inside WeCom (real WeCom only): opening a page of the app without a session goes through
//! OAuth first, then back to that page.

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::http::{header, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;

use super::extract::SESSION_COOKIE;
use super::AppState;

/// The app's pages that work without a session (the SMS links') are opened by people who may
/// belong to no corp: they are never sent to sign in. Routed answers (`/s`, `/auth/…`, the
/// API) never come through here: this runs on the app's fallback only.
const OPEN_PAGES: [&str; 2] = ["/legal-rep/", "/activate/"];

pub async fn sign_in_first(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if state.providers.wecom_suite.is_none() || !wants_sign_in(&req) {
        return next.run(req).await;
    }
    let jar = CookieJar::from_headers(req.headers());
    let live = match jar.get(SESSION_COOKIE) {
        Some(c) => match state.db.session_member(c.value(), state.clock.now()).await {
            Ok(m) => m.is_some(),
            // The page itself can still load and say what is wrong.
            Err(_) => true,
        },
        None => false,
    };
    if live {
        return next.run(req).await;
    }
    let target = req
        .uri()
        .path_and_query()
        .map(|pq| pq.as_str())
        .unwrap_or("/");
    let location = format!(
        "/auth/wecom/login?next={}",
        url::form_urlencoded::byte_serialize(target.as_bytes()).collect::<String>()
    );
    (StatusCode::FOUND, [(header::LOCATION, location)]).into_response()
}

/// A page navigation (not an asset or a fetch) of WeCom's WebView.
fn wants_sign_in(req: &Request) -> bool {
    let headers = req.headers();
    let in_wecom = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ua| ua.to_ascii_lowercase().contains("wxwork"));
    let html = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"));
    let path = req.uri().path();
    let open = OPEN_PAGES.iter().any(|p| path.starts_with(p));
    let asset = path.rsplit('/').next().is_some_and(|f| f.contains('.'));
    (req.method() == Method::GET || req.method() == Method::HEAD)
        && in_wecom
        && html
        && !open
        && !asset
}
