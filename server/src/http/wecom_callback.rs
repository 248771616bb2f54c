//! `GET` and `POST /wecom/callback`: WeCom's 指令回调. Called by WeCom's servers, never by a
//! browser, so the answers are plain text: the decrypted echostr, `success`, or a short
//! refusal (400/403) that stores nothing.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::AppState;
use crate::flow::wecom_install::{self, CallbackError, Signed};
use crate::providers::ProviderError;

#[derive(Debug, Deserialize)]
pub struct CallbackQuery {
    msg_signature: Option<String>,
    timestamp: Option<String>,
    nonce: Option<String>,
    echostr: Option<String>,
}

impl CallbackQuery {
    fn signed(&self) -> Option<Signed<'_>> {
        Some(Signed {
            msg_signature: self.msg_signature.as_deref()?,
            timestamp: self.timestamp.as_deref()?,
            nonce: self.nonce.as_deref()?,
        })
    }
}

/// A callback body is a few hundred bytes; anything far larger is not WeCom's.
const MAX_BODY: usize = 64 * 1024;

pub async fn verify_url(
    State(state): State<AppState>,
    q: Result<Query<CallbackQuery>, QueryRejection>,
) -> Response {
    let Ok(Query(q)) = q else {
        return refuse(StatusCode::BAD_REQUEST, "bad query");
    };
    let (Some(signed), Some(echostr)) = (q.signed(), q.echostr.as_deref()) else {
        return refuse(
            StatusCode::BAD_REQUEST,
            "missing msg_signature, timestamp, nonce or echostr",
        );
    };
    match wecom_install::verify_url(&state.ctx(), &signed, echostr) {
        Ok(plain) => plain.into_response(),
        Err(e) => refusal(e),
    }
}

pub async fn receive(
    State(state): State<AppState>,
    q: Result<Query<CallbackQuery>, QueryRejection>,
    body: axum::body::Bytes,
) -> Response {
    let Ok(Query(q)) = q else {
        return refuse(StatusCode::BAD_REQUEST, "bad query");
    };
    let Some(signed) = q.signed() else {
        return refuse(
            StatusCode::BAD_REQUEST,
            "missing msg_signature, timestamp or nonce",
        );
    };
    if body.len() > MAX_BODY {
        return refuse(StatusCode::PAYLOAD_TOO_LARGE, "body too large");
    }
    let Ok(body) = std::str::from_utf8(&body) else {
        return refuse(StatusCode::BAD_REQUEST, "body is not UTF-8");
    };
    match wecom_install::receive(&state.ctx(), &signed, body).await {
        Ok(_) => "success".into_response(),
        Err(e) => refusal(e),
    }
}

fn refusal(e: CallbackError) -> Response {
    match e {
        CallbackError::NoSuite => refuse(StatusCode::NOT_FOUND, "not found"),
        CallbackError::Signature => {
            tracing::warn!("WeCom callback: bad signature");
            refuse(StatusCode::FORBIDDEN, "bad signature")
        }
        CallbackError::Undecryptable => {
            tracing::warn!("WeCom callback: body does not decrypt");
            refuse(StatusCode::BAD_REQUEST, "cannot decrypt")
        }
        CallbackError::Malformed(why) => refuse(StatusCode::BAD_REQUEST, why),
        // Genuine, but not handled now: WeCom retries a push that did not answer `success`.
        CallbackError::Provider(
            e @ (ProviderError::Unavailable { .. }
            | ProviderError::RateLimited { .. }
            | ProviderError::Storage(_)),
        ) => {
            tracing::warn!(error = %e, "WeCom callback: could not act on a push now");
            refuse(StatusCode::SERVICE_UNAVAILABLE, "try again")
        }
        // WeCom refused what the push asked for (an AuthCode spent already: a replay).
        CallbackError::Provider(e) => {
            tracing::warn!(error = %e, "WeCom callback: WeCom refused acting on a push");
            refuse(StatusCode::BAD_REQUEST, "refused")
        }
    }
}

fn refuse(status: StatusCode, text: &'static str) -> Response {
    (status, text).into_response()
}
