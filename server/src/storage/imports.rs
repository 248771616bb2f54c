//! What the operator imports for real mode (docs/deploy.md): the enterprise registry and the
//! WeChat-side directory. Neither has a public API; these tables are their only source. The
//! directory's ID numbers and mobiles arrive here already sealed, with their blind index.

use super::{Db, Result};

/// One enterprise as the registry knows it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RegistryEntry {
    pub uscc: String,
    pub name: String,
    pub legal_rep: String,
}

/// A person of the directory, their numbers sealed (`Vault::seal`) and their ID number's
/// keyed index (`Vault::blind_index`) for lookups.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedPerson {
    pub name: String,
    pub id_index: String,
    pub id_sealed: String,
    pub mobile_sealed: String,
}

/// An enterprise opened on the WeChat side, whole: its super admin and its employees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectoryEnterprise {
    pub uscc: String,
    pub name: String,
    pub super_admin: SealedPerson,
    /// In the file's order; the super admin is not among them.
    pub employees: Vec<SealedPerson>,
}

#[derive(sqlx::FromRow)]
struct EnterpriseRaw {
    uscc: String,
    name: String,
    admin_name: String,
    admin_id_index: String,
    admin_id_sealed: String,
    admin_mobile_sealed: String,
}

#[derive(sqlx::FromRow)]
struct EmployeeRaw {
    name: String,
    id_index: String,
    id_sealed: String,
    mobile_sealed: String,
}

impl Db {
    /// Inserts or replaces each entry, all or none.
    pub async fn upsert_registry(&self, entries: &[RegistryEntry], now: i64) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        for e in entries {
            sqlx::query(
                "INSERT INTO registry_entries (uscc, name, legal_rep, imported_at)
                 VALUES ($1, $2, $3, $4)
                 ON CONFLICT(uscc) DO UPDATE SET name = excluded.name,
                   legal_rep = excluded.legal_rep, imported_at = excluded.imported_at",
            )
            .bind(&e.uscc)
            .bind(&e.name)
            .bind(&e.legal_rep)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn registry_entry(&self, uscc: &str) -> Result<Option<RegistryEntry>> {
        Ok(
            sqlx::query_as("SELECT uscc, name, legal_rep FROM registry_entries WHERE uscc = $1")
                .bind(uscc)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// Replaces each enterprise whole (its super admin and its list of employees), all or
    /// none. Enterprises not named stay as they were.
    pub async fn replace_directory(
        &self,
        enterprises: &[DirectoryEnterprise],
        now: i64,
    ) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        for e in enterprises {
            sqlx::query("DELETE FROM directory_employees WHERE uscc = $1")
                .bind(&e.uscc)
                .execute(&mut *tx)
                .await?;
            let a = &e.super_admin;
            sqlx::query(
                "INSERT INTO directory_enterprises (uscc, name, admin_name, admin_id_index,
                   admin_id_sealed, admin_mobile_sealed, imported_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)
                 ON CONFLICT(uscc) DO UPDATE SET name = excluded.name,
                   admin_name = excluded.admin_name, admin_id_index = excluded.admin_id_index,
                   admin_id_sealed = excluded.admin_id_sealed,
                   admin_mobile_sealed = excluded.admin_mobile_sealed,
                   imported_at = excluded.imported_at",
            )
            .bind(&e.uscc)
            .bind(&e.name)
            .bind(&a.name)
            .bind(&a.id_index)
            .bind(&a.id_sealed)
            .bind(&a.mobile_sealed)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            for (seq, p) in e.employees.iter().enumerate() {
                sqlx::query(
                    "INSERT INTO directory_employees (uscc, id_index, name, id_sealed,
                       mobile_sealed, seq) VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(&e.uscc)
                .bind(&p.id_index)
                .bind(&p.name)
                .bind(&p.id_sealed)
                .bind(&p.mobile_sealed)
                .bind(seq as i64)
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn directory_enterprise(&self, uscc: &str) -> Result<Option<DirectoryEnterprise>> {
        let row: Option<EnterpriseRaw> = sqlx::query_as(
            "SELECT uscc, name, admin_name, admin_id_index, admin_id_sealed, admin_mobile_sealed
             FROM directory_enterprises WHERE uscc = $1",
        )
        .bind(uscc)
        .fetch_optional(&self.pool)
        .await?;
        let Some(r) = row else { return Ok(None) };
        let employees: Vec<EmployeeRaw> = sqlx::query_as(
            "SELECT name, id_index, id_sealed, mobile_sealed FROM directory_employees
             WHERE uscc = $1 ORDER BY seq",
        )
        .bind(uscc)
        .fetch_all(&self.pool)
        .await?;
        Ok(Some(DirectoryEnterprise {
            uscc: r.uscc,
            name: r.name,
            super_admin: SealedPerson {
                name: r.admin_name,
                id_index: r.admin_id_index,
                id_sealed: r.admin_id_sealed,
                mobile_sealed: r.admin_mobile_sealed,
            },
            employees: employees
                .into_iter()
                .map(|e| SealedPerson {
                    name: e.name,
                    id_index: e.id_index,
                    id_sealed: e.id_sealed,
                    mobile_sealed: e.mobile_sealed,
                })
                .collect(),
        }))
    }

    /// The enterprises where the person with this ID index is super admin or an employee.
    pub async fn directory_memberships(&self, id_index: &str) -> Result<Vec<String>> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT uscc FROM directory_enterprises WHERE admin_id_index = $1
             UNION SELECT uscc FROM directory_employees WHERE id_index = $1
             ORDER BY uscc",
        )
        .bind(id_index)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|r| r.0).collect())
    }
}
