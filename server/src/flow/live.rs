//! Following an application's timeline live (`GET /api/application/events`): the backlog after
//! a resume point, then each event as it is committed, woken by [`crate::events::Live`] and
//! re-read at every heartbeat in case a wake-up was lost.

use std::collections::{BTreeSet, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use tokio::sync::broadcast::{self, error::RecvError};
use tokio::time::{Instant, Interval, MissedTickBehavior};

use super::access::{applicant_as_of, ADMIN_STATUS_MAX_AGE_SECS};
use super::{Ctx, Result};
use crate::events::Wake;
use crate::storage::{Db, MemberRow};

/// What a stream sends: `Ready` first (its id is where a reconnect resumes), then one
/// `Timeline` per event, oldest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    Ready { id: i64 },
    Timeline { id: i64, kind: String },
}

/// The applicant's own application, followed from `resume` (a `Last-Event-ID`) or from now.
/// Same access rule as `GET /api/application`.
pub async fn follow(
    cx: &Ctx<'_>,
    member: MemberRow,
    resume: Option<i64>,
    heartbeat: Duration,
) -> Result<Feed> {
    let a = applicant_as_of(cx, member, ADMIN_STATUS_MAX_AGE_SECS).await?;
    // Subscribed before the first read: whatever commits after that read wakes this stream.
    let wake = cx.db.live().subscribe();
    // A resume point past the newest event names no event of this application (a stale or
    // made-up id): the stream starts from the newest, so every id it sends is a real one.
    let newest = cx.db.last_event_id(&a.app.id).await?;
    let (floor, backlog) = match resume {
        Some(after) if after < newest => (after, cx.db.events_after(&a.app.id, after).await?),
        _ => (newest, Vec::new()),
    };
    let mut tick = tokio::time::interval_at(Instant::now() + heartbeat, heartbeat);
    tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
    Ok(Feed {
        db: cx.db.clone(),
        app_id: a.app.id,
        floor,
        ready: true,
        queue: backlog.into(),
        sent: BTreeSet::new(),
        wake,
        closed: Box::pin(cx.db.live().closed()),
        tick,
    })
}

/// One stream's cursor over its application's timeline.
pub struct Feed {
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
    pub fn into_stream(self) -> impl futures_util::Stream<Item = Notice> {
        futures_util::stream::unfold(self, |mut feed| async move {
            let notice = feed.next().await?;
            Some((notice, feed))
        })
    }

    /// The next message; `None` ends the stream (the browser then reconnects and resumes).
    async fn next(&mut self) -> Option<Notice> {
        if std::mem::take(&mut self.ready) {
            return Some(Notice::Ready { id: self.floor });
        }
        loop {
            while let Some((id, kind)) = self.queue.pop_front() {
                if self.sent.insert(id) {
                    return Some(Notice::Timeline { id, kind });
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
