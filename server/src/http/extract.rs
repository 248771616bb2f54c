//! Extractors: the signed-in member and their session, the client's address, and bodies,
//! query strings and path segments whose rejections speak our error type (axum's own answer
//! is plain text).

use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts};
use axum::http::request::Parts;
use axum_extra::extract::CookieJar;

use super::error::Error;
use super::AppState;
use crate::flow::photo::MAX_PHOTO_BYTES;
use crate::storage::MemberRow;

pub const SESSION_COOKIE: &str = "esign_sid";

/// The live session behind the cookie (its stored hash and member), looked up once per request
/// however many extractors ask.
#[derive(Clone)]
struct LiveSession(Option<(String, MemberRow)>);

async fn live_session(
    parts: &mut Parts,
    state: &AppState,
) -> Result<Option<(String, MemberRow)>, Error> {
    if let Some(LiveSession(found)) = parts.extensions.get::<LiveSession>() {
        return Ok(found.clone());
    }
    let jar = CookieJar::from_headers(&parts.headers);
    let found = match jar.get(SESSION_COOKIE) {
        Some(cookie) => state
            .db
            .session_member(cookie.value(), state.clock.now())
            .await?
            .map(|m| (crate::storage::session_hash(cookie.value()), m)),
        None => None,
    };
    parts.extensions.insert(LiveSession(found.clone()));
    Ok(found)
}

/// The member behind the session cookie; 401 without a live session.
#[derive(Debug, Clone)]
pub struct CurrentMember(pub MemberRow);

impl FromRequestParts<AppState> for CurrentMember {
    type Rejection = Error;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        live_session(parts, state)
            .await?
            .map(|(_, m)| CurrentMember(m))
            .ok_or(Error::Unauthorized)
    }
}

/// `Option<CurrentMember>`: pages opened from an SMS link work without a session, and know the
/// person when there is one.
impl axum::extract::OptionalFromRequestParts<AppState> for CurrentMember {
    type Rejection = Error;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Option<Self>, Self::Rejection> {
        match <Self as FromRequestParts<AppState>>::from_request_parts(parts, state).await {
            Ok(member) => Ok(Some(member)),
            Err(Error::Unauthorized) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// The hash of the caller's live session, or `None`: a face check counts only for the session
/// that started it (an SMS link opened outside WeCom has none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionTag(pub Option<String>);

impl FromRequestParts<AppState> for SessionTag {
    type Rejection = Error;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(Self(
            live_session(parts, state).await?.map(|(hash, _)| hash),
        ))
    }
}

/// Where a request comes from, for the per-address limits: the socket's peer, or, behind a
/// trusted reverse proxy (`--trusted-proxy`), the last address in `X-Forwarded-For`, the one
/// that proxy appended (everything before it is whatever the client sent). `None` when the
/// server has no socket to ask (in-process tests): all such requests share one key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub Option<IpAddr>);

impl ClientIp {
    /// The address as limits count it. An IPv6 host usually holds a whole /64, so the /64 is
    /// what one client is; an IPv4-mapped address is the IPv4 one.
    pub fn key(&self) -> String {
        match self.0 {
            None => "unknown".to_owned(),
            Some(IpAddr::V4(v4)) => v4.to_string(),
            Some(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
                Some(v4) => v4.to_string(),
                None => {
                    let s = v6.segments();
                    format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
                }
            },
        }
    }
}

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip());
        Ok(Self(client_ip(
            peer,
            &parts.headers,
            state.settings.trusted_proxy,
        )))
    }
}

fn client_ip(
    peer: Option<IpAddr>,
    headers: &axum::http::HeaderMap,
    trusted_proxy: bool,
) -> Option<IpAddr> {
    if !trusted_proxy {
        return peer;
    }
    let last_hop = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .last()
        .and_then(|hop| hop.trim().parse::<IpAddr>().ok());
    last_hop.or(peer)
}

/// `axum::Json`, but a bad body answers 400 with our error shape instead of axum's text.
#[derive(Debug, Clone, Copy, Default, FromRequest)]
#[from_request(via(axum::Json), rejection(Error))]
pub struct ApiJson<T>(pub T);

/// `axum::extract::Query`: a missing or malformed parameter answers 400 in `ErrorBody`.
#[derive(Debug, Clone, Copy, Default, FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(Error))]
pub struct ApiQuery<T>(pub T);

/// `axum::extract::Path`: a segment that does not decode (`%FF`) answers 400 in `ErrorBody`.
#[derive(Debug, Clone, Copy, Default, FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(Error))]
pub struct ApiPath<T>(pub T);

/// `axum::Form`: no form content type answers 415, a form without its fields 400, both in
/// `ErrorBody`.
#[derive(Debug, Clone, Copy, Default, FromRequest)]
#[from_request(via(axum::Form), rejection(Error))]
pub struct ApiForm<T>(pub T);

impl<T: serde::Serialize> axum::response::IntoResponse for ApiJson<T> {
    fn into_response(self) -> axum::response::Response {
        axum::Json(self.0).into_response()
    }
}

/// A photo upload's body (`POST …/photo`): not empty, at most [`MAX_PHOTO_BYTES`]. The route
/// lets one byte more through, so that this (not axum) answers 413 in our shape.
pub fn photo_body(body: Result<Bytes, BytesRejection>) -> Result<Bytes, Error> {
    let too_big = || {
        Error::too_large_field(
            "photo",
            format!(
                "照片不能超过{}MB，请重新拍摄或选择",
                MAX_PHOTO_BYTES / 1024 / 1024
            ),
        )
    };
    let bytes = body.map_err(|e| match e {
        BytesRejection::FailedToBufferBody(_) => too_big(),
        _ => Error::bad_field("photo", "照片上传失败，请重试"),
    })?;
    if bytes.len() > MAX_PHOTO_BYTES {
        return Err(too_big());
    }
    if bytes.is_empty() {
        return Err(Error::bad_field("photo", "请拍摄或选择照片"));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::{header, Request, StatusCode};
    use axum::routing::post;
    use axum::Router;
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    use super::{client_ip, ApiJson, ClientIp};

    #[derive(serde::Deserialize, serde::Serialize)]
    struct Probe {
        name: String,
    }

    async fn echo(ApiJson(p): ApiJson<Probe>) -> ApiJson<Probe> {
        ApiJson(p)
    }

    async fn send(
        body: &'static str,
        content_type: Option<&str>,
    ) -> (StatusCode, serde_json::Value) {
        let mut req = Request::post("/");
        if let Some(ct) = content_type {
            req = req.header(header::CONTENT_TYPE, ct);
        }
        let res = Router::new()
            .route("/", post(echo))
            .oneshot(req.body(Body::from(body)).unwrap())
            .await
            .unwrap();
        let status = res.status();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        (status, serde_json::from_slice(&bytes).unwrap())
    }

    #[test]
    fn ipv6_clients_count_by_their_64() {
        let key = |s: &str| ClientIp(Some(s.parse().unwrap())).key();
        assert_eq!(key("203.0.113.7"), "203.0.113.7");
        assert_eq!(key("::ffff:203.0.113.7"), "203.0.113.7");
        assert_eq!(key("2001:db8:1:2::1"), key("2001:db8:1:2:ffff::9"));
        assert_ne!(key("2001:db8:1:2::1"), key("2001:db8:1:3::1"));
        assert_eq!(ClientIp(None).key(), "unknown");
    }

    #[test]
    fn only_a_trusted_proxy_says_who_the_client_is() {
        let peer = Some("10.0.0.2".parse().unwrap());
        let mut h = axum::http::HeaderMap::new();
        h.append("x-forwarded-for", "1.2.3.4, 198.51.100.9".parse().unwrap());
        h.append("x-forwarded-for", "203.0.113.7".parse().unwrap());
        // Direct: whatever the client wrote is ignored.
        assert_eq!(client_ip(peer, &h, false), peer);
        // Behind the proxy: its own (last) hop, never the client-written ones before it.
        assert_eq!(
            client_ip(peer, &h, true),
            Some("203.0.113.7".parse().unwrap())
        );
        assert_eq!(
            client_ip(peer, &axum::http::HeaderMap::new(), true),
            peer,
            "no header: the peer"
        );
    }

    #[tokio::test]
    async fn bad_bodies_answer_400_in_our_error_shape() {
        let json = Some("application/json");
        for (body, ct, message) in [
            ("{not json", json, "请求内容不是有效的 JSON"),
            ("{\"name\": 3}", json, "请求内容缺少字段或字段类型不正确"),
            ("{}", json, "请求内容缺少字段或字段类型不正确"),
            (
                "{\"name\":\"x\"}",
                None,
                "请求需要 JSON 格式（Content-Type: application/json）",
            ),
        ] {
            let (status, v) = send(body, ct).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
            assert_eq!(v["error"]["code"], "bad_request");
            assert_eq!(v["error"]["message"], message, "{body}");
        }
        let (status, v) = send("{\"name\":\"星河\"}", json).await;
        assert_eq!((status, v["name"].as_str()), (StatusCode::OK, Some("星河")));
    }
}
