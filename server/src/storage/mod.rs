//! Persistence: one SQLite pool (embedded by default), migrations from `server/migrations`.
//!
//! Every query lives in this module's files, so the flow and HTTP code never write SQL.

mod applications;
mod apply;
mod attempts;
mod directory;
mod face;
mod final_steps;
mod letters;
mod links;
mod live;
mod notifications;
mod outbox;
mod persons;
mod sessions;
mod sms;
mod uploads;
mod wechat;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;

pub use applications::{CurrentApplication, Outcome};
pub use apply::{new_id, ApplicationRow};
pub use attempts::{Blocked, Limit, Refused, Window};
pub use directory::{CorpRow, MemberRow};
pub use face::{FaceCheckRow, FacePurpose, LocalFaceStatus, NewFaceCheck};
pub use final_steps::{Event, FinalStep, Pending, Settle, Verified};
pub use letters::LetterRow;
pub use links::{token_hash, LinkRow, NewLink};
pub use live::{notify_event, Notify};
pub use outbox::{Channel, OutboxMessage};
pub use persons::{NewVerifiedPerson, VerifiedPerson};
pub use sessions::session_hash;
pub use sms::{NewSmsCode, SmsCodeHistory, SmsCodeRow};
pub use uploads::{upload_dir, DailyCap, NewUpload, Stored, Swept, UploadRow};
pub use wechat::{NewInvitation, WechatLinkRow};

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("database: {0}")]
    Sqlx(#[from] sqlx::Error),
    #[error("migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("data directory {path}: {source}")]
    DataDir {
        path: String,
        source: std::io::Error,
    },
    /// A stored file (uploads).
    #[error("file {path}: {source}")]
    File {
        path: String,
        source: std::io::Error,
    },
}

pub type Result<T, E = StorageError> = std::result::Result<T, E>;

#[derive(Clone, Debug)]
pub struct Db {
    pool: SqlitePool,
    /// Wakes the live event streams after each committed append.
    live: crate::events::Live,
}

impl Db {
    /// Opens (creating if needed) the database and runs pending migrations.
    pub async fn connect(url: &str) -> Result<Self> {
        if let Some(file) = sqlite_file(url) {
            if let Some(dir) = Path::new(file)
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
            {
                std::fs::create_dir_all(dir).map_err(|source| StorageError::DataDir {
                    path: dir.display().to_string(),
                    source,
                })?;
            }
        }
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5));
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await?;
        Self::from_pool(pool).await
    }

    /// Wraps an existing pool (tests use `#[sqlx::test]`'s) and migrates it.
    pub async fn from_pool(pool: SqlitePool) -> Result<Self> {
        sqlx::migrate!("./migrations").run(&pool).await?;
        Ok(Self {
            pool,
            live: crate::events::Live::in_process(),
        })
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// Removes everything the demo produced: applications and their uploads, codes and timeline,
    /// real-name verifications, messages, rate-limit records.
    /// Sessions and the directory stay, so signed-in people stay signed in.
    pub async fn clear_activity(&self) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        for table in [
            "face_checks",
            "sms_links",
            "wechat_links",
            "invitations",
            "real_name_failures",
            "letter_submissions",
            "local_face_sessions",
            "admin_notifications",
            "attempts",
            "outbox",
            "events",
            "sms_codes",
            "uploads",
            "applications",
            "verified_persons",
        ] {
            sqlx::query(&format!("DELETE FROM {table}"))
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

fn sqlite_file(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty() && path != ":memory:").then_some(path)
}

#[cfg(test)]
mod tests {
    use super::sqlite_file;

    #[test]
    fn finds_the_file_of_a_sqlite_url() {
        assert_eq!(
            sqlite_file("sqlite://data/esign.db?mode=rwc"),
            Some("data/esign.db")
        );
        assert_eq!(sqlite_file("sqlite::memory:"), None);
        assert_eq!(sqlite_file("postgres://x"), None);
    }
}
