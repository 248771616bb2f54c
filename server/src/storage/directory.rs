//! Corps and members as the WeCom provider reported them at sign-in.

use super::{Db, Flag, Result};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CorpRow {
    pub id: String,
    pub name: String,
    pub auth_mode: api::wire::AuthMode,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct MemberRow {
    pub id: String,
    pub corp_id: Option<String>,
    pub name: String,
    #[sqlx(try_from = "Flag")]
    pub is_wecom_admin: bool,
    #[sqlx(try_from = "Flag")]
    pub is_staff: bool,
    /// When WeCom last confirmed `is_wecom_admin` (sign-in, or a later refresh).
    pub admin_checked_at: Option<i64>,
}

impl Db {
    pub async fn upsert_corp(&self, corp: &CorpRow) -> Result<()> {
        sqlx::query(
            "INSERT INTO corps (id, name, auth_mode) VALUES ($1, $2, $3)
             ON CONFLICT(id) DO UPDATE SET name = excluded.name, auth_mode = excluded.auth_mode",
        )
        .bind(&corp.id)
        .bind(&corp.name)
        .bind(corp.auth_mode)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    pub async fn upsert_member(&self, m: &MemberRow) -> Result<()> {
        sqlx::query(
            "INSERT INTO members (id, corp_id, name, is_wecom_admin, is_staff, admin_checked_at)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT(id) DO UPDATE SET corp_id = excluded.corp_id, name = excluded.name,
               is_wecom_admin = excluded.is_wecom_admin, is_staff = excluded.is_staff,
               admin_checked_at = excluded.admin_checked_at",
        )
        .bind(&m.id)
        .bind(&m.corp_id)
        .bind(&m.name)
        .bind(m.is_wecom_admin)
        .bind(m.is_staff)
        .bind(m.admin_checked_at)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// What WeCom said just now about the member's admin status.
    pub async fn set_admin_status(&self, member_id: &str, is_admin: bool, now: i64) -> Result<()> {
        sqlx::query("UPDATE members SET is_wecom_admin = $1, admin_checked_at = $2 WHERE id = $3")
            .bind(is_admin)
            .bind(now)
            .bind(member_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn corp(&self, id: &str) -> Result<Option<CorpRow>> {
        Ok(
            sqlx::query_as("SELECT id, name, auth_mode FROM corps WHERE id = $1")
                .bind(id)
                .fetch_optional(self.pool())
                .await?,
        )
    }

    pub async fn member(&self, id: &str) -> Result<Option<MemberRow>> {
        Ok(sqlx::query_as(
            "SELECT id, corp_id, name, is_wecom_admin, is_staff, admin_checked_at
             FROM members WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?)
    }
}
