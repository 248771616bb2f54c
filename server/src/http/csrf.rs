//! Cross-site request forgery: a state-changing request must come from the app's own pages.
//!
//! `SameSite=Lax` on the session cookie is not enough: WeCom's older WebViews ignore it, so
//! another site's form or `fetch` would arrive with the victim's cookie. Browsers put the page's
//! origin in `Origin` on every POST/PUT/PATCH/DELETE (and `Sec-Fetch-Site` on newer engines),
//! and a page cannot forge either; so those requests are refused unless one of them says "this
//! site". Uploads must also say they are images: `image/jpeg` is not a content type a form can
//! send, so a cross-site upload could never be a "simple" request even where Origin is missing.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::error::Error;
use super::Settings;

/// Paths whose state-changing requests are checked: the API, the face simulation's form, and
/// the short-code form (`/s`), whose wrong tries count against the sender's address.
///
/// `/dev/reset`, `/dev/clock` and `/dev/login` are left out on purpose: local-mode.md has test
/// scripts (curl, Playwright's request API) call them without any Origin, they exist only in
/// local mode, and what they do (reset the demo, move its clock, sign in as a demo person
/// through a GET) needs no one's consent. Real mode's WeCom callback is signed and called by
/// WeCom's servers, never by a browser, so it is not under these prefixes either.
pub fn guarded(method: &Method, path: &str) -> bool {
    let changes = matches!(
        *method,
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    );
    changes && (path.starts_with("/api/") || path.starts_with("/dev/face/") || path == "/s")
}

/// The uploads, whose body is the photo itself.
pub const PHOTO_PATHS: [&str; 2] = [
    api::wire::paths::LICENSE_PHOTO,
    api::wire::paths::LETTER_PHOTO,
];

fn is_photo_upload(method: &Method, path: &str) -> bool {
    *method == Method::POST && PHOTO_PATHS.contains(&path)
}

/// Who counts as "this site".
#[derive(Debug, Clone)]
pub struct Guard {
    /// Local mode: whatever host the browser reached us at (127.0.0.1, a LAN address, a
    /// tunnel), over http or https. Real mode: only the configured origins, never `Host`,
    /// which a proxy may rewrite.
    local_mode: bool,
    allowed: Arc<[String]>,
}

impl Guard {
    pub fn new(settings: &Settings) -> Self {
        Self {
            local_mode: settings.local_mode,
            allowed: settings.allowed_origins.clone().into(),
        }
    }

    fn own_origin(&self, origin: &str, headers: &HeaderMap, req_authority: Option<&str>) -> bool {
        let Some(origin) = normalize_origin(origin) else {
            // `null` (sandboxed frames, data: URLs, some redirects) and anything malformed.
            return false;
        };
        if self.local_mode {
            let host = headers
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .or(req_authority);
            return host.is_some_and(|host| {
                ["http", "https"].iter().any(|scheme| {
                    normalize_origin(&format!("{scheme}://{host}")).as_deref()
                        == Some(origin.as_str())
                })
            });
        }
        self.allowed.contains(&origin)
    }

    fn same_site(&self, req: &Request) -> bool {
        let headers = req.headers();
        match headers.get(header::ORIGIN) {
            Some(origin) => origin.to_str().is_ok_and(|o| {
                self.own_origin(o, headers, req.uri().authority().map(|a| a.as_str()))
            }),
            // Engines that leave Origin out still send Fetch Metadata, which pages cannot set.
            None => headers
                .get("sec-fetch-site")
                .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"same-origin")),
        }
    }
}

pub async fn check(State(guard): State<Arc<Guard>>, req: Request, next: Next) -> Response {
    let (method, path) = (req.method(), req.uri().path());
    if !guarded(method, path) {
        return next.run(req).await;
    }
    if !guard.same_site(&req) {
        return Error::Forbidden("请求来源不受信任，请在腾讯电子签页面内操作".to_owned())
            .into_response();
    }
    if is_photo_upload(method, path) && !is_image(req.headers()) {
        return Error::UnsupportedMediaType("只支持上传JPG或PNG格式的图片".to_owned())
            .into_response();
    }
    next.run(req).await
}

fn is_image(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|essence| essence.trim().to_ascii_lowercase())
        .is_some_and(|essence| essence == "image/jpeg" || essence == "image/png")
}

/// `scheme://host[:port]` as browsers serialize an origin: lower case, no default port, no
/// path. `None` for `null`, other schemes, user info, paths or anything unparsable. A
/// configured public URL may carry a path or a trailing slash; its origin is what counts.
pub fn normalize_origin(url: &str) -> Option<String> {
    let (scheme, rest) = url.trim().split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    let default_port = match scheme.as_str() {
        "http" => "80",
        "https" => "443",
        _ => return None,
    };
    let authority = rest.split(['/', '?', '#']).next()?.to_ascii_lowercase();
    if authority.is_empty()
        || authority.contains('@')
        || !authority
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-.:[]".contains(&b))
    {
        return None;
    }
    // `[::1]:8080`: the port follows the last colon outside the brackets.
    let (host, port) = match authority.rfind(':') {
        Some(i) if !authority[i..].contains(']') => (&authority[..i], Some(&authority[i + 1..])),
        _ => (authority.as_str(), None),
    };
    if host.is_empty() {
        return None;
    }
    match port {
        None => Some(format!("{scheme}://{host}")),
        Some(p) if p.is_empty() || p == default_port => Some(format!("{scheme}://{host}")),
        Some(p) if p.bytes().all(|b| b.is_ascii_digit()) && p.parse::<u16>().is_ok() => {
            Some(format!("{scheme}://{host}:{}", p.parse::<u16>().ok()?))
        }
        Some(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::normalize_origin;

    #[test]
    fn origins_normalize_as_browsers_send_them() {
        for (input, want) in [
            (
                "https://esign.example.com",
                Some("https://esign.example.com"),
            ),
            (
                "https://ESIGN.example.com/",
                Some("https://esign.example.com"),
            ),
            (
                "https://esign.example.com:443/app?x",
                Some("https://esign.example.com"),
            ),
            ("http://127.0.0.1:8080", Some("http://127.0.0.1:8080")),
            ("http://127.0.0.1:80", Some("http://127.0.0.1")),
            ("http://[::1]:8080", Some("http://[::1]:8080")),
            ("http://[::1]", Some("http://[::1]")),
            ("http://esign.test:08080", Some("http://esign.test:8080")),
            ("null", None),
            ("", None),
            ("file:///etc", None),
            ("https://user@esign.example.com", None),
            ("https://", None),
            ("https://:443", None),
            ("https://esign.example.com:99999", None),
            ("https://esign.example.com:x", None),
            ("https://esign example.com", None),
        ] {
            assert_eq!(normalize_origin(input).as_deref(), want, "{input:?}");
        }
    }
}
