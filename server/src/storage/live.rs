//! The timeline as the live streams read it, and the wake-up that every append sends once it
//! is committed (see [`crate::events`]).

use futures_util::future::BoxFuture;
use sqlx::postgres::{PgConnection, PgPool};
use sqlx::{AnyConnection, AnyPool};

use super::{Db, Result, Tx};
use crate::events::{Live, CHANNEL};

impl Db {
    /// This process's wake-up source.
    pub fn live(&self) -> &Live {
        &self.live
    }

    /// The same database with another wake-up source: [`Live::postgres`] on PostgreSQL.
    pub fn with_live(mut self, live: Live) -> Self {
        self.live = live;
        self
    }

    /// The newest event id of the application, 0 when it has none: where a stream that starts
    /// "now" begins.
    pub async fn last_event_id(&self, app_id: &str) -> Result<i64> {
        let (id,): (i64,) =
            sqlx::query_as("SELECT COALESCE(MAX(id), 0) FROM events WHERE application_id = $1")
                .bind(app_id)
                .fetch_one(self.pool())
                .await?;
        Ok(id)
    }

    /// The application's events after `after`, oldest first: (id, kind). Kinds are names, not
    /// personal data.
    pub async fn events_after(&self, app_id: &str, after: i64) -> Result<Vec<(i64, String)>> {
        Ok(sqlx::query_as(
            "SELECT id, kind FROM events WHERE application_id = $1 AND id > $2 ORDER BY id",
        )
        .bind(app_id)
        .bind(after)
        .fetch_all(self.pool())
        .await?)
    }

    /// Commits a transaction that appended an event of `app_id`, and wakes the streams: on
    /// PostgreSQL through the notification queued inside it, here once the rows are visible.
    pub(super) async fn commit_event(&self, mut tx: Tx, app_id: &str) -> Result<()> {
        notify_event(&mut *tx, app_id).await?;
        tx.commit().await?;
        self.live.publish(app_id);
        Ok(())
    }

    /// The same for an event appended outside a transaction. It is committed already, so a
    /// failed notification is no failure of the append: the other instances' streams find the
    /// event at their next heartbeat.
    pub(super) async fn announce_event(&self, app_id: &str) {
        if let Err(e) = notify_event(self.pool(), app_id).await {
            tracing::warn!(error = %e, "could not notify the other instances of an event");
        }
        self.live.publish(app_id);
    }
}

/// Queues the PostgreSQL notification that wakes the streams of every server process: inside
/// the appending transaction, PostgreSQL delivers it at commit, and drops it on rollback.
/// Nothing on SQLite (one process: [`crate::events::Live::publish`] after the commit does it).
pub async fn notify_event<'a>(conn: impl Notify<'a>, app_id: &'a str) -> Result<()> {
    conn.notify(app_id).await
}

/// What [`notify_event`] runs on: a PostgreSQL or `Any` connection, or pool.
pub trait Notify<'a> {
    fn notify(self, app_id: &'a str) -> BoxFuture<'a, Result<()>>;
}

const NOTIFY: &str = "SELECT pg_notify($1, $2)";

/// The notification on a PostgreSQL connection or pool.
async fn pg_notify<'e>(on: impl sqlx::PgExecutor<'e>, app_id: &str) -> Result<()> {
    sqlx::query(NOTIFY)
        .bind(CHANNEL)
        .bind(app_id)
        .execute(on)
        .await?;
    Ok(())
}

impl<'a> Notify<'a> for &'a mut PgConnection {
    fn notify(self, app_id: &'a str) -> BoxFuture<'a, Result<()>> {
        Box::pin(pg_notify(self, app_id))
    }
}

impl<'a> Notify<'a> for &'a PgPool {
    fn notify(self, app_id: &'a str) -> BoxFuture<'a, Result<()>> {
        Box::pin(pg_notify(self, app_id))
    }
}

impl<'a> Notify<'a> for &'a mut AnyConnection {
    fn notify(self, app_id: &'a str) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            if self.backend_name() == <sqlx::Postgres as sqlx::Database>::NAME {
                sqlx::query(NOTIFY)
                    .bind(CHANNEL)
                    .bind(app_id)
                    .execute(self)
                    .await?;
            }
            Ok(())
        })
    }
}

impl<'a> Notify<'a> for &'a AnyPool {
    fn notify(self, app_id: &'a str) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            let mut conn = self.acquire().await?;
            notify_event(&mut *conn, app_id).await
        })
    }
}
