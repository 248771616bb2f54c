//! Face checks this server started for a signed-in member (超管授权's own face, the super
//! admin's claim): a BizToken counts only for the application, person, purpose and session it
//! was started for, once, and only once the provider says it finished.

use super::{Ctx, Error};
use crate::providers::face::DetectInfo;
use crate::storage::{FaceCheckRow, FacePurpose};

/// Who a face check belongs to.
pub struct FaceOwner<'a> {
    pub application_id: &'a str,
    pub member_id: &'a str,
    pub purpose: FacePurpose,
    /// The caller's session hash: another session holding the BizToken gets nothing from it.
    pub session: &'a Option<String>,
}

/// The answer to a BizToken whose result was used already (a replay).
pub fn used() -> Error {
    Error::Conflict("这次人脸识别的结果已使用，请重新发起".to_owned())
}

/// The caller's own, unused face check and what the provider says of it.
pub async fn finished(
    cx: &Ctx<'_>,
    biz_token: &str,
    owner: &FaceOwner<'_>,
) -> Result<(FaceCheckRow, DetectInfo), Error> {
    let check = cx
        .db
        .face_check(biz_token)
        .await?
        .filter(|c| {
            c.application_id == owner.application_id
                && c.member_id == owner.member_id
                && c.purpose == owner.purpose
                && owner.session.is_some()
                && c.session_hash == *owner.session
        })
        .ok_or_else(|| Error::NotFound("未找到这次人脸识别，请重新发起".to_owned()))?;
    if check.result.is_some() {
        return Err(used());
    }
    let info = cx
        .providers
        .face
        .detect_info(&check.biz_token)
        .await?
        .ok_or_else(|| Error::Conflict("人脸识别尚未完成，请完成后再返回".to_owned()))?;
    Ok((check, info))
}
