//! What every one-time SMS link shares (短信通知法人, the super admin's activation): opening it
//! while it works, the face session started from it, and the limits on sending another.

use api::wire::FaceOutcome;

use super::error::wait_text;
use super::link::{LinkPurpose, LinkRefusal};
use super::{limits, Ctx, Error};
use crate::clock::china_day;
use crate::providers::face::DetectInfo;
use crate::storage::{ApplicationRow, Event, LinkRow, NewLink};

/// Starts a face session from a link, within its limits, for the person named, and records it on
/// the link with the session that started it; returns the face page's URL. `back` is the
/// page FaceID returns to.
pub async fn start_face(
    cx: &Ctx<'_>,
    row: &LinkRow,
    ip: &str,
    session: &Option<String>,
    name: &str,
    id_number: &str,
    back: &str,
) -> Result<String, Error> {
    limits::link_face_session(cx, row, ip, id_number).await?;
    let face = cx
        .providers
        .face
        .detect_auth(name, id_number, &cx.absolute(back))
        .await?;
    cx.db
        .set_link_face(&row.id, &face.biz_token, session.as_deref())
        .await?;
    Ok(face.url)
}

/// The link a token opens, while it works, with its still-open application. An application
/// that ended another way (verified, cancelled) leaves the link nothing to do.
pub async fn open(
    cx: &Ctx<'_>,
    token: &str,
    purposes: &[LinkPurpose],
) -> Result<(LinkRow, ApplicationRow), Error> {
    let row = cx
        .db
        .link_by_token(token, purposes)
        .await?
        .ok_or_else(|| Error::NotFound("链接无效，请检查短信中的链接是否完整".to_owned()))?;
    row.link.usable(cx.clock.now())?;
    let app = cx
        .db
        .open_application_by_id(&row.application_id)
        .await?
        .ok_or(LinkRefusal::Used)?;
    Ok((row, app))
}

/// Failed face checks one link allows; then the sender must send a new one.
pub const MAX_FACE_FAILURES: i64 = 5;

/// Before a face check from this link: refused once it failed too often.
pub async fn may_try_face(cx: &Ctx<'_>, row: &LinkRow) -> Result<(), Error> {
    if cx.db.link_face_failures(&row.id).await? >= MAX_FACE_FAILURES {
        return Err(Error::Forbidden(
            "人脸识别失败次数过多，此链接已无法继续使用，请联系经办人重新发送短信".to_owned(),
        ));
    }
    Ok(())
}

/// A face check from a link that passed: whose, and how many failures the link still allows.
pub struct PassedFace {
    pub info: DetectInfo,
    retries_left: u32,
}

impl PassedFace {
    /// The answer to the person, once the use case accepted who passed.
    pub fn outcome(&self, message: &str) -> FaceOutcome {
        FaceOutcome {
            passed: true,
            message: message.to_owned(),
            retries_left: self.retries_left,
        }
    }
}

/// The result of the face session started from this link: passed, or the outcome to answer
/// when it failed. The BizToken must be the one started here, by this same session (or, like
/// it, by none).
pub async fn face_result(
    cx: &Ctx<'_>,
    row: &LinkRow,
    biz_token: &str,
    session: &Option<String>,
) -> Result<Result<PassedFace, FaceOutcome>, Error> {
    let (started, _) = cx.db.link_face(&row.id).await?;
    if started.as_deref() != Some(biz_token) || row.face_session != *session {
        return Err(Error::NotFound("未找到这次人脸识别，请重新发起".to_owned()));
    }
    let info = cx
        .providers
        .face
        .detect_info(biz_token)
        .await?
        .ok_or_else(|| Error::Conflict("人脸识别尚未完成，请完成后再返回".to_owned()))?;
    if !info.passed() {
        let failures = cx.db.record_link_face_failure(&row.id).await?;
        let left = (MAX_FACE_FAILURES - failures).max(0);
        let message = if left > 0 {
            format!("人脸识别未通过，请在光线充足处正对屏幕重试（还可重试{left}次）")
        } else {
            "人脸识别未通过，且失败次数过多，此链接已无法继续使用，请联系经办人重新发送短信"
                .to_owned()
        };
        return Ok(Err(FaceOutcome {
            passed: false,
            message,
            retries_left: left as u32,
        }));
    }
    let failures = cx.db.link_face_failures(&row.id).await?;
    Ok(Ok(PassedFace {
        info,
        retries_left: (MAX_FACE_FAILURES - failures).max(0) as u32,
    }))
}

/// Records and returns a new SMS link if another may go out now: not within a minute of a
/// pending one, `max_per_day` a day for the application, and under the sender's address cap.
/// The checks and the write are one locked transaction, so of many taps at once one sends.
/// `whom` names the recipient in the refusal (法人, 超级管理员). `event` is recorded with the
/// link; the SMS goes out after, outside the transaction.
pub async fn record_send(
    cx: &Ctx<'_>,
    ip: &str,
    new: &NewLink<'_>,
    event: Event<'_>,
    now: i64,
    max_per_day: i64,
    whom: &str,
) -> Result<LinkRow, Error> {
    let (today, until_tomorrow) = china_day(now);
    let by_ip = limits::link_sms_sends(cx, ip);
    cx.db
        .insert_link_if(new, event, now, today, by_ip.limits(), |latest, sent| {
            if let Some(wait) = latest.and_then(|r| r.link.resend_wait(now)) {
                return Err(Error::RateLimited {
                    message: format!("短信已发送，请{}后再重新发送", wait_text(wait)),
                    retry_after_secs: wait,
                });
            }
            if sent >= max_per_day {
                return Err(Error::RateLimited {
                    message: format!(
                        "今日通知{whom}次数已达上限，请{}后再试",
                        wait_text(until_tomorrow)
                    ),
                    retry_after_secs: until_tomorrow,
                });
            }
            Ok(())
        })
        .await?
        .map_err(|b| by_ip.blocked(b))
}
