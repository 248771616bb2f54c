//! Corps and members as the WeCom provider reported them at sign-in.

use api::wire::AuthMode;

use super::{Db, Flag, Result};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorpRow {
    pub id: String,
    pub name: String,
    pub auth_mode: AuthMode,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberRow {
    pub id: String,
    pub corp_id: Option<String>,
    pub name: String,
    pub is_wecom_admin: bool,
    pub is_staff: bool,
    /// When WeCom last confirmed `is_wecom_admin` (sign-in, or a later refresh).
    pub admin_checked_at: Option<i64>,
}

fn auth_mode_str(mode: AuthMode) -> &'static str {
    match mode {
        AuthMode::Admin => "admin",
        AuthMode::Member => "member",
    }
}

impl Db {
    pub async fn upsert_corp(&self, corp: &CorpRow) -> Result<()> {
        sqlx::query(
            "INSERT INTO corps (id, name, auth_mode) VALUES ($1, $2, $3)
             ON CONFLICT(id) DO UPDATE SET name = excluded.name, auth_mode = excluded.auth_mode",
        )
        .bind(&corp.id)
        .bind(&corp.name)
        .bind(auth_mode_str(corp.auth_mode))
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
        let row: Option<(String, String, String)> =
            sqlx::query_as("SELECT id, name, auth_mode FROM corps WHERE id = $1")
                .bind(id)
                .fetch_optional(self.pool())
                .await?;
        Ok(row.map(|(id, name, mode)| CorpRow {
            id,
            name,
            auth_mode: if mode == "member" {
                AuthMode::Member
            } else {
                AuthMode::Admin
            },
        }))
    }

    pub async fn member(&self, id: &str) -> Result<Option<MemberRow>> {
        type Raw = (String, Option<String>, String, Flag, Flag, Option<i64>);
        let row: Option<Raw> = sqlx::query_as(
            "SELECT id, corp_id, name, is_wecom_admin, is_staff, admin_checked_at
             FROM members WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(
            |(id, corp_id, name, is_wecom_admin, is_staff, admin_checked_at)| MemberRow {
                id,
                corp_id,
                name,
                is_wecom_admin: is_wecom_admin.0,
                is_staff: is_staff.0,
                admin_checked_at,
            },
        ))
    }
}
