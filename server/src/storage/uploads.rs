//! Uploaded photos: metadata here, bytes in files under `<data dir>/uploads`.
//!
//! A file is only ever in `uploads/` with its row: it is written under `uploads/.tmp/`, the
//! row is inserted, and only then is the file renamed into place. A crash or a refused row
//! leaves at most a temporary file, which [`Db::sweep_uploads`] clears.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use super::{Db, Result, StorageError};

/// Where the photo files live.
pub fn upload_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("uploads")
}

/// Where a photo waits for its row (same file system, so the rename is atomic).
fn temp_dir(uploads: &Path) -> PathBuf {
    uploads.join(".tmp")
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

/// What one sweep removed or completed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Swept {
    /// Files in `uploads/` without a row.
    pub orphans: usize,
    /// Temporary files older than the sweep's age without a row.
    pub stale: usize,
    /// Temporary files whose row was committed but not their rename (a crash in between).
    pub completed: usize,
}

fn file_error(path: &Path) -> impl FnOnce(std::io::Error) -> StorageError + '_ {
    move |source| StorageError::File {
        path: path.display().to_string(),
        source,
    }
}

/// `<id>.<ext>` → `<id>`.
fn id_of(file_name: &str) -> &str {
    file_name.split('.').next().unwrap_or(file_name)
}

impl Db {
    /// Uploads of the application since `since` (for its daily cap).
    pub async fn uploads_since(&self, application_id: &str, since: i64) -> Result<i64> {
        let (n,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM uploads WHERE application_id = ? AND created_at >= ?",
        )
        .bind(application_id)
        .bind(since)
        .fetch_one(self.pool())
        .await?;
        Ok(n)
    }

    /// Stores a photo and its row, or neither: temporary file, row (only while the
    /// application is open and under its cap, checked in the insert itself so that
    /// concurrent uploads cannot pass it together), then the rename into `uploads`.
    pub async fn store_upload(
        &self,
        uploads: &Path,
        u: &NewUpload<'_>,
        bytes: &[u8],
        cap: DailyCap,
        now: i64,
    ) -> Result<Stored> {
        let temp_dir = temp_dir(uploads);
        tokio::fs::create_dir_all(&temp_dir)
            .await
            .map_err(file_error(&temp_dir))?;
        let temp = temp_dir.join(u.file_name);
        if let Err(e) = tokio::fs::write(&temp, bytes).await {
            let _ = tokio::fs::remove_file(&temp).await;
            return Err(file_error(&temp)(e));
        }
        let inserted = match self.insert_upload(u, cap, now).await {
            Ok(inserted) => inserted,
            Err(e) => {
                let _ = tokio::fs::remove_file(&temp).await;
                return Err(e);
            }
        };
        if !inserted {
            let _ = tokio::fs::remove_file(&temp).await;
            let open = self.open_application_by_id(u.application_id).await?;
            return Ok(if open.is_some() {
                Stored::CapReached
            } else {
                Stored::ApplicationClosed
            });
        }
        let target = uploads.join(u.file_name);
        if let Err(e) = tokio::fs::rename(&temp, &target).await {
            // Undo the row; if even that fails, the sweep completes the rename later.
            if self.delete_upload(u.id).await.is_ok() {
                let _ = tokio::fs::remove_file(&temp).await;
            }
            return Err(file_error(&target)(e));
        }
        Ok(Stored::Stored)
    }

    async fn insert_upload(&self, u: &NewUpload<'_>, cap: DailyCap, now: i64) -> Result<bool> {
        let done = sqlx::query(
            "INSERT INTO uploads (id, application_id, kind, file_name, bytes, width, height,
             recognized_json, created_at)
             SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?
             WHERE EXISTS (SELECT 1 FROM applications WHERE id = ? AND outcome = 'open')
               AND (SELECT COUNT(*) FROM uploads WHERE application_id = ? AND created_at >= ?) < ?",
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
        .bind(u.application_id)
        .bind(u.application_id)
        .bind(cap.since)
        .bind(cap.max)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn delete_upload(&self, id: &str) -> Result<()> {
        sqlx::query("DELETE FROM uploads WHERE id = ?")
            .bind(id)
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

    async fn has_row(&self, file_name: &str) -> Result<bool> {
        Ok(self
            .upload(id_of(file_name))
            .await?
            .is_some_and(|u| u.file_name == file_name))
    }

    /// Removes files in `uploads` that have no row, and temporary files older than
    /// `stale_after` (completing those whose row was committed). Younger temporary files
    /// belong to uploads in flight and are left alone; a file in `uploads` always had its
    /// row first, so none in flight is ever taken for an orphan.
    pub async fn sweep_uploads(&self, uploads: &Path, stale_after: Duration) -> Result<Swept> {
        let mut swept = Swept::default();
        for (path, name) in files_in(uploads).await? {
            if !self.has_row(&name).await? {
                remove(&path).await?;
                swept.orphans += 1;
            }
        }
        let now = SystemTime::now();
        for (path, name) in files_in(&temp_dir(uploads)).await? {
            let modified = tokio::fs::metadata(&path)
                .await
                .and_then(|m| m.modified())
                .map_err(file_error(&path))?;
            if now.duration_since(modified).unwrap_or_default() < stale_after {
                continue;
            }
            let target = uploads.join(&name);
            if self.has_row(&name).await? && !target.exists() {
                tokio::fs::rename(&path, &target)
                    .await
                    .map_err(file_error(&path))?;
                swept.completed += 1;
            } else {
                remove(&path).await?;
                swept.stale += 1;
            }
        }
        Ok(swept)
    }
}

/// The regular files directly in `dir` (none if it does not exist).
async fn files_in(dir: &Path) -> Result<Vec<(PathBuf, String)>> {
    let mut entries = match tokio::fs::read_dir(dir).await {
        Ok(entries) => entries,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(file_error(dir)(e)),
    };
    let mut files = Vec::new();
    while let Some(entry) = entries.next_entry().await.map_err(file_error(dir))? {
        let is_file = entry.file_type().await.map_err(file_error(dir))?.is_file();
        if is_file {
            // A name that is not UTF-8 matches no row: the sweep takes it for an orphan.
            let name = entry.file_name().to_string_lossy().into_owned();
            files.push((entry.path(), name));
        }
    }
    Ok(files)
}

async fn remove(path: &Path) -> Result<()> {
    match tokio::fs::remove_file(path).await {
        Err(e) if e.kind() != ErrorKind::NotFound => Err(file_error(path)(e)),
        _ => Ok(()),
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
