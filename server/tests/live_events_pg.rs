//! The PostgreSQL wake-ups of the live streams: `notify_event` inside a transaction reaches every
//! server process's listener at commit (and never on rollback), also through `sqlx::Any`, and a
//! listener whose connection is killed comes back and says so.
//!
//! These need the PostgreSQL server the API suite runs on (`ESIGN_TEST_POSTGRES`, set by
//! `scripts/test.sh`'s api-pg stage); without it each says it is skipped.

use std::time::Duration;

use server::events::{Live, Wake};
use server::storage::notify_event;
use sqlx::postgres::PgPoolOptions;
use tokio::sync::broadcast::Receiver;

const PATIENCE: Duration = Duration::from_secs(5);
const QUIET: Duration = Duration::from_millis(500);

/// A database on the suite's PostgreSQL server (its `postgres` database: these tests only
/// listen and notify).
fn url() -> Option<String> {
    let server = std::env::var("ESIGN_TEST_POSTGRES")
        .ok()
        .filter(|u| !u.is_empty());
    if server.is_none() {
        eprintln!("skipped: needs ESIGN_TEST_POSTGRES (scripts/test.sh sets it)");
    }
    server.map(|s| format!("{s}/postgres"))
}

/// The next wake-up within `wait`.
async fn next_any(rx: &mut Receiver<Wake>, wait: Duration) -> Option<Wake> {
    tokio::time::timeout(wait, rx.recv())
        .await
        .ok()
        .map(|w| w.unwrap())
}

/// The next wake-up for one of this test's applications (named `<test>-…`): the tests run side
/// by side on one channel, and the one that kills listeners makes the others' say `All`.
async fn next(rx: &mut Receiver<Wake>, test: &str, wait: Duration) -> Option<Wake> {
    let until = tokio::time::Instant::now() + wait;
    loop {
        let left = until.saturating_duration_since(tokio::time::Instant::now());
        match next_any(rx, left).await? {
            Wake::App(id) if id.starts_with(test) => return Some(Wake::App(id)),
            _ => continue,
        }
    }
}

fn app(id: &str) -> Wake {
    Wake::App(id.into())
}

/// Two server processes: two listeners on one database.
async fn two_instances(url: &str) -> (Live, Live) {
    (
        Live::postgres(url).await.unwrap(),
        Live::postgres(url).await.unwrap(),
    )
}

#[tokio::test]
async fn a_notification_reaches_every_instance_at_commit_and_never_on_rollback() {
    let Some(url) = url() else { return };
    let (a, b) = two_instances(&url).await;
    let (mut on_a, mut on_b) = (a.subscribe(), b.subscribe());
    let pool = PgPoolOptions::new().connect(&url).await.unwrap();

    let mut tx = pool.begin().await.unwrap();
    notify_event(&mut *tx, "instances-commit").await.unwrap();
    assert_eq!(
        next(&mut on_b, "instances", QUIET).await,
        None,
        "not before the commit"
    );
    tx.commit().await.unwrap();
    assert_eq!(
        next(&mut on_a, "instances", PATIENCE).await,
        Some(app("instances-commit"))
    );
    assert_eq!(
        next(&mut on_b, "instances", PATIENCE).await,
        Some(app("instances-commit"))
    );

    let mut tx = pool.begin().await.unwrap();
    notify_event(&mut *tx, "instances-rollback").await.unwrap();
    tx.rollback().await.unwrap();
    assert_eq!(
        next(&mut on_a, "instances", QUIET).await,
        None,
        "a rollback wakes nobody"
    );
    assert_eq!(next(&mut on_b, "instances", QUIET).await, None);

    // Outside a transaction (an append that committed on its own): at once.
    notify_event(&pool, "instances-pool").await.unwrap();
    assert_eq!(
        next(&mut on_b, "instances", PATIENCE).await,
        Some(app("instances-pool"))
    );
}

#[tokio::test]
async fn through_sqlx_any_postgres_notifies_and_sqlite_does_nothing() {
    let Some(url) = url() else { return };
    sqlx::any::install_default_drivers();
    let live = Live::postgres(&url).await.unwrap();
    let mut rx = live.subscribe();

    let pg = sqlx::AnyPool::connect(&url).await.unwrap();
    let mut tx = pg.begin().await.unwrap();
    notify_event(&mut *tx, "any-any").await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(next(&mut rx, "any", PATIENCE).await, Some(app("any-any")));
    notify_event(&pg, "any-any-pool").await.unwrap();
    assert_eq!(
        next(&mut rx, "any", PATIENCE).await,
        Some(app("any-any-pool"))
    );

    // SQLite has no pg_notify: the call must not even try.
    let sqlite = sqlx::AnyPool::connect("sqlite::memory:").await.unwrap();
    let mut tx = sqlite.begin().await.unwrap();
    notify_event(&mut *tx, "any-sqlite").await.unwrap();
    tx.commit().await.unwrap();
    notify_event(&sqlite, "any-sqlite").await.unwrap();
    assert_eq!(next(&mut rx, "any", QUIET).await, None);
}

#[tokio::test]
async fn a_listener_whose_connection_is_killed_reconnects_and_wakes_every_stream() {
    let Some(url) = url() else { return };
    let live = Live::postgres(&url).await.unwrap();
    let mut rx = live.subscribe();
    let pool = PgPoolOptions::new().connect(&url).await.unwrap();

    // As a failover or an idle-connection reaper would.
    let killed: Vec<(bool,)> = sqlx::query_as(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE query LIKE 'LISTEN %' AND pid <> pg_backend_pid()",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert!(!killed.is_empty(), "a listening connection to kill");
    // Whatever committed while it was away was not heard: every stream re-reads.
    assert_eq!(next_any(&mut rx, PATIENCE).await, Some(Wake::All));

    notify_event(&pool, "reconnect-after").await.unwrap();
    assert_eq!(
        next(&mut rx, "reconnect", PATIENCE).await,
        Some(app("reconnect-after")),
        "listening again"
    );
}
