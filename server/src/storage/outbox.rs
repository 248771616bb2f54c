//! What the local SMS and WeCom providers "sent", for developers and tests to read.

use serde::Serialize;

use super::{Db, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    Sms,
    Wecom,
}

api::sqlx_text_enum!(Channel {
    Sms => "sms",
    Wecom => "wecom",
});

/// One row of `/dev/outbox.json` (shape fixed by local-mode.md).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct OutboxMessage {
    pub id: i64,
    pub channel: Channel,
    pub to: String,
    pub text: String,
    pub link: Option<String>,
    pub sent_at: i64,
}

impl Db {
    pub async fn push_outbox(
        &self,
        channel: Channel,
        to: &str,
        text: &str,
        link: Option<&str>,
        now: i64,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO outbox (channel, recipient, text, link, sent_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(channel)
        .bind(to)
        .bind(text)
        .bind(link)
        .bind(now)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Newest first.
    pub async fn outbox(&self) -> Result<Vec<OutboxMessage>> {
        Ok(sqlx::query_as(
            "SELECT id, channel, recipient AS \"to\", text, link, sent_at FROM outbox ORDER BY id DESC",
        )
        .fetch_all(self.pool())
        .await?)
    }
}
