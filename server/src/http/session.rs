//! Starting a session, the same way for every sign-in (`/dev/login` locally, WeCom OAuth in
//! real mode), and where a `next` parameter may send the browser after it.

use axum_extra::extract::cookie::{Cookie, SameSite};

use super::error::Error;
use super::extract::SESSION_COOKIE;
use super::AppState;

/// 30 days: WKWebView drops cookies without an explicit lifetime (webview.md).
pub const SESSION_TTL_SECS: i64 = 30 * 24 * 3600;

/// A new session for the member, and its cookie.
pub async fn start(state: &AppState, member_id: &str) -> Result<Cookie<'static>, Error> {
    let token = state
        .db
        .create_session(member_id, state.clock.now(), SESSION_TTL_SECS)
        .await?;
    Ok(Cookie::build((SESSION_COOKIE, token))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.settings.cookie_secure)
        .max_age(time::Duration::seconds(SESSION_TTL_SECS))
        .build())
}

/// `next` if it is a path on this server, else `/`.
///
/// Browsers drop tabs and line breaks from URLs and read `\` as `/`, so `/\t/evil.example` and
/// `/\evil.example` are `//evil.example`: another site. Only a path of visible ASCII that starts
/// with exactly one `/` and has no backslash is kept (the app's own paths are ASCII; anything
/// else was built by someone else). It also keeps control characters out of `Location`.
pub fn same_origin_path(next: Option<&str>) -> &str {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && n.bytes().all(|b| b.is_ascii_graphic() && b != b'\\') =>
        {
            n
        }
        _ => "/",
    }
}

#[cfg(test)]
mod tests {
    use super::same_origin_path;

    #[test]
    fn next_stays_on_this_server() {
        for (next, want) in [
            (Some("/legal-rep/abc"), "/legal-rep/abc"),
            (
                Some("/ops/reviews?tab=open#top"),
                "/ops/reviews?tab=open#top",
            ),
            (Some("/"), "/"),
            (Some("/%2F/evil.example"), "/%2F/evil.example"),
            (Some("/\t/evil.example"), "/"),
            (Some("/\n/evil.example"), "/"),
            (Some("/\r\nSet-Cookie: x=1"), "/"),
            (Some("//evil.example"), "/"),
            (Some("/\\evil.example"), "/"),
            (Some("/a\\b"), "/"),
            (Some("\\\\evil.example"), "/"),
            (Some("https://evil.example"), "/"),
            (Some("javascript:alert(1)"), "/"),
            (Some("evil.example"), "/"),
            (Some(" /legal-rep/abc"), "/"),
            (Some("/legal rep"), "/"),
            (Some("/\u{0}"), "/"),
            (Some("/\u{202E}"), "/"),
            (Some("/\u{3000}/evil.example"), "/"),
            (Some(""), "/"),
            (None, "/"),
        ] {
            assert_eq!(same_origin_path(next), want, "{next:?}");
        }
    }
}
