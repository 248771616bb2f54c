//! One-time links: 短信通知法人 and the super admin's activation. One row per link; per
//! application and purpose family, the newest pending one is the live one.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};

use sqlx::AnyConnection;

use super::attempts::{take_in, Blocked, Limit};
use super::final_steps::append_event;
use super::{new_id, Db, Event, Result};
use crate::flow::link::{Link, LinkPurpose, LinkStatus};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkRow {
    pub id: String,
    pub application_id: String,
    pub purpose: LinkPurpose,
    pub phone_masked: String,
    pub link: Link,
    /// Activation: the agreement version accepted with 确认开通.
    pub agreement_version: Option<String>,
    /// The USCC the link was sent for (the license's, or the linked enterprise's).
    pub subject_uscc: Option<String>,
    /// The session hash that started the link's face check (`None`: started without one).
    pub face_session: Option<String>,
}

/// A link about to be sent: its token (stored only as a hash) and the number it goes to.
pub struct NewLink<'a> {
    pub application_id: &'a str,
    pub purpose: LinkPurpose,
    pub token: &'a str,
    pub phone_sealed: &'a str,
    pub phone_masked: &'a str,
    /// The USCC it is sent for: a final step re-checks that the application still stands
    /// for it.
    pub subject_uscc: &'a str,
}

/// Links are looked up by a hash: the database never holds a working token.
pub fn token_hash(token: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(token.as_bytes()))
}

#[derive(sqlx::FromRow)]
struct Raw {
    id: String,
    application_id: String,
    purpose: LinkPurpose,
    phone_masked: String,
    status: LinkStatus,
    sent_at: i64,
    agreement_version: Option<String>,
    subject_uscc: Option<String>,
    face_session: Option<String>,
}

fn from_raw(r: Raw) -> LinkRow {
    LinkRow {
        id: r.id,
        application_id: r.application_id,
        purpose: r.purpose,
        phone_masked: r.phone_masked,
        agreement_version: r.agreement_version,
        subject_uscc: r.subject_uscc,
        face_session: r.face_session,
        link: Link {
            status: r.status,
            sent_at: r.sent_at,
        },
    }
}

const COLUMNS: &str = "id, application_id, purpose, phone_masked, status, sent_at, \
     agreement_version, subject_uscc, face_session";

/// The purposes one live link is chosen among: activation by SMS or directly replace each other.
fn family(purpose: LinkPurpose) -> &'static str {
    match purpose {
        LinkPurpose::LegalRep => "('legal_rep')",
        LinkPurpose::ActivationSms | LinkPurpose::ActivationDirect => {
            "('activation_sms', 'activation_direct')"
        }
    }
}

impl Db {
    /// Records a new link and supersedes every earlier pending one, atomically.
    pub async fn insert_link(&self, new: &NewLink<'_>, now: i64) -> Result<LinkRow> {
        let mut tx = self.pool.begin().await?;
        let row = write_link(&mut tx, new, now).await?;
        tx.commit().await?;
        Ok(row)
    }

    /// [`Db::insert_link`], if `allow` agrees given the application's newest link of this
    /// purpose and how many of this purpose went out since `since`, and `limits` have room.
    /// The check and the write hold the write lock together: of many sends at once, one
    /// passes the resend cooldown. `event` goes on the timeline with the link.
    pub async fn insert_link_if<E>(
        &self,
        new: &NewLink<'_>,
        event: Event<'_>,
        now: i64,
        since: i64,
        limits: &[Limit],
        allow: impl FnOnce(Option<&LinkRow>, i64) -> Result<(), E>,
    ) -> Result<Result<LinkRow, Blocked<E>>> {
        let mut tx = self.begin_locked().await?;
        let latest = latest(&mut tx, new.application_id, new.purpose).await?;
        let (sent,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM sms_links WHERE application_id = $1 AND purpose = $2 AND sent_at >= $3",
        )
        .bind(new.application_id)
        .bind(new.purpose)
        .bind(since)
        .fetch_one(&mut *tx)
        .await?;
        if let Err(e) = allow(latest.as_ref(), sent) {
            return Ok(Err(Blocked::By(e)));
        }
        if let Err(refused) = take_in(&mut tx, limits, now).await? {
            return Ok(Err(Blocked::Limit(refused)));
        }
        let row = write_link(&mut tx, new, now).await?;
        append_event(&mut tx, new.application_id, event, now).await?;
        self.commit_event(tx, new.application_id).await?;
        Ok(Ok(row))
    }

    /// The application's newest link of this purpose, whatever its status.
    pub async fn latest_link(
        &self,
        application_id: &str,
        purpose: LinkPurpose,
    ) -> Result<Option<LinkRow>> {
        let mut conn = self.pool.acquire().await?;
        latest(&mut conn, application_id, purpose).await
    }

    /// The link a token opens, if it was made for one of `purposes`.
    pub async fn link_by_token(
        &self,
        token: &str,
        purposes: &[LinkPurpose],
    ) -> Result<Option<LinkRow>> {
        let row: Option<Raw> = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM sms_links WHERE token_hash = $1"
        ))
        .bind(token_hash(token))
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(from_raw).filter(|r| purposes.contains(&r.purpose)))
    }

    /// A face session was started from this link, by `session` (a session hash, or none):
    /// only its result counts, only for that session, and any earlier verification is
    /// forgotten.
    pub async fn set_link_face(
        &self,
        id: &str,
        biz_token: &str,
        session: Option<&str>,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE sms_links SET face_biz_token = $1, face_session = $2, verified_name = NULL
             WHERE id = $3",
        )
        .bind(biz_token)
        .bind(session)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The face session started from this link, and the name it verified (once it passed).
    pub async fn link_face(&self, id: &str) -> Result<(Option<String>, Option<String>)> {
        let row: (Option<String>, Option<String>) =
            sqlx::query_as("SELECT face_biz_token, verified_name FROM sms_links WHERE id = $1")
                .bind(id)
                .fetch_one(&self.pool)
                .await?;
        Ok(row)
    }

    pub async fn set_link_verified(&self, id: &str, name: &str) -> Result<()> {
        sqlx::query("UPDATE sms_links SET verified_name = $1 WHERE id = $2")
            .bind(name)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

impl Db {
    /// One more failed face check on this link, whose session is then spent; how many failed.
    pub async fn record_link_face_failure(&self, id: &str) -> Result<i64> {
        let (n,): (i64,) = sqlx::query_as(
            "UPDATE sms_links SET face_failures = face_failures + 1, face_biz_token = NULL
             WHERE id = $1 RETURNING face_failures",
        )
        .bind(id)
        .fetch_one(&self.pool)
        .await?;
        Ok(n)
    }

    pub async fn link_face_failures(&self, id: &str) -> Result<i64> {
        let (n,): (i64,) = sqlx::query_as("SELECT face_failures FROM sms_links WHERE id = $1")
            .bind(id)
            .fetch_one(&self.pool)
            .await?;
        Ok(n)
    }
}

async fn latest(
    conn: &mut AnyConnection,
    application_id: &str,
    purpose: LinkPurpose,
) -> Result<Option<LinkRow>> {
    let row: Option<Raw> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM sms_links WHERE application_id = $1 AND purpose = $2 ORDER BY sent_at DESC, seq DESC LIMIT 1"
    ))
    .bind(application_id)
    .bind(purpose)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.map(from_raw))
}

/// Supersedes every pending link of the family and records the new one.
async fn write_link(conn: &mut AnyConnection, new: &NewLink<'_>, now: i64) -> Result<LinkRow> {
    sqlx::query(&format!("UPDATE sms_links SET status = 'superseded', acted_at = $1 WHERE application_id = $2 AND status = 'pending' AND purpose IN {}", family(new.purpose)))
            .bind(now)
            .bind(new.application_id)
            .execute(&mut *conn)
            .await?;
    let id = new_id();
    sqlx::query("INSERT INTO sms_links (id, application_id, purpose, token_hash, phone_sealed, phone_masked, subject_uscc, sent_at, seq)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, (SELECT COALESCE(MAX(seq), 0) + 1 FROM sms_links))")
            .bind(&id)
            .bind(new.application_id)
            .bind(new.purpose)
            .bind(token_hash(new.token))
            .bind(new.phone_sealed)
            .bind(new.phone_masked)
            .bind(new.subject_uscc)
            .bind(now)
            .execute(&mut *conn)
            .await?;
    Ok(LinkRow {
        id,
        application_id: new.application_id.to_owned(),
        purpose: new.purpose,
        phone_masked: new.phone_masked.to_owned(),
        agreement_version: None,
        subject_uscc: Some(new.subject_uscc.to_owned()),
        face_session: None,
        link: Link {
            status: LinkStatus::Pending,
            sent_at: now,
        },
    })
}
