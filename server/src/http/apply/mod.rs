//! The application's steps (scenario 1): start, resume, and one module per step.
//! Every handler goes through [`applicant`], so only the admin who started may act.

mod authorize;
mod contact;
mod legal_rep;
mod letter;
mod license;
mod live;
mod photo;
mod real_name;
mod wechat;

use api::validate::mask_name;
use api::wire::{
    ApplicationView, ContactInfo, EntryRole, ErrorBody, PersonSummary, PersonVerification, Scenario,
};
use axum::extract::DefaultBodyLimit;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::entry::{member_corp, refresh_admin, role, ADMIN_STATUS_MAX_AGE_SECS};
use super::error::Error;
use super::extract::CurrentMember;
use super::AppState;
use crate::flow::{self, FlowError};
use crate::providers::wecom::AppMessage;
use crate::storage::{ApplicationRow, CorpRow, Event, MemberRow, Outcome};

/// Phone photos arrive compressed (< 1 MB); the server still takes up to this much.
pub const MAX_PHOTO_BYTES: usize = 8 * 1024 * 1024;

pub fn router() -> OpenApiRouter<AppState> {
    let photo = OpenApiRouter::new()
        .routes(routes!(license::license_photo))
        .routes(routes!(letter::letter_photo))
        // One byte over the limit, so that the handler (not axum) answers 413 in our shape.
        .layer(DefaultBodyLimit::max(MAX_PHOTO_BYTES + 1));
    OpenApiRouter::new()
        .routes(routes!(current_application, start_application, withdraw))
        .routes(routes!(live::application_events))
        .routes(routes!(take_over))
        .routes(routes!(real_name::submit))
        .routes(routes!(license::confirm))
        .routes(routes!(license::wechat_enterprise))
        .routes(routes!(contact::send_code))
        .routes(routes!(contact::verify))
        .routes(routes!(authorize::start_face))
        .routes(routes!(authorize::face_result))
        .routes(routes!(legal_rep::notify, legal_rep::cancel))
        .routes(routes!(letter::send_template))
        .routes(routes!(letter::template_pdf))
        .routes(routes!(letter::submit))
        .routes(routes!(wechat::link, wechat::unlink))
        .routes(routes!(wechat::notify_super_admin))
        .routes(routes!(wechat::activate_directly))
        .merge(photo)
}

impl From<FlowError> for Error {
    fn from(e: FlowError) -> Self {
        match e {
            FlowError::NotReachable(_) => Error::Conflict("请先完成前面的认证步骤".to_owned()),
            FlowError::NotSubmittable(_) => Error::Conflict("该步骤无需提交".to_owned()),
            FlowError::OtherScenario(_) => Error::Conflict(
                "您已选择关联微信账户，如需上传证照认证，请先返回上一步取消关联".to_owned(),
            ),
        }
    }
}

/// The signed-in admin, their corp, and the application they started.
pub(super) struct Applicant {
    pub member: MemberRow,
    pub corp: CorpRow,
    pub app: ApplicationRow,
}

/// The member's corp, if they may start or carry on an application there as its admin.
async fn admin_corp(state: &AppState, member: &MemberRow) -> Result<CorpRow, Error> {
    let corp = member_corp(state, member).await?;
    match (role(member, corp.as_ref()), corp) {
        (EntryRole::Admin, Some(corp)) => Ok(corp),
        (EntryRole::AdminMemberMode, _) => Err(Error::Forbidden(
            "应用当前为成员授权，请先在企业微信管理后台将授权方式切换为“企业管理员授权使用”"
                .to_owned(),
        )),
        (EntryRole::Staff, _) => Err(Error::Forbidden("工作人员账号不能发起企业认证".to_owned())),
        _ => Err(Error::Forbidden(
            "仅企业微信管理员可以发起企业认证，您可以通知企微管理员".to_owned(),
        )),
    }
}

/// The member as WeCom says now, and their corp as its admin: for a step that needs admin
/// rights, so that a demoted admin loses them at once.
async fn current_admin(state: &AppState, member: MemberRow) -> Result<(MemberRow, CorpRow), Error> {
    let member = refresh_admin(state, member, 0).await?;
    let corp = admin_corp(state, &member).await?;
    Ok((member, corp))
}

pub(in crate::http) async fn applicant_name(
    state: &AppState,
    app: &ApplicationRow,
) -> Result<String, Error> {
    Ok(state
        .db
        .member(&app.applicant_id)
        .await?
        .map(|m| m.name)
        .unwrap_or_default())
}

/// The applicant of the corp's open application, for a step: admin status asked of WeCom now.
pub(super) async fn applicant(state: &AppState, member: MemberRow) -> Result<Applicant, Error> {
    applicant_as_of(state, member, 0).await
}

/// The same, trusting an admin status up to `max_age_secs` old (pages that poll only read).
async fn applicant_as_of(
    state: &AppState,
    member: MemberRow,
    max_age_secs: i64,
) -> Result<Applicant, Error> {
    let member = refresh_admin(state, member, max_age_secs).await?;
    let corp = match admin_corp(state, &member).await {
        Ok(corp) => corp,
        // A WeChat-side super admin who is not a WeCom admin may only have started scenario 2.
        Err(refusal) => return own_wechat_application(state, member).await?.ok_or(refusal),
    };
    let app = state
        .db
        .open_application(&corp.id)
        .await?
        .ok_or_else(|| Error::NotFound("尚未发起企业认证，请从首页点击“去认证”".to_owned()))?;
    if app.applicant_id != member.id {
        let who = mask_name(&applicant_name(state, &app).await?);
        return Err(Error::Forbidden(format!(
            "{who}正在进行企业认证，仅发起人可以继续"
        )));
    }
    Ok(Applicant { member, corp, app })
}

/// The applicant, for a step of scenario 1 (refused once the application links a WeChat
/// account).
pub(super) async fn scenario_one(
    state: &AppState,
    member: MemberRow,
    step: api::wire::ApplyStep,
) -> Result<Applicant, Error> {
    let a = applicant(state, member).await?;
    flow::check_scenario(a.app.scenario, step)?;
    Ok(a)
}

async fn own_wechat_application(
    state: &AppState,
    member: MemberRow,
) -> Result<Option<Applicant>, Error> {
    let Some(corp) = member_corp(state, &member).await? else {
        return Ok(None);
    };
    let app = state
        .db
        .open_application(&corp.id)
        .await?
        .filter(|a| a.applicant_id == member.id && a.scenario == Scenario::Wechat);
    Ok(app.map(|app| Applicant { member, corp, app }))
}

pub(super) async fn view(state: &AppState, a: &Applicant) -> Result<ApplicationView, Error> {
    let now = state.clock.now();
    let person = state.db.verified_person(&a.member.id).await?;
    let license = a.app.license();
    let authorize_path = authorize::path_for(a, license.as_ref(), person.as_ref());
    let contact = a
        .app
        .contact_masked
        .clone()
        .map(|phone_masked| ContactInfo {
            phone_masked,
            verified: a.app.contact_verified_at.is_some(),
        });
    let sms_resend_in_secs = state
        .db
        .latest_sms_code(&a.member.id)
        .await?
        .map(|c| c.sent_at + contact::RESEND_SECS - now)
        .filter(|left| *left > 0)
        .map(|left| left as u64);
    Ok(ApplicationView {
        id: a.app.id.clone(),
        corp_name: a.corp.name.clone(),
        step: a.app.step,
        applicant: PersonSummary {
            id: a.member.id.clone(),
            name: a.member.name.clone(),
        },
        real_name: person.map(|p| PersonVerification {
            name: p.name,
            id_masked: p.id_masked,
            verified_at: p.verified_at,
        }),
        license,
        contact,
        sms_resend_in_secs,
        authorize_path,
        legal_rep: legal_rep::request_view(state, a).await?,
        letter: letter::letter_view(state, a).await?,
        scenario: a.app.scenario,
        wechat: wechat::link_view(state, a).await?,
    })
}

/// Moves the application past `done` and records it on the timeline.
pub(super) async fn advance(
    state: &AppState,
    a: &mut Applicant,
    done: api::wire::ApplyStep,
    event: &str,
    detail: Option<&str>,
) -> Result<(), Error> {
    let now = state.clock.now();
    flow::check_scenario(a.app.scenario, done)?;
    let next = flow::complete(a.app.step, done)?;
    if next != a.app.step {
        state.db.set_step(&a.app.id, next, now).await?;
        a.app.step = next;
    }
    state
        .db
        .append_event(&a.app.id, Some(&a.member.id), event, detail, now)
        .await?;
    Ok(())
}

/// The corp's application, for the admin who started it: where to resume, and what each step
/// already holds (masked).
#[utoipa::path(get, path = "/api/application", tag = "apply",
    responses(
        (status = 200, description = "The application in progress", body = ApplicationView),
        (status = 401, description = "No session", body = ErrorBody),
        (status = 403, description = "Not an admin, or another admin's application", body = ErrorBody),
        (status = 404, description = "No application in progress", body = ErrorBody),
    ))]
pub async fn current_application(
    State(state): State<AppState>,
    CurrentMember(member): CurrentMember,
) -> Result<Json<ApplicationView>, Error> {
    // The waiting pages poll this: no WeCom call each time.
    let a = applicant_as_of(&state, member, ADMIN_STATUS_MAX_AGE_SECS).await?;
    Ok(Json(view(&state, &a).await?))
}

/// 去认证: starts the corp's application, or resumes the caller's own. Exactly one application
/// is open per corp, even when two admins start at the same moment.
#[utoipa::path(post, path = "/api/application", tag = "apply",
    responses(
        (status = 201, description = "Started", body = ApplicationView),
        (status = 200, description = "Already started by the caller: resume", body = ApplicationView),
        (status = 401, description = "No session", body = ErrorBody),
        (status = 403, description = "Only WeCom admins of an 企业管理员授权 install may start", body = ErrorBody),
        (status = 409, description = "Another admin is verifying, or the enterprise is verified", body = ErrorBody),
    ))]
pub async fn start_application(
    State(state): State<AppState>,
    CurrentMember(member): CurrentMember,
) -> Result<(StatusCode, Json<ApplicationView>), Error> {
    let (member, corp) = current_admin(&state, member).await?;
    if let Some(current) = state.db.current_application(&corp.id).await? {
        if current.outcome == Outcome::Verified {
            return Err(Error::Conflict("企业已完成认证，无需再次认证".to_owned()));
        }
    }
    let verified = state.db.verified_person(&member.id).await?.is_some();
    let (app, created) = state
        .db
        .start_application(
            &corp.id,
            &member.id,
            flow::start(verified),
            state.clock.now(),
        )
        .await?;
    if app.applicant_id != member.id {
        let who = mask_name(&applicant_name(&state, &app).await?);
        return Err(Error::Conflict(format!(
            "{who}已在进行企业认证，请等待其完成"
        )));
    }
    let a = Applicant { member, corp, app };
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(view(&state, &a).await?)))
}

/// 撤销认证: the applicant withdraws the application. Its pending links and letters stop
/// working, and any admin may start again.
#[utoipa::path(delete, path = "/api/application", tag = "apply",
    responses(
        (status = 204, description = "Withdrawn"),
        (status = 401, description = "No session", body = ErrorBody),
        (status = 403, description = "Not the applicant", body = ErrorBody),
        (status = 404, description = "No application in progress", body = ErrorBody),
    ))]
pub async fn withdraw(
    State(state): State<AppState>,
    CurrentMember(member): CurrentMember,
) -> Result<StatusCode, Error> {
    let a = applicant(&state, member).await?;
    let event = Event {
        actor_id: Some(&a.member.id),
        kind: "withdrawn",
        detail: None,
    };
    if !state
        .db
        .end_application(&a.app.id, event, state.clock.now())
        .await?
    {
        return Err(Error::NotFound("尚未发起企业认证".to_owned()));
    }
    Ok(StatusCode::NO_CONTENT)
}

/// 接管认证: another admin of the corp takes over an application that sat untouched for 30
/// days. The old one ends (recorded on its timeline), a new one starts for the caller.
#[utoipa::path(post, path = "/api/application/takeover", tag = "apply",
    responses(
        (status = 201, description = "Taken over: a new application for the caller", body = ApplicationView),
        (status = 401, description = "No session", body = ErrorBody),
        (status = 403, description = "Only WeCom admins of an 企业管理员授权 install may take over", body = ErrorBody),
        (status = 404, description = "No application in progress", body = ErrorBody),
        (status = 409, description = "The caller's own application, or still active within 30 days", body = ErrorBody),
    ))]
pub async fn take_over(
    State(state): State<AppState>,
    CurrentMember(member): CurrentMember,
) -> Result<(StatusCode, Json<ApplicationView>), Error> {
    let (member, corp) = current_admin(&state, member).await?;
    let old = state
        .db
        .open_application(&corp.id)
        .await?
        .ok_or_else(|| Error::NotFound("尚未发起企业认证".to_owned()))?;
    if old.applicant_id == member.id {
        return Err(Error::Conflict(
            "这是您发起的企业认证，请直接继续".to_owned(),
        ));
    }
    let now = state.clock.now();
    let last = state.db.last_activity(&old.id).await?;
    if !flow::may_take_over(last, now) {
        let days = (last + flow::TAKEOVER_AFTER_SECS - now + 86_399) / 86_400;
        let who = mask_name(&applicant_name(&state, &old).await?);
        return Err(Error::Conflict(format!(
            "{who}正在进行企业认证，{days}天内无进展后方可接管"
        )));
    }
    let who = mask_name(&applicant_name(&state, &old).await?);
    let event = Event {
        actor_id: Some(&member.id),
        kind: "taken_over",
        detail: Some(&who),
    };
    if !state.db.end_application(&old.id, event, now).await? {
        return Err(Error::Conflict(
            "该企业认证刚刚有了新进展，请刷新后重试".to_owned(),
        ));
    }
    let verified = state.db.verified_person(&member.id).await?.is_some();
    let (app, _) = state
        .db
        .start_application(&corp.id, &member.id, flow::start(verified), now)
        .await?;
    if app.applicant_id != member.id {
        return Err(Error::Conflict(
            "其他管理员刚刚发起了企业认证，请稍后再试".to_owned(),
        ));
    }
    let message = AppMessage {
        text: format!(
            "您发起的企业认证已超过30天无进展，已由管理员{}接管。",
            mask_name(&member.name)
        ),
        link: Some("/".to_owned()),
    };
    if let Err(e) = state
        .providers
        .wecom
        .send(&corp.id, &old.applicant_id, &message)
        .await
    {
        // The takeover stands; the old applicant's 首页 shows who verifies now.
        tracing::warn!(error = %e, "takeover: the WeCom message to the old applicant failed");
    }
    let a = Applicant { member, corp, app };
    Ok((StatusCode::CREATED, Json(view(&state, &a).await?)))
}

/// Start of the current day in China (UTC+8), for daily caps; and seconds until the next.
pub(super) fn china_day(now: i64) -> (i64, u64) {
    const OFFSET: i64 = 8 * 3600;
    let start = (now + OFFSET).div_euclid(86_400) * 86_400 - OFFSET;
    (start, (start + 86_400 - now) as u64)
}

/// Today's date in China, for "not in the future" checks.
pub(super) fn china_today(now: i64) -> (i32, u32, u32) {
    use chrono::Datelike;
    let date = chrono::DateTime::from_timestamp(now + 8 * 3600, 0)
        .unwrap_or_default()
        .date_naive();
    (date.year(), date.month(), date.day())
}

#[cfg(test)]
mod tests {
    use super::{china_day, china_today};

    #[test]
    fn the_day_turns_at_midnight_in_china() {
        // 2026-11-28 15:59:59 UTC is 23:59:59 in China.
        let t = 1_795_881_599;
        let (start, left) = china_day(t);
        assert_eq!(left, 1);
        assert_eq!(china_day(t + 1).0, start + 86_400);
        assert_eq!(china_today(t), (2026, 11, 28));
        assert_eq!(china_today(t + 1), (2026, 11, 29));
    }
}
