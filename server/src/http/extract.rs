//! Extractors: the signed-in member, and JSON bodies whose rejections speak our error type.

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

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let jar = CookieJar::from_headers(&parts.headers);
        let token = jar.get(SESSION_COOKIE).map(|c| c.value().to_owned()).ok_or(Error::Unauthorized)?;
        state
            .db
            .session_member(&token, state.clock.now())
            .await?
            .map(CurrentMember)
            .ok_or(Error::Unauthorized)
    }
}

/// `axum::Json`, but a bad body answers 400 with our error shape instead of axum's text.
#[derive(Debug, Clone, Copy, Default, FromRequest)]
#[from_request(via(axum::Json), rejection(Error))]
pub struct ApiJson<T>(pub T);

impl<T: serde::Serialize> axum::response::IntoResponse for ApiJson<T> {
    fn into_response(self) -> axum::response::Response {
        axum::Json(self.0).into_response()
    }
}
