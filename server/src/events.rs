//! Wake-ups for the live event streams (`GET /api/application/events`).
//!
//! A wake-up only says "application X may have new timeline events": every stream re-reads the
//! `events` table after its own last id when woken, and on every heartbeat. So a spurious, early,
//! duplicated or lost wake-up costs at most a query or a heartbeat's delay, never a wrong answer.
//!
//! - SQLite (one server process): the storage functions publish into an in-process broadcast
//!   once the transaction that appended the event has committed.
//! - PostgreSQL (any number of processes): the append also runs `pg_notify` inside its
//!   transaction (PostgreSQL delivers it at commit, and not at all on rollback), and one
//!   [`PgListener`] per process fans the notifications out into the same broadcast. The local
//!   publish after commit happens too: this process's own streams need not wait for the round
//!   trip, nor for a listener that is reconnecting.

use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::PgListener;
use tokio::sync::{broadcast, watch};

/// The PostgreSQL channel of the wake-ups; the payload is the application id.
pub const CHANNEL: &str = "esign_events";

/// A stream's heartbeat: proxies close a connection that says nothing for long (nginx after
/// 60 s by default), so every stream sends a comment this often, and re-reads its timeline.
pub const HEARTBEAT: Duration = Duration::from_secs(15);

/// Wake-ups a slow stream may fall behind by before it is told it lagged (and re-reads).
const CAPACITY: usize = 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Wake {
    /// This application's timeline may have grown.
    App(Arc<str>),
    /// Any may have: notifications were possibly lost (the listener reconnected).
    All,
}

impl Wake {
    pub fn concerns(&self, app_id: &str) -> bool {
        match self {
            Wake::App(id) => &**id == app_id,
            Wake::All => true,
        }
    }
}

/// The wake-up source of one server process. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Live {
    tx: broadcast::Sender<Wake>,
    /// True once the server shuts down: the streams end, or they would hold the graceful
    /// shutdown forever.
    closing: Arc<watch::Sender<bool>>,
}

impl Default for Live {
    fn default() -> Self {
        Self::in_process()
    }
}

impl Live {
    /// One process (SQLite): wake-ups stay in this process.
    pub fn in_process() -> Self {
        Self {
            tx: broadcast::channel(CAPACITY).0,
            closing: Arc::new(watch::channel(false).0),
        }
    }

    /// PostgreSQL: also hears every other process's appends through `LISTEN`. Connects once
    /// here (so that a wrong URL fails at start), then keeps listening in a task of its own,
    /// reconnecting whenever the connection drops.
    pub async fn postgres(url: &str) -> Result<Self, sqlx::Error> {
        let live = Self::in_process();
        let listener = listen(url).await?;
        tokio::spawn(fan_out(url.to_owned(), listener, live.tx.downgrade()));
        Ok(live)
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Wake> {
        self.tx.subscribe()
    }

    /// Resolves once [`Live::close`] was called.
    pub fn closed(&self) -> impl std::future::Future<Output = ()> + Send + 'static {
        let mut closing = self.closing.subscribe();
        async move {
            // An error: the sender is gone, and with it every stream's server.
            let _ = closing.wait_for(|c| *c).await;
        }
    }

    /// Ends every stream of this process (at shutdown). The browsers reconnect, to another
    /// instance or to this one restarted, and resume from their last event.
    pub fn close(&self) {
        self.closing.send_replace(true);
    }

    /// After the commit of a transaction that appended an event of `app_id`.
    pub fn publish(&self, app_id: &str) {
        // An error only means that no stream is open in this process.
        let _ = self.tx.send(Wake::App(app_id.into()));
    }
}

async fn listen(url: &str) -> Result<PgListener, sqlx::Error> {
    let mut listener = PgListener::connect(url).await?;
    listener.listen(CHANNEL).await?;
    Ok(listener)
}

/// Forwards notifications while the [`Live`] lives (it holds the only strong sender). Whenever
/// the connection was lost, the streams are told to re-read, since whatever was committed
/// meanwhile was not heard.
async fn fan_out(url: String, mut listener: PgListener, tx: broadcast::WeakSender<Wake>) {
    let send = |wake: Wake| match tx.upgrade() {
        Some(tx) => {
            let _ = tx.send(wake);
            true
        }
        None => false,
    };
    let mut backoff = Duration::from_secs(1);
    loop {
        match listener.try_recv().await {
            Ok(Some(n)) => {
                if !send(Wake::App(n.payload().into())) {
                    return;
                }
            }
            // Lost, and already reconnected (and listening again) by sqlx.
            Ok(None) => {
                tracing::warn!("event listener reconnected to PostgreSQL");
                if !send(Wake::All) {
                    return;
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "event listener lost PostgreSQL; reconnecting");
                loop {
                    tokio::time::sleep(backoff).await;
                    if tx.strong_count() == 0 {
                        return;
                    }
                    match listen(&url).await {
                        Ok(l) => {
                            listener = l;
                            backoff = Duration::from_secs(1);
                            if !send(Wake::All) {
                                return;
                            }
                            break;
                        }
                        Err(e) => {
                            backoff = (backoff * 2).min(Duration::from_secs(30));
                            tracing::warn!(error = %e, retry_in = ?backoff, "event listener cannot reconnect");
                        }
                    }
                }
            }
        }
    }
}
