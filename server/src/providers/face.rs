//! Face verification, shaped like Tencent Cloud FaceID (providers.md §4): `DetectAuth` starts
//! a session for a name and ID number and answers a start URL and a `BizToken`; the person
//! goes there and comes back to the redirect URL; `GetDetectInfoEnhanced` then tells the
//! server what happened. The redirect alone proves nothing: the server always asks.

use async_trait::async_trait;

use super::ProviderError;
use crate::clock::Clock;
use crate::storage::{Db, LocalFaceStatus};

/// `DetectAuth`'s answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaceSession {
    /// Where the person verifies (FaceID's H5 page; the simulation page locally).
    pub url: String,
    pub biz_token: String,
}

/// The part of `GetDetectInfoEnhanced`'s `DetectInfoText` the flow reads, once the person
/// finished (`None` from [`FaceVerifier::detect_info`] while they have not).
#[derive(Debug, Clone, PartialEq)]
pub struct DetectInfo {
    /// `ErrCode`: 0 = passed; `None` when FaceID sent none (not a pass).
    pub err_code: Option<i64>,
    pub err_msg: String,
    /// `LiveStatus`, 0 = alive.
    pub live_status: Option<i64>,
    /// `Comparestatus`, 0 = the face is the ID's.
    pub compare_status: Option<i64>,
    /// `Sim`, 0–100 (≥ 70 the same person), when FaceID reports it.
    pub sim: Option<f64>,
    /// The name verified.
    pub name: String,
    /// The ID number verified. The local simulation does not know it (it compares nothing)
    /// and says `None`; the Tencent client maps a missing `IdCard` to a failed check.
    pub id_card: Option<String>,
}

impl DetectInfo {
    /// Liveness, comparison and the whole check passed.
    pub fn passed(&self) -> bool {
        self.err_code == Some(0) && self.live_status == Some(0) && self.compare_status == Some(0)
    }

    /// The check verified this person: their name, and their ID number where it was reported.
    pub fn is_person(&self, name: &str, id_number: &str) -> bool {
        self.name.trim() == name.trim()
            && self
                .id_card
                .as_deref()
                .is_none_or(|id| id.trim().eq_ignore_ascii_case(id_number.trim()))
    }
}

#[async_trait]
pub trait FaceVerifier: Send + Sync {
    /// Starts a session for this person. `redirect_url` gets `BizToken=<token>` appended when
    /// the person is done. Never log the ID number.
    async fn detect_auth(
        &self,
        name: &str,
        id_number: &str,
        redirect_url: &str,
    ) -> Result<FaceSession, ProviderError>;

    /// The result, `None` while the person has not finished.
    async fn detect_info(&self, biz_token: &str) -> Result<Option<DetectInfo>, ProviderError>;
}

/// Local mode: no face is compared. The start URL is a simulation page on this server
/// (`/dev/face/<token>`), plainly labelled, where whoever holds the phone taps 通过 or 不通过.
pub struct LocalFace {
    db: Db,
    clock: std::sync::Arc<dyn Clock>,
}

impl LocalFace {
    pub fn new(db: Db, clock: std::sync::Arc<dyn Clock>) -> Self {
        Self { db, clock }
    }
}

/// FaceID's BizToken lives 7200 s.
pub const BIZ_TOKEN_TTL_SECS: i64 = 7200;

#[async_trait]
impl FaceVerifier for LocalFace {
    async fn detect_auth(
        &self,
        name: &str,
        _id_number: &str,
        redirect_url: &str,
    ) -> Result<FaceSession, ProviderError> {
        let biz_token = crate::storage::new_id();
        self.db
            .insert_local_face(&biz_token, name, redirect_url, self.clock.now())
            .await?;
        Ok(FaceSession {
            url: format!("/dev/face/{biz_token}"),
            biz_token,
        })
    }

    async fn detect_info(&self, biz_token: &str) -> Result<Option<DetectInfo>, ProviderError> {
        let Some(session) = self.db.local_face(biz_token).await? else {
            return Err(ProviderError::Refused {
                provider: "face",
                message: "unknown BizToken".to_owned(),
            });
        };
        let (name, status) = (session.name, session.status);
        let expired = self.clock.now() - session.created_at > BIZ_TOKEN_TTL_SECS;
        Ok(match status {
            LocalFaceStatus::Pending if expired => Some(local_info(2004, "BizToken expired", name)),
            LocalFaceStatus::Pending => None,
            LocalFaceStatus::Passed => Some(local_info(0, "成功", name)),
            LocalFaceStatus::Failed => Some(local_info(1001, "比对不通过（本地模拟）", name)),
        })
    }
}

/// The simulation's answer: whoever tapped 通过 passed liveness and comparison alike.
fn local_info(err_code: i64, err_msg: &str, name: String) -> DetectInfo {
    let status = if err_code == 0 { 0 } else { err_code };
    DetectInfo {
        err_code: Some(err_code),
        err_msg: err_msg.to_owned(),
        live_status: Some(status),
        compare_status: Some(status),
        sim: None,
        name,
        id_card: None,
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::clock::ManualClock;

    async fn face() -> (LocalFace, Db, ManualClock) {
        let db = Db::connect("sqlite::memory:").await.unwrap();
        let clock = ManualClock::at(1_795_860_000);
        (
            LocalFace::new(db.clone(), Arc::new(clock.clone())),
            db,
            clock,
        )
    }

    #[tokio::test]
    async fn a_session_is_pending_until_answered_then_answers_that() {
        let (f, db, _) = face().await;
        let s = f
            .detect_auth("王建国", "330106197503120410", "/apply/face-return")
            .await
            .unwrap();
        assert_eq!(s.url, format!("/dev/face/{}", s.biz_token));
        assert_eq!(f.detect_info(&s.biz_token).await.unwrap(), None);
        assert!(db.answer_local_face(&s.biz_token, true).await.unwrap());
        assert!(
            !db.answer_local_face(&s.biz_token, false).await.unwrap(),
            "answered once"
        );
        let info = f.detect_info(&s.biz_token).await.unwrap().unwrap();
        assert!(info.passed());
        assert!(info.is_person("王建国", "330106197503120410"));
        assert!(!info.is_person("张伟", "330106197503120410"));
    }

    #[tokio::test]
    async fn a_failed_or_expired_session_is_not_zero_and_unknown_tokens_are_refused() {
        let (f, db, clock) = face().await;
        let s = f
            .detect_auth("王建国", "330106197503120410", "/r")
            .await
            .unwrap();
        db.answer_local_face(&s.biz_token, false).await.unwrap();
        assert!(!f.detect_info(&s.biz_token).await.unwrap().unwrap().passed());
        let late = f
            .detect_auth("王建国", "330106197503120410", "/r")
            .await
            .unwrap();
        clock.advance(BIZ_TOKEN_TTL_SECS + 1);
        assert!(!f
            .detect_info(&late.biz_token)
            .await
            .unwrap()
            .unwrap()
            .passed());
        assert!(f.detect_info("nope").await.is_err());
    }
}
