//! `GET /auth/wecom/login` and `/auth/wecom/callback`: sign-in through WeCom OAuth. A refusal
//! is a Chinese page (4xx), never a session.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::header::LOCATION;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum_extra::extract::cookie::{Cookie, SameSite};
use axum_extra::extract::CookieJar;
use html_escape::encode_text as text;
use serde::Deserialize;

use super::error::Error;
use super::session::{self, same_origin_path};
use super::AppState;
use crate::flow::sign_in::{self, Refusal, STATE_TTL_SECS};

/// Binds a state to the browser that asked for it; read back only by the callback.
const BROWSER_COOKIE: &str = "esign_oauth";
const BROWSER_COOKIE_PATH: &str = "/auth/wecom";

#[derive(Debug, Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
}

pub async fn login(
    State(state): State<AppState>,
    jar: CookieJar,
    q: Result<Query<LoginQuery>, QueryRejection>,
) -> Result<Response, Error> {
    let next = q.as_ref().ok().and_then(|Query(q)| q.next.as_deref());
    let start = sign_in::start(&state.ctx(), same_origin_path(next)).await?;
    let cookie = Cookie::build((BROWSER_COOKIE, start.browser))
        .path(BROWSER_COOKIE_PATH)
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.settings.cookie_secure)
        .max_age(time::Duration::seconds(STATE_TTL_SECS))
        .build();
    Ok((jar.add(cookie), found(&start.location)).into_response())
}

#[derive(Debug, Deserialize)]
pub struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
}

pub async fn callback(
    State(state): State<AppState>,
    jar: CookieJar,
    q: Result<Query<CallbackQuery>, QueryRejection>,
) -> Result<Response, Error> {
    let (code, oauth_state) = match q {
        Ok(Query(CallbackQuery {
            code: Some(code),
            state: Some(s),
        })) if !code.is_empty() && !s.is_empty() => (code, s),
        // WeCom leaves `code` out when the person declined.
        _ => return Ok(refused(Refusal::BadCode)),
    };
    let browser = jar.get(BROWSER_COOKIE).map(|c| c.value().to_owned());
    let cx = state.ctx();
    let signed_in = match sign_in::finish(&cx, &code, &oauth_state, browser.as_deref()).await? {
        Ok(s) => s,
        Err(r) => return Ok(refused(r)),
    };
    let session = session::start(&state, &signed_in.member_id).await?;
    let spent = Cookie::build((BROWSER_COOKIE, ""))
        .path(BROWSER_COOKIE_PATH)
        .build();
    Ok((
        jar.add(session).remove(spent),
        found(same_origin_path(Some(&signed_in.next))),
    )
        .into_response())
}

/// 302, as WeCom's own OAuth redirects are.
fn found(location: &str) -> Response {
    (StatusCode::FOUND, [(LOCATION, location.to_owned())]).into_response()
}

fn refused(r: Refusal) -> Response {
    let (status, title, says) = match r {
        Refusal::BadState => (
            StatusCode::BAD_REQUEST,
            "登录已失效",
            "本次登录链接已使用或已过期，请从企业微信工作台重新打开“腾讯电子签”。",
        ),
        Refusal::OtherBrowser => (
            StatusCode::BAD_REQUEST,
            "登录未完成",
            "本次登录不是从当前浏览器发起的，请在企业微信中重新打开“腾讯电子签”。",
        ),
        Refusal::BadCode => (
            StatusCode::BAD_REQUEST,
            "登录凭证无效",
            "企业微信登录凭证无效或已使用，请从企业微信工作台重新打开“腾讯电子签”。",
        ),
        Refusal::NotMember => (
            StatusCode::FORBIDDEN,
            "无法登录",
            "您不是已安装“腾讯电子签”的企业的成员，请使用企业成员的企业微信账号打开。",
        ),
        Refusal::NotInstalled => (
            StatusCode::FORBIDDEN,
            "企业未安装应用",
            "您所在的企业尚未安装“腾讯电子签”，或已取消授权。请联系企业管理员在企业微信中安装后再试。",
        ),
    };
    // Styled by the short-link pages' stylesheet: a file of this site (CSP `style-src 'self'`),
    // so the refusal reads like the product, with a 48px 重新登录 button.
    let body = format!(
        "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{t}</title><link rel=\"stylesheet\" href=\"/s/style.css\"></head><body>\
         <main class=\"page\"><div class=\"icon warn\" aria-hidden=\"true\">!</div><h1>{t}</h1><p>{s}</p>\
         <a class=\"btn\" href=\"/auth/wecom/login\">重新登录</a></main></body></html>",
        t = text(title),
        s = text(says),
    );
    (status, Html(body)).into_response()
}
