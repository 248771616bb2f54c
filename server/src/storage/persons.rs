//! People who passed the real-name check, keyed by the identity that spans corps.

use super::{Db, Result};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct VerifiedPerson {
    pub identity: String,
    pub name: String,
    pub id_masked: String,
    pub verified_at: i64,
}

/// What to store: the ID number only sealed and as a keyed hash.
pub struct NewVerifiedPerson<'a> {
    pub identity: &'a str,
    pub name: &'a str,
    pub id_index: &'a str,
    pub id_sealed: &'a str,
    pub id_masked: &'a str,
}

impl Db {
    pub async fn verified_person(&self, identity: &str) -> Result<Option<VerifiedPerson>> {
        Ok(sqlx::query_as(
            "SELECT identity, name, id_masked, verified_at FROM verified_persons WHERE identity = $1",
        )
        .bind(identity)
        .fetch_optional(self.pool())
        .await?)
    }

    /// The person with their sealed ID number, for a provider that needs it (face
    /// verification) or a comparison. Open it only to pass it on; never log it.
    pub async fn verified_person_sealed(
        &self,
        identity: &str,
    ) -> Result<Option<(VerifiedPerson, String)>> {
        let row: Option<(String, String, String, i64, String)> = sqlx::query_as(
            "SELECT identity, name, id_masked, verified_at, id_sealed FROM verified_persons WHERE identity = $1",
        )
        .bind(identity)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(|(identity, name, id_masked, verified_at, sealed)| {
            (
                VerifiedPerson {
                    identity,
                    name,
                    id_masked,
                    verified_at,
                },
                sealed,
            )
        }))
    }

    pub async fn save_verified_person(&self, p: &NewVerifiedPerson<'_>, now: i64) -> Result<()> {
        sqlx::query(
            "INSERT INTO verified_persons (identity, name, id_index, id_sealed, id_masked, verified_at)
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT(identity) DO NOTHING",
        )
        .bind(p.identity)
        .bind(p.name)
        .bind(p.id_index)
        .bind(p.id_sealed)
        .bind(p.id_masked)
        .bind(now)
        .execute(self.pool())
        .await?;
        Ok(())
    }
}
