//! `GET /api/application/events`: the waiting pages' live update, as server-sent events fed by
//! the timeline. Each message only says that something happened; the page then asks
//! `GET /api/application`, so that the stream carries no personal data and one code path builds
//! the view.

use std::collections::{BTreeSet, VecDeque};
use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use api::wire::{ErrorBody, LiveNotice, READY_EVENT, TIMELINE_EVENT};
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::Stream;
use tokio::sync::broadcast::{self, error::RecvError};
use tokio::time::{Instant, Interval, MissedTickBehavior};

use super::applicant_as_of;
use crate::events::Wake;
use crate::http::entry::ADMIN_STATUS_MAX_AGE_SECS;
use crate::http::error::Error;
use crate::http::extract::CurrentMember;
use crate::http::AppState;
use crate::storage::Db;

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
            `event: timeline` messages, whose `data:` is this JSON", body = LiveNotice,
            content_type = "text/event-stream"),
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
    let a = applicant_as_of(&state, member, ADMIN_STATUS_MAX_AGE_SECS).await?;
    // Subscribed before the first read: whatever commits after that read wakes this stream.
    let wake = state.db.live().subscribe();
    let (floor, backlog) = match resume {
        Some(after) => (after, state.db.events_after(&a.app.id, after).await?),
        None => (state.db.last_event_id(&a.app.id).await?, Vec::new()),
    };
    let every = state.settings.event_heartbeat;
    let mut tick = tokio::time::interval_at(Instant::now() + every, every);
    tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let feed = Feed {
        db: state.db.clone(),
        app_id: a.app.id,
        floor,
        ready: true,
        queue: backlog.into(),
        sent: BTreeSet::new(),
        wake,
        closed: Box::pin(state.db.live().closed()),
        tick,
    };
    let sse = Sse::new(feed.into_stream()).keep_alive(KeepAlive::new().interval(every));
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

/// One stream's cursor over its application's timeline.
struct Feed {
    db: Db,
    app_id: String,
    /// Events after this id are this stream's to send.
    floor: i64,
    ready: bool,
    queue: VecDeque<(i64, String)>,
    /// Ids sent so far. Every read takes all events after `floor` and skips these, because on
    /// PostgreSQL ids are drawn before commit: a transaction can commit a smaller id after a
    /// larger one was read, and "after the last id sent" would lose it. An application's
    /// timeline is short, so the set and the reads stay small.
    sent: BTreeSet<i64>,
    wake: broadcast::Receiver<Wake>,
    closed: Pin<Box<dyn Future<Output = ()> + Send>>,
    /// Re-reads at each heartbeat too, in case a wake-up was lost.
    tick: Interval,
}

impl Feed {
    fn into_stream(self) -> impl Stream<Item = Result<Event, Infallible>> {
        futures_util::stream::unfold(self, |mut feed| async move {
            let event = feed.next().await?;
            Some((Ok(event), feed))
        })
    }

    /// The next message; `None` ends the stream (the browser then reconnects and resumes).
    async fn next(&mut self) -> Option<Event> {
        if std::mem::take(&mut self.ready) {
            return Some(message(READY_EVENT, self.floor, None).retry(RECONNECT));
        }
        loop {
            while let Some((id, kind)) = self.queue.pop_front() {
                if self.sent.insert(id) {
                    return Some(message(TIMELINE_EVENT, id, Some(kind)));
                }
            }
            tokio::select! {
                wake = self.wake.recv() => match wake {
                    Ok(w) if !w.concerns(&self.app_id) => continue,
                    // Lagged: some wake-ups were dropped, one of them may have been ours.
                    Ok(_) | Err(RecvError::Lagged(_)) => {}
                    Err(RecvError::Closed) => return None,
                },
                _ = self.tick.tick() => {}
                () = &mut self.closed => return None,
            }
            match self.db.events_after(&self.app_id, self.floor).await {
                Ok(rows) => self.queue.extend(rows),
                Err(e) => {
                    // The browser reconnects and resumes; while the database is away the reconnect is
                    // refused, and the page falls back to polling.
                    tracing::warn!(error = %e, "event stream cannot read the timeline; ending it");
                    return None;
                }
            }
        }
    }
}

fn message(name: &str, id: i64, kind: Option<String>) -> Event {
    let data = serde_json::to_string(&LiveNotice { id, kind }).unwrap_or_default();
    Event::default().event(name).id(id.to_string()).data(data)
}
