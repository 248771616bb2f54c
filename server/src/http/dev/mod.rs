//! Local mode only (`local-mode.md`): demo sign-in, the outbox, and reset. Not mounted when
//! real providers are configured, so these paths answer 404 there.

use api::wire::ErrorBody;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Json;
use axum_extra::extract::CookieJar;
use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

mod face_sim;

use crate::demo;
use crate::http::error::Error;
use crate::http::extract::ApiQuery;
use crate::http::session;
use crate::http::AppState;
use crate::storage::{CorpRow, MemberRow, OutboxMessage};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(login))
        .routes(routes!(outbox_page))
        .routes(routes!(outbox_json))
        .routes(routes!(reset))
        .routes(routes!(clock))
        .merge(face_sim::router())
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ClockQuery {
    /// Seconds to move the server's clock forward (1 to 30 days' worth).
    #[param(minimum = 1, maximum = 2_592_000)]
    advance: i64,
}

/// Moves the server's clock forward, to see links, codes and limits expire without waiting.
/// `/dev/reset` returns it to real time.
#[utoipa::path(post, path = "/dev/clock", tag = "dev", params(ClockQuery),
    responses(
        (status = 200, description = "The server's time now, Unix seconds", body = i64),
        (status = 400, description = "`advance` missing, not a number, or not a forward move of at most 30 days", body = ErrorBody),
        (status = 409, description = "This server's clock cannot move", body = ErrorBody),
    ))]
pub async fn clock(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<ClockQuery>,
) -> Result<Json<i64>, Error> {
    if !(1..=30 * 86_400).contains(&q.advance) {
        return Err(Error::bad_field("advance", "只能向后调整1秒至30天"));
    }
    if !state.clock.dev_advance(q.advance) {
        return Err(Error::Conflict("该服务器的时钟不能调整".to_owned()));
    }
    Ok(Json(state.clock.now()))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct LoginQuery {
    /// A demo person's user id; without it the page lists everyone.
    user: Option<String>,
    /// Where to go after signing in; a path on this server. Default `/`.
    next: Option<String>,
}

/// Demo sign-in: lists the demo people, or signs in as one and redirects.
#[utoipa::path(get, path = "/dev/login", tag = "dev", params(LoginQuery),
    responses(
        (status = 200, description = "HTML list of the demo people", content_type = "text/html"),
        (status = 303, description = "Signed in: session cookie set, redirect to `next` (a path on this server, else `/`)"),
        (status = 400, description = "A malformed query string", body = ErrorBody),
        (status = 404, description = "No such demo person", content_type = "text/html"),
    ))]
pub async fn login(
    State(state): State<AppState>,
    jar: CookieJar,
    ApiQuery(q): ApiQuery<LoginQuery>,
) -> Result<Response, Error> {
    let Some(user) = q.user.as_deref() else {
        return Ok(Html(login_list()).into_response());
    };
    let Some(person) = demo::person_by_id(user) else {
        let body = format!(
            "<h1>未找到该演示用户</h1><p>没有用户 ID 为 <code>{}</code> 的演示用户。</p>\
             <p><a href=\"/dev/login\">返回演示用户列表</a></p>",
            text(user)
        );
        return Ok((StatusCode::NOT_FOUND, Html(page("未找到该演示用户", &body))).into_response());
    };
    let member = match person.corp.and_then(demo::corp) {
        Some(corp) => {
            state
                .db
                .upsert_corp(&CorpRow {
                    id: corp.id.to_owned(),
                    name: corp.name.to_owned(),
                    auth_mode: corp.auth_mode,
                })
                .await?;
            let admins = state.providers.wecom.admins(corp.id).await?;
            MemberRow {
                id: person.id.to_owned(),
                corp_id: Some(corp.id.to_owned()),
                name: person.name.to_owned(),
                is_wecom_admin: admins.contains(person.id),
                is_staff: false,
                // Sign-in just asked WeCom.
                admin_checked_at: Some(state.clock.now()),
            }
        }
        None => MemberRow {
            id: person.id.to_owned(),
            corp_id: None,
            name: person.name.to_owned(),
            is_wecom_admin: false,
            is_staff: true,
            admin_checked_at: None,
        },
    };
    state.db.upsert_member(&member).await?;
    let cookie = session::start(&state, &member.id).await?;
    Ok((
        jar.add(cookie),
        Redirect::to(session::same_origin_path(q.next.as_deref())),
    )
        .into_response())
}

/// Every SMS and WeCom message the local providers "sent", newest first (HTML).
#[utoipa::path(get, path = "/dev/outbox", tag = "dev",
    responses((status = 200, description = "HTML outbox, newest first", content_type = "text/html")))]
pub async fn outbox_page(State(state): State<AppState>) -> Result<Html<String>, Error> {
    let messages = state.db.outbox().await?;
    Ok(Html(outbox_html(&messages)))
}

/// The outbox as JSON, newest first:
/// `[{"id", "channel": "sms"|"wecom", "to", "text", "link", "sent_at"}]`.
#[utoipa::path(get, path = "/dev/outbox.json", tag = "dev",
    responses((status = 200, description = "Outbox messages, newest first", content_type = "application/json")))]
pub async fn outbox_json(State(state): State<AppState>) -> Result<Json<Vec<OutboxMessage>>, Error> {
    Ok(Json(state.db.outbox().await?))
}

/// Restores the demo data to its starting state.
#[utoipa::path(post, path = "/dev/reset", tag = "dev",
    responses(
        (status = 204, description = "Demo data restored"),
        (status = 500, description = "Storage failure", body = ErrorBody),
    ))]
pub async fn reset(State(state): State<AppState>) -> Result<StatusCode, Error> {
    state.db.clear_activity().await?;
    state.clock.dev_reset();
    tracing::info!("demo data reset");
    Ok(StatusCode::NO_CONTENT)
}

pub(super) fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} · 本地演示</title><style>{DEV_CSS}</style></head><body>\
         <main><p class=\"local\">本地演示模式 · 仅供开发与测试</p>{body}</main></body></html>",
        title = text(title),
    )
}

/// The inline script and styles of the /dev pages, allowed by hash in local mode's CSP.
pub(super) const INLINE_SCRIPTS: &[&str] = &[face_sim::CAMERA_SCRIPT];
pub(super) const INLINE_STYLES: &[&str] = &[DEV_CSS, face_sim::FACE_CSS];

const DEV_CSS: &str =
    "body{font:15px/1.6 system-ui,-apple-system,'PingFang SC','Noto Sans CJK SC',sans-serif;\
margin:0 auto;max-width:720px;padding:16px;background:#ededed;color:rgba(0,0,0,.9)}\
h1{font-size:20px}h2{font-size:14px;color:rgba(0,0,0,.55);margin:20px 0 6px}\
a{color:#576b95;display:inline-flex;align-items:center;min-height:44px;min-width:44px}\
.local{background:#fff3e0;color:#8f4d05;padding:6px 10px;border-radius:6px;font-size:13px}\
ul{list-style:none;padding:0;margin:0;background:#fff;border-radius:8px}\
li{padding:12px 16px;border-bottom:1px solid rgba(0,0,0,.08)}li:last-child{border:0}\
.who{display:flex;justify-content:space-between;gap:8px;align-items:center}\
.meta{color:rgba(0,0,0,.55);font-size:13px}.tag{font-size:12px;border-radius:4px;padding:0 6px;\
background:#e7f8ef;color:#05733c}.tag.sms{background:#eef1f8;color:#576b95}\
.text{white-space:pre-wrap;word-break:break-all;margin:4px 0}code{word-break:break-all}";

fn login_list() -> String {
    let mut body = String::from("<h1>选择演示用户登录</h1>");
    let groups = demo::CORPS
        .iter()
        .map(|c| (Some(c.id), c.name))
        .chain(std::iter::once((None, "电子签工作人员")));
    for (corp, title) in groups {
        body.push_str(&format!("<h2>{}</h2><ul>", text(title)));
        for p in demo::PEOPLE.iter().filter(|p| p.corp == corp) {
            body.push_str(&format!(
                "<li class=\"who\"><span><a href=\"/dev/login?user={id}\">{name}</a> \
                 <span class=\"meta\">{role}</span></span><code class=\"meta\">{id}</code></li>",
                id = attr(p.id),
                name = text(p.name),
                role = text(demo::role_in_story(p.id)),
            ));
        }
        body.push_str("</ul>");
    }
    body.push_str("<p><a href=\"/dev/outbox\">查看发件箱（短信与企业微信消息）</a></p>");
    page("演示用户", &body)
}

fn outbox_html(messages: &[OutboxMessage]) -> String {
    let mut body = format!(
        "<h1>发件箱</h1><p class=\"meta\">本地短信与企业微信消息，最新在前，共 {} 条。\
         <a href=\"/dev/outbox\">刷新</a> · <a href=\"/dev/outbox.json\">JSON</a> · \
         <a href=\"/dev/login\">演示用户</a></p>",
        messages.len()
    );
    if messages.is_empty() {
        body.push_str("<ul><li class=\"meta\">暂无消息</li></ul>");
        return page("发件箱", &body);
    }
    body.push_str("<ul>");
    for m in messages {
        let (tag, class) = match m.channel {
            crate::storage::Channel::Sms => ("短信", "tag sms"),
            crate::storage::Channel::Wecom => ("企业微信", "tag"),
        };
        let when = chrono::DateTime::from_timestamp(m.sent_at, 0)
            .map(|t| t.with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8")))
            .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
            .unwrap_or_default();
        let link = m
            .link
            .as_deref()
            .map(|l| format!("<div>链接：<a href=\"{}\">{}</a></div>", attr(l), text(l)))
            .unwrap_or_default();
        body.push_str(&format!(
            "<li><div class=\"who\"><span><span class=\"{class}\">{tag}</span> 发给 <code>{to}</code></span>\
             <span class=\"meta\">#{id} · {when}</span></div><div class=\"text\">{msg}</div>{link}</li>",
            to = text(&m.to),
            id = m.id,
            msg = text(&m.text),
        ));
    }
    body.push_str("</ul>");
    page("发件箱", &body)
}
