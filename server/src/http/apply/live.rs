//! `GET /api/application/events`: the waiting pages' live update, as server-sent events fed by
//! the timeline. Each message only says that something happened; the page then asks
//! `GET /api/application`, so that the stream carries no personal data and one code path builds
//! the view.

use std::convert::Infallible;
use std::time::Duration;

use api::wire::{ErrorBody, LiveMessage, LiveNotice, READY_EVENT, TIMELINE_EVENT};
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;

use crate::flow;
use crate::flow::live::Notice;
use crate::http::error::Error;
use crate::http::extract::CurrentMember;
use crate::http::AppState;

/// How long the browser waits before it reconnects a dropped stream.
const RECONNECT: Duration = Duration::from_secs(3);

/// The application's timeline events as they are appended: a `ready` message first (its `id:` is
/// where a reconnect resumes), then one `timeline` message per event, and a comment every
/// heartbeat. With `Last-Event-ID` (a reconnect), every event after that id comes first;
/// without it, the stream starts now.
#[utoipa::path(get, path = "/api/application/events", tag = "apply",
    params(
        ("Last-Event-ID" = Option<i64>, Header,
            description = "The `id:` of the last message received: every later event is sent first"),
    ),
    responses(
        (status = 200, description = "An endless `text/event-stream`: `event: ready`, then \
            `event: timeline` messages; each message's `data:` is a `LiveNotice` as JSON",
            body = LiveMessage, content_type = "text/event-stream"),
        (status = 400, description = "A `Last-Event-ID` that is not an event id", body = ErrorBody),
        (status = 401, description = "No session", body = ErrorBody),
        (status = 403, description = "Not an admin, or another admin's application", body = ErrorBody),
        (status = 404, description = "No application in progress", body = ErrorBody),
    ))]
pub async fn application_events(
    State(state): State<AppState>,
    CurrentMember(member): CurrentMember,
    headers: HeaderMap,
) -> Result<Response, Error> {
    let resume = last_event_id(&headers)?;
    let every = state.settings.event_heartbeat;
    let feed = flow::live::follow(&state.ctx(), member, resume, every).await?;
    let stream = feed.into_stream().map(|notice| {
        Ok::<_, Infallible>(match notice {
            Notice::Ready { id } => message(READY_EVENT, id, None).retry(RECONNECT),
            Notice::Timeline { id, kind } => message(TIMELINE_EVENT, id, Some(kind)),
        })
    });
    let sse = Sse::new(stream).keep_alive(KeepAlive::new().interval(every));
    Ok((
        [
            (header::CACHE_CONTROL, "no-cache"),
            // nginx (and proxies that copy it) pass the stream on unbuffered.
            (header::HeaderName::from_static("x-accel-buffering"), "no"),
        ],
        sse,
    )
        .into_response())
}

fn last_event_id(headers: &HeaderMap) -> Result<Option<i64>, Error> {
    let Some(value) = headers.get("last-event-id") else {
        return Ok(None);
    };
    value
        .to_str()
        .ok()
        .and_then(|v| v.trim().parse::<i64>().ok())
        .filter(|id| *id >= 0)
        .map(Some)
        .ok_or_else(|| Error::BadRequest {
            message: "Last-Event-ID 不是有效的事件编号".to_owned(),
            field: None,
        })
}

fn message(name: &str, id: i64, kind: Option<String>) -> Event {
    let data = serde_json::to_string(&LiveNotice { id, kind }).unwrap_or_default();
    Event::default().event(name).id(id.to_string()).data(data)
}
