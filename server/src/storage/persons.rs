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
}
