//! `/s/<code>` and `/s`: the entry points of the SMS short codes (real-mode.md). Server-written
//! pages, in the app's WeUI look, because the person arrives from an SMS with no app loaded
//! and often no session. Every answer is `no-store`: the code is in the address or the form.

use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, LOCATION, RETRY_AFTER};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Router};
use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};
use serde::Deserialize;

use super::extract::ClientIp;
use super::AppState;
use crate::flow::short_codes::{self, Opened};
use crate::flow::Error as FlowError;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/s", get(form).post(submit))
        .route("/s/{code}", get(follow))
        .route(STYLE_PATH, get(style))
}

/// The pages' stylesheet: a file of this site, which the CSP's `style-src 'self'` allows in
/// every mode (no codes are ever `style.css`: they are letters and digits).
pub const STYLE_PATH: &str = "/s/style.css";

pub async fn style() -> Response {
    let mut res = STYLE.into_response();
    let h = res.headers_mut();
    h.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/css; charset=utf-8"),
    );
    h.insert(
        CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    res
}

pub const STYLE: &str = "body{margin:0;background:#ededed;color:rgba(0,0,0,.9);\
font:17px/1.5 system-ui,-apple-system,'PingFang SC','Noto Sans CJK SC',sans-serif}\
.page{max-width:480px;margin:0 auto;padding:48px 16px}\
.icon{width:64px;height:64px;margin:0 auto 20px;border-radius:50%;display:flex;\
align-items:center;justify-content:center;font-size:32px;color:#fff;background:#06864a}\
.icon.warn{background:#c96a00}h1{font-size:22px;font-weight:500;text-align:center;margin:0 0 12px}\
p{color:rgba(0,0,0,.55);font-size:15px;text-align:center;margin:0 0 24px}\
form{background:#fff;border-radius:8px;padding:16px}label{display:block;font-size:14px;\
color:rgba(0,0,0,.55);margin-bottom:8px}input{box-sizing:border-box;width:100%;height:48px;\
font:inherit;letter-spacing:2px;padding:0 12px;border:1px solid rgba(0,0,0,.45);border-radius:8px}\
.err{color:#c42b2b;font-size:14px;text-align:left;margin:8px 0 0}\
button,.btn{display:block;box-sizing:border-box;width:100%;height:48px;margin-top:16px;border:0;\
border-radius:8px;background:#06864a;color:#fff;font:inherit;font-weight:500;text-align:center;\
line-height:48px;text-decoration:none}";

fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} · 腾讯电子签</title><link rel=\"stylesheet\" href=\"{STYLE_PATH}\"></head><body>\
         <main class=\"page\">{body}</main></body></html>",
        title = text(title),
    );
    let mut res = (status, Html(html)).into_response();
    res.headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// The code form. A refused code comes back in the field, with `error` under it.
fn form_page(status: StatusCode, error: Option<&str>, typed: &str) -> Response {
    let (invalid, error) = match error {
        Some(e) => (
            " aria-invalid=\"true\" aria-describedby=\"code-error\"",
            format!(
                "<p class=\"err\" id=\"code-error\" role=\"alert\">{}</p>",
                text(e)
            ),
        ),
        None => ("", String::new()),
    };
    let body = format!(
        "<h1>输入授权码</h1><p>请输入短信中的授权码，打开对应的页面</p>\
         <form method=\"post\" action=\"/s\"><label for=\"code\">授权码</label>\
         <input id=\"code\" name=\"code\" value=\"{value}\" autocomplete=\"one-time-code\" \
         autocapitalize=\"off\" autocorrect=\"off\" spellcheck=\"false\" maxlength=\"32\" \
         required{invalid}>{error}<button type=\"submit\">确定</button></form>",
        value = attr(typed),
    );
    page(status, "输入授权码", &body)
}

fn notice(status: StatusCode, title: &str, message: &str) -> Response {
    let body = format!(
        "<div class=\"icon warn\" aria-hidden=\"true\">!</div><h1>{}</h1><p>{}</p>\
         <a class=\"btn\" href=\"/s\">重新输入授权码</a>",
        text(title),
        text(message)
    );
    page(status, title, &body)
}

const UNKNOWN: &str = "未找到该授权码对应的页面，请核对短信中的链接或授权码是否完整";

/// The same page for every code that opens nothing: no answer tells one wrong code from
/// another.
fn unknown() -> Response {
    notice(StatusCode::NOT_FOUND, "授权码无效", UNKNOWN)
}

/// How a code came: followed from an SMS (302 on success), or typed into the form (303; a
/// wrong one comes back in the form, at the field).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Came {
    Followed,
    Typed,
}

async fn answer(state: &AppState, ip: &ClientIp, code: &str, came: Came) -> Response {
    let redirect = match came {
        Came::Followed => StatusCode::FOUND,
        Came::Typed => StatusCode::SEE_OTHER,
    };
    match short_codes::open(&state.ctx(), &ip.key(), code).await {
        Ok(Opened::To(path)) => {
            let mut res = redirect.into_response();
            let h = res.headers_mut();
            if let Ok(v) = HeaderValue::from_str(&path) {
                h.insert(LOCATION, v);
            }
            h.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
            res
        }
        Ok(Opened::Unknown) if came == Came::Typed => {
            form_page(StatusCode::NOT_FOUND, Some(UNKNOWN), code.trim())
        }
        Ok(Opened::Unknown) => unknown(),
        Ok(Opened::Gone(why)) => notice(StatusCode::GONE, "链接已失效", &why),
        Err(FlowError::RateLimited {
            message,
            retry_after_secs,
        }) => {
            let mut res = notice(StatusCode::TOO_MANY_REQUESTS, "请稍后再试", &message);
            res.headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(retry_after_secs));
            res
        }
        Err(e) => {
            // Storage down and the like: the boundary's own 5xx answer (and its log).
            super::error::Error::from(e).into_response()
        }
    }
}

/// `GET /s`: the form for a code typed from an SMS.
pub async fn form() -> Response {
    form_page(StatusCode::OK, None, "")
}

#[derive(Debug, Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
}

/// `POST /s`: the typed code.
pub async fn submit(
    State(state): State<AppState>,
    ip: ClientIp,
    form: Result<Form<CodeForm>, FormRejection>,
) -> Response {
    let code = form.map(|Form(f)| f.code).unwrap_or_default();
    if code.trim().is_empty() {
        return form_page(StatusCode::BAD_REQUEST, Some("请输入授权码"), "");
    }
    answer(&state, &ip, &code, Came::Typed).await
}

/// `GET /s/<code>`: the link in an SMS.
pub async fn follow(
    State(state): State<AppState>,
    ip: ClientIp,
    code: Result<Path<String>, axum::extract::rejection::PathRejection>,
) -> Response {
    match code {
        Ok(Path(code)) => answer(&state, &ip, &code, Came::Followed).await,
        Err(_) => unknown(),
    }
}
