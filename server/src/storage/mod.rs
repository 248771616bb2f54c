//! Persistence: one `sqlx::Any` pool on SQLite (embedded, the default) or PostgreSQL (several
//! stateless servers on one database), chosen by the URL's scheme. Each backend has its own
//! migrations folder; the queries are written once, in the SQL both accept (`$N` placeholders,
//! `RETURNING`, `ON CONFLICT`, `TRUE`/`FALSE`).
//!
//! Every query lives in this module's files, so the flow and HTTP code never write SQL.

mod applications;
mod apply;
mod attempts;
mod directory;
mod face;
mod final_steps;
mod imports;
mod letters;
mod links;
mod live;
mod notifications;
mod outbox;
mod persons;
mod sessions;
mod short_codes;
mod sms;
mod snapshot;
mod steps;
mod uploads;
mod wechat;
mod wecom_suite;

use std::path::Path;
use std::time::Duration;

use sqlx::any::AnyPoolOptions;
use sqlx::{Any, AnyPool, Executor, Transaction};

pub use applications::{CurrentApplication, Outcome};
pub use apply::{is_id, new_id, ApplicationRow};
pub use attempts::{Blocked, Limit, Refused, Window};
pub use directory::{CorpRow, MemberRow};
pub use face::{
    FaceCheckRow, FacePurpose, FaceResult, LocalFaceRow, LocalFaceStatus, NewFaceCheck,
};
pub use final_steps::{Event, FinalStep, Pending, Settle, Verified};
pub use imports::{DirectoryEnterprise, RegistryEntry, SealedPerson};
pub use letters::{LetterRow, LetterState};
pub use links::{token_hash, LinkRow, NewLink};
pub use live::{notify_event, Notify};
pub use outbox::{Channel, OutboxMessage};
pub use persons::{NewVerifiedPerson, VerifiedPerson};
pub use sessions::session_hash;
pub use short_codes::InvitationCode;
pub use sms::{NewSmsCode, SmsCodeHistory, SmsCodeRow};
pub use snapshot::{ApplicationSnapshot, LetterSummary, LinkSummary};
pub use steps::ContactConfirmed;
pub use uploads::{DailyCap, NewUpload, Stored, UploadKind, UploadRow};
pub use wechat::{NewInvitation, WechatLinkRow};
pub use wecom_suite::{InstallRow, OAuthState};

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("database: {0}")]
    Sqlx(#[from] sqlx::Error),
    #[error("cannot connect to the database at {url}: {source}")]
    Connect { url: String, source: sqlx::Error },
    #[error("DATABASE_URL must start with sqlite: or postgres:// (got {0})")]
    Url(String),
    /// A photo file of an earlier version, being imported.
    #[error("file {path}: {source}")]
    File {
        path: String,
        source: std::io::Error,
    },
    #[error("migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("data directory {path}: {source}")]
    DataDir {
        path: String,
        source: std::io::Error,
    },
}

impl StorageError {
    /// The database cannot be reached right now (down, restarting, the network between):
    /// nothing the client did, and worth trying again. Every other failure is a fault.
    pub fn is_unavailable(&self) -> bool {
        let Self::Sqlx(e) = self else {
            return false;
        };
        match e {
            sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::WorkerCrashed => true,
            // PostgreSQL's class 08 (connection exception), and 57P01–57P03: the server is
            // shutting down or not yet accepting connections.
            sqlx::Error::Database(db) => db.code().is_some_and(|c| {
                c.starts_with("08") || matches!(c.as_ref(), "57P01" | "57P02" | "57P03")
            }),
            _ => false,
        }
    }
}

pub type Result<T, E = StorageError> = std::result::Result<T, E>;

/// A transaction on either backend.
pub type Tx = Transaction<'static, Any>;

/// Which database the URL named.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of(url: &str) -> Option<Self> {
        if url.starts_with("sqlite:") {
            Some(Self::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(Self::Postgres)
        } else {
            None
        }
    }
}

#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
    /// Wakes the live event streams after each committed append.
    live: crate::events::Live,
}

impl Db {
    /// Opens the database (creating a SQLite file if needed) and runs pending migrations.
    pub async fn connect(url: &str) -> Result<Self> {
        Self::connect_with(url, 16).await
    }

    pub async fn connect_with(url: &str, max_connections: u32) -> Result<Self> {
        sqlx::any::install_default_drivers();
        let backend = Backend::of(url).ok_or_else(|| StorageError::Url(redact_url(url)))?;
        let mut options = AnyPoolOptions::new()
            .max_connections(max_connections)
            // While the database is down, a request waits this long, then answers 503.
            .acquire_timeout(Duration::from_secs(3));
        if backend == Backend::Sqlite {
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
            // One connection for an in-memory database: each connection would be its own.
            if sqlite_file(url).is_none() {
                options = options.max_connections(1);
            }
            // The Any driver takes only the URL, so the pragmas go on each new connection.
            options = options.after_connect(|conn, _| {
                Box::pin(async move {
                    conn.execute(
                        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                         PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;",
                    )
                    .await?;
                    Ok(())
                })
            });
        }
        let url = match backend {
            Backend::Sqlite if sqlite_file(url).is_some() && !url.contains("mode=") => {
                let sep = if url.contains('?') { '&' } else { '?' };
                format!("{url}{sep}mode=rwc")
            }
            _ => url.to_owned(),
        };
        let pool = options
            .connect(&url)
            .await
            .map_err(|source| StorageError::Connect {
                url: redact_url(&url),
                source,
            })?;
        // PostgreSQL: one LISTEN connection per process hears every instance's commits.
        let live = match backend {
            Backend::Sqlite => crate::events::Live::in_process(),
            Backend::Postgres => crate::events::Live::postgres(&url)
                .await
                .map_err(|source| StorageError::Connect {
                    url: redact_url(&url),
                    source,
                })?,
        };
        let db = Self {
            pool,
            backend,
            live,
        };
        db.migrate().await?;
        Ok(db)
    }

    async fn migrate(&self) -> Result<()> {
        match self.backend {
            Backend::Sqlite => {
                sqlx::migrate!("./migrations/sqlite")
                    .run(&self.pool)
                    .await?
            }
            Backend::Postgres => {
                sqlx::migrate!("./migrations/postgres")
                    .run(&self.pool)
                    .await?
            }
        }
        Ok(())
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub fn backend(&self) -> Backend {
        self.backend
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
            "upload_blobs",
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

/// The URL with its password replaced, for messages and logs.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let (authority, tail) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    match authority.rsplit_once('@') {
        Some((user_info, host)) => {
            let user = user_info.split(':').next().unwrap_or("");
            let masked = if user_info.contains(':') { ":***" } else { "" };
            format!("{scheme}://{user}{masked}@{host}{tail}")
        }
        None => url.to_owned(),
    }
}

/// A boolean column or expression. PostgreSQL answers `BOOLEAN`; SQLite has none and answers
/// 0 or 1, which the Any driver will not decode as `bool`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flag(pub bool);

impl sqlx::Type<Any> for Flag {
    fn type_info() -> sqlx::any::AnyTypeInfo {
        <bool as sqlx::Type<Any>>::type_info()
    }

    fn compatible(ty: &sqlx::any::AnyTypeInfo) -> bool {
        <bool as sqlx::Type<Any>>::compatible(ty) || <i64 as sqlx::Type<Any>>::compatible(ty)
    }
}

impl From<Flag> for bool {
    fn from(f: Flag) -> bool {
        f.0
    }
}

impl<'r> sqlx::Decode<'r, Any> for Flag {
    fn decode(value: sqlx::any::AnyValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
        match <i64 as sqlx::Decode<Any>>::decode(value.clone()) {
            Ok(n) => Ok(Self(n != 0)),
            Err(_) => Ok(Self(<bool as sqlx::Decode<Any>>::decode(value)?)),
        }
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

    #[test]
    fn a_url_in_a_message_has_no_password() {
        use super::redact_url;
        assert_eq!(
            redact_url("postgres://esign:s3cret@db.internal:5432/esign"),
            "postgres://esign:***@db.internal:5432/esign"
        );
        assert_eq!(
            redact_url("postgres://esign@db/esign?sslmode=require"),
            "postgres://esign@db/esign?sslmode=require"
        );
        assert_eq!(
            redact_url("sqlite://data/esign.db"),
            "sqlite://data/esign.db"
        );
    }
}
