//! Uploaded photos: metadata here, bytes in files under `<data dir>/uploads`.

use std::path::{Path, PathBuf};

use super::{Db, Result};

/// Where the photo files live.
pub fn upload_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("uploads")
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadRow {
    pub id: String,
    pub application_id: String,
    pub file_name: String,
    /// `license` or `letter`.
    pub kind: String,
    pub recognized_json: Option<String>,
}

pub struct NewUpload<'a> {
    pub id: &'a str,
    pub application_id: &'a str,
    pub kind: &'a str,
    pub file_name: &'a str,
    pub bytes: i64,
    pub width: i64,
    pub height: i64,
    pub recognized_json: Option<&'a str>,
}

impl Db {
    pub async fn insert_upload(&self, u: &NewUpload<'_>, now: i64) -> Result<()> {
        sqlx::query(
            "INSERT INTO uploads (id, application_id, kind, file_name, bytes, width, height,
             recognized_json, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
        .execute(self.pool())
        .await?;
        Ok(())
    }

    pub async fn upload(&self, id: &str) -> Result<Option<UploadRow>> {
        let row: Option<(String, String, String, String, Option<String>)> = sqlx::query_as(
            "SELECT id, application_id, file_name, kind, recognized_json FROM uploads WHERE id = ?",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(
            |(id, application_id, file_name, kind, recognized_json)| UploadRow {
                id,
                application_id,
                file_name,
                kind,
                recognized_json,
            },
        ))
    }
}
