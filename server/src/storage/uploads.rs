//! Uploaded photos: metadata and bytes, both in the database, so that every server on it can
//! show any photo (a reviewer served by one instance sees a letter another received). The row
//! and its bytes are written in one transaction: there is never one without the other.

use std::path::Path;

use super::{Db, Result, StorageError};

/// What a photo is of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UploadKind {
    License,
    Letter,
}

api::sqlx_text_enum!(UploadKind {
    License => "license",
    Letter => "letter",
});

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct UploadRow {
    pub id: String,
    pub application_id: String,
    pub file_name: String,
    pub kind: UploadKind,
    pub recognized_json: Option<String>,
}

pub struct NewUpload<'a> {
    pub id: &'a str,
    pub application_id: &'a str,
    pub kind: UploadKind,
    pub file_name: &'a str,
    pub bytes: i64,
    pub width: i64,
    pub height: i64,
    pub recognized_json: Option<&'a str>,
}

/// At most `max` uploads per application since `since`.
#[derive(Debug, Clone, Copy)]
pub struct DailyCap {
    pub since: i64,
    pub max: i64,
}

/// What became of a photo handed to [`Db::store_upload`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stored {
    Stored,
    /// The application was closed meanwhile: nothing kept.
    ApplicationClosed,
    /// The cap was reached meanwhile (concurrent uploads): nothing kept.
    CapReached,
}

impl Db {
    /// Uploads of the application since `since` (for its daily cap).
    pub async fn uploads_since(&self, application_id: &str, since: i64) -> Result<i64> {
        let (n,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM uploads WHERE application_id = $1 AND created_at >= $2",
        )
        .bind(application_id)
        .bind(since)
        .fetch_one(self.pool())
        .await?;
        Ok(n)
    }

    /// Stores a photo and its row, or neither: the row only while the application is open
    /// and under its cap (checked in the insert itself, so that concurrent uploads cannot
    /// pass it together), and the bytes in the same transaction.
    pub async fn store_upload(
        &self,
        u: &NewUpload<'_>,
        bytes: &[u8],
        cap: DailyCap,
        now: i64,
    ) -> Result<Stored> {
        let mut tx = self.pool().begin().await?;
        let done = sqlx::query(
            "INSERT INTO uploads (id, application_id, kind, file_name, bytes, width, height,
             recognized_json, created_at)
             SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9
             WHERE EXISTS (SELECT 1 FROM applications WHERE id = $2 AND outcome = 'open')
               AND (SELECT COUNT(*) FROM uploads WHERE application_id = $2 AND created_at >= $10) < $11",
        )
        .bind(u.id)
        .bind(u.application_id)
        .bind(u.kind)
        .bind(u.file_name)
        .bind(u.bytes)
        .bind(u.width)
        .bind(u.height)
        .bind(u.recognized_json)
        .bind(now)
        .bind(cap.since)
        .bind(cap.max)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            drop(tx);
            let open = self.open_application_by_id(u.application_id).await?;
            return Ok(if open.is_some() {
                Stored::CapReached
            } else {
                Stored::ApplicationClosed
            });
        }
        sqlx::query("INSERT INTO upload_blobs (upload_id, content) VALUES ($1, $2)")
            .bind(u.id)
            .bind(bytes)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Stored::Stored)
    }

    /// The photo's bytes (`None`: no such upload).
    pub async fn upload_content(&self, id: &str) -> Result<Option<Vec<u8>>> {
        let row: Option<(Vec<u8>,)> =
            sqlx::query_as("SELECT content FROM upload_blobs WHERE upload_id = $1")
                .bind(id)
                .fetch_optional(self.pool())
                .await?;
        Ok(row.map(|(content,)| content))
    }

    /// The application's last upload of this kind (ties within a second: the highest id).
    pub async fn latest_upload(
        &self,
        application_id: &str,
        kind: UploadKind,
    ) -> Result<Option<UploadRow>> {
        Ok(sqlx::query_as(
            "SELECT id, application_id, file_name, kind, recognized_json FROM uploads
             WHERE application_id = $1 AND kind = $2 ORDER BY created_at DESC, id DESC LIMIT 1",
        )
        .bind(application_id)
        .bind(kind)
        .fetch_optional(self.pool())
        .await?)
    }

    pub async fn upload(&self, id: &str) -> Result<Option<UploadRow>> {
        Ok(sqlx::query_as(
            "SELECT id, application_id, file_name, kind, recognized_json FROM uploads WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?)
    }

    /// Photos that versions before the database kept their bytes stayed as files under
    /// `<data dir>/uploads`: each one with a row moves into the database, once, and its file
    /// goes. Returns how many moved.
    pub async fn import_upload_files(&self, dir: &Path) -> Result<usize> {
        if !dir.is_dir() {
            return Ok(0);
        }
        let missing: Vec<(String, String)> = sqlx::query_as(
            "SELECT u.id, u.file_name FROM uploads u
             LEFT JOIN upload_blobs b ON b.upload_id = u.id WHERE b.upload_id IS NULL",
        )
        .fetch_all(self.pool())
        .await?;
        let mut moved = 0;
        for (id, file_name) in missing {
            let path = dir.join(&file_name);
            let bytes = match tokio::fs::read(&path).await {
                Ok(bytes) => bytes,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(source) => {
                    return Err(StorageError::File {
                        path: path.display().to_string(),
                        source,
                    })
                }
            };
            sqlx::query("INSERT INTO upload_blobs (upload_id, content) VALUES ($1, $2)")
                .bind(&id)
                .bind(bytes)
                .execute(self.pool())
                .await?;
            let _ = tokio::fs::remove_file(&path).await;
            moved += 1;
        }
        Ok(moved)
    }
}

impl Db {
    /// Are all of `ids` uploads of this kind, made for this application? (A photo of another
    /// application, or a license photo offered as a letter, is no photo of this step.)
    pub async fn uploads_belong(&self, app_id: &str, kind: &str, ids: &[String]) -> Result<bool> {
        if ids.is_empty() {
            return Ok(true);
        }
        let list = (3..ids.len() + 3)
            .map(|n| format!("${n}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT COUNT(*) FROM uploads WHERE application_id = $1 AND kind = $2 AND id IN ({list})"
        );
        let mut q = sqlx::query_as::<_, (i64,)>(&sql).bind(app_id).bind(kind);
        for id in ids {
            q = q.bind(id);
        }
        let (n,) = q.fetch_one(self.pool()).await?;
        Ok(usize::try_from(n).is_ok_and(|n| n == ids.len()))
    }
}
