//! Extractors: the signed-in member, and bodies, query strings and path segments whose
//! rejections speak our error type (axum's own answer in plain text).

use axum::extract::{FromRequest, FromRequestParts};
use axum::http::request::Parts;
use axum_extra::extract::CookieJar;

use super::error::Error;
use super::AppState;
use crate::storage::MemberRow;

pub const SESSION_COOKIE: &str = "esign_sid";

/// The member behind the session cookie; 401 without a live session.
#[derive(Debug, Clone)]
pub struct CurrentMember(pub MemberRow);

impl FromRequestParts<AppState> for CurrentMember {
    type Rejection = Error;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let jar = CookieJar::from_headers(&parts.headers);
        let token = jar
            .get(SESSION_COOKIE)
            .map(|c| c.value().to_owned())
            .ok_or(Error::Unauthorized)?;
        state
            .db
            .session_member(&token, state.clock.now())
            .await?
            .map(CurrentMember)
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

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::{header, Request, StatusCode};
    use axum::routing::post;
    use axum::Router;
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    use super::ApiJson;

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
