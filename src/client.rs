//! The one typed client of the JSON API, with one error type.
//!
//! A 401 anywhere also tells the app (an `auth-lost` window event) so that it can show the
//! "reopen from WeCom" page, whichever view made the call.

use api::wire::{
    self, paths, ApplicationView, ContactCodeRequest, ContactCodeSent, ContactVerifyRequest,
    ErrorBody, FaceOutcome, FaceResultRequest, FaceStart, LegalRepDecision, LegalRepLinkView,
    LegalRepNotifyRequest, LetterSubmitRequest, LetterTemplateSent, LetterView, LicenseForm,
    NotifyAdminsResult, RealNameRequest, ReviewDecision, ReviewItem, SessionInfo, SmsLinkView,
    WechatLookup,
};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// The window event sent when the server says the session is gone.
pub const AUTH_LOST_EVENT: &str = "esign-auth-lost";

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ApiError {
    /// No answer: offline, DNS, server down, or a proxy error page.
    #[error("网络连接失败，请检查网络后重试")]
    Network,
    /// The session is gone: reopen the app from WeCom.
    #[error("{0}")]
    Unauthorized(String),
    /// The server refused, with a message meant for the user.
    #[error("{}", .error.message)]
    Refused { status: u16, error: wire::ApiError },
    /// The server answered something this app does not understand (e.g. an older server).
    #[error("服务返回了无法识别的内容，请刷新后重试")]
    Decode,
}

impl ApiError {
    /// Seconds to wait, for a rate-limit refusal.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            ApiError::Refused { error, .. } => error.retry_after_secs,
            _ => None,
        }
    }

    /// The HTTP status of a refusal.
    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Refused { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// What kind of refusal it was.
    pub fn code(&self) -> Option<wire::ErrorCode> {
        match self {
            ApiError::Refused { error, .. } => Some(error.code),
            _ => None,
        }
    }

    /// The field a refusal is about, to show the message there.
    pub fn field(&self) -> Option<&str> {
        match self {
            ApiError::Refused { error, .. } => error.field.as_deref(),
            _ => None,
        }
    }
}

pub async fn get<T: DeserializeOwned>(path: &str) -> Result<T, ApiError> {
    let (status, text) = fetch("GET", path, None).await?;
    interpret(status, &text)
}

pub async fn post<T: DeserializeOwned, B: Serialize>(path: &str, body: &B) -> Result<T, ApiError> {
    let (status, text) = fetch("POST", path, Some(to_json(body)?)).await?;
    interpret(status, &text)
}

pub async fn put<T: DeserializeOwned, B: Serialize>(path: &str, body: &B) -> Result<T, ApiError> {
    let (status, text) = fetch("PUT", path, Some(to_json(body)?)).await?;
    interpret(status, &text)
}

pub async fn delete<T: DeserializeOwned>(path: &str) -> Result<T, ApiError> {
    let (status, text) = fetch("DELETE", path, None).await?;
    interpret(status, &text)
}

/// A GET for pages that work without a session (opened from an SMS): no session is `None`,
/// not the app-wide "reopen from WeCom" page.
async fn get_if_signed_in<T: DeserializeOwned>(path: &str) -> Result<Option<T>, ApiError> {
    let (status, text) = fetch("GET", path, None).await?;
    if status == 401 {
        return Ok(None);
    }
    interpret(status, &text).map(Some)
}

fn to_json<B: Serialize>(body: &B) -> Result<String, ApiError> {
    serde_json::to_string(body).map_err(|_| ApiError::Decode)
}

/// The one request function. Not generic on purpose: every call in the app shares this one
/// compiled future, and only the (synchronous) decoding is instantiated per type.
async fn fetch(method: &str, path: &str, json: Option<String>) -> Result<(u16, String), ApiError> {
    let response = send(method, path, json).await?;
    Ok((response.status(), text_of(&response).await?))
}

async fn send(
    method: &str,
    path: &str,
    json: Option<String>,
) -> Result<web_sys::Response, ApiError> {
    use wasm_bindgen::JsCast;

    let init = web_sys::RequestInit::new();
    init.set_method(method);
    if let Some(json) = json {
        let headers = web_sys::Headers::new().map_err(|_| ApiError::Network)?;
        headers
            .set("Content-Type", "application/json")
            .map_err(|_| ApiError::Network)?;
        init.set_headers(&headers);
        init.set_body(&wasm_bindgen::JsValue::from_str(&json));
    }
    let window = web_sys::window().ok_or(ApiError::Network)?;
    let response =
        wasm_bindgen_futures::JsFuture::from(window.fetch_with_str_and_init(path, &init))
            .await
            .map_err(|_| ApiError::Network)?;
    Ok(response.unchecked_into())
}

async fn text_of(response: &web_sys::Response) -> Result<String, ApiError> {
    let text = response.text().map_err(|_| ApiError::Network)?;
    Ok(wasm_bindgen_futures::JsFuture::from(text)
        .await
        .map_err(|_| ApiError::Network)?
        .as_string()
        .unwrap_or_default())
}

/// The one place that turns a status and a body into a result, for fetch and for uploads.
fn interpret<T: DeserializeOwned>(status: u16, text: &str) -> Result<T, ApiError> {
    if (200..300).contains(&status) {
        // 204 has no body: it is what a `()` answer looks like.
        let text = if status == 204 { "null" } else { text };
        return serde_json::from_str(text).map_err(|_| ApiError::Decode);
    }
    // Errors from this server are JSON; anything else (a gateway's HTML page) is a network fault.
    let Ok(ErrorBody { error }) = serde_json::from_str::<ErrorBody>(text) else {
        return Err(if status == 0 || status >= 500 {
            ApiError::Network
        } else {
            ApiError::Decode
        });
    };
    if status == 401 {
        announce_auth_lost();
        return Err(ApiError::Unauthorized(error.message));
    }
    Err(ApiError::Refused { status, error })
}

/// Uploads a photo as the raw request body, reporting progress (0.0–1.0) as it goes.
///
/// XMLHttpRequest, not fetch: fetch still has no upload progress in the WebViews we target.
pub async fn upload<T: DeserializeOwned>(
    path: &str,
    photo: &web_sys::Blob,
    on_progress: impl Fn(f64) + 'static,
) -> Result<T, ApiError> {
    let (status, text) = send_photo(path, photo, Box::new(on_progress)).await?;
    interpret(status, &text)
}

/// The XMLHttpRequest itself, compiled once (see `fetch`).
async fn send_photo(
    path: &str,
    photo: &web_sys::Blob,
    on_progress: Box<dyn Fn(f64)>,
) -> Result<(u16, String), ApiError> {
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;

    let xhr = web_sys::XmlHttpRequest::new().map_err(|_| ApiError::Network)?;
    xhr.open("POST", path).map_err(|_| ApiError::Network)?;
    let _ = xhr.set_request_header("Content-Type", &photo.type_());
    let progress =
        Closure::<dyn Fn(web_sys::ProgressEvent)>::new(move |e: web_sys::ProgressEvent| {
            if e.length_computable() && e.total() > 0.0 {
                on_progress(e.loaded() / e.total());
            }
        });
    if let Ok(target) = xhr.upload() {
        target.set_onprogress(Some(progress.as_ref().unchecked_ref()));
    }
    // Settles on load (any HTTP status) and on error/abort/timeout (no answer).
    let done = web_sys::js_sys::Promise::new(&mut |resolve, _reject| {
        xhr.set_onloadend(Some(&resolve));
    });
    xhr.send_with_opt_blob(Some(photo))
        .map_err(|_| ApiError::Network)?;
    let _ = wasm_bindgen_futures::JsFuture::from(done).await;
    drop(progress);
    let status = xhr.status().unwrap_or(0);
    let text = xhr.response_text().ok().flatten().unwrap_or_default();
    Ok((status, text))
}

fn announce_auth_lost() {
    if let (Some(window), Ok(event)) = (
        web_sys::window(),
        web_sys::CustomEvent::new(AUTH_LOST_EVENT),
    ) {
        let _ = window.dispatch_event(&event);
    }
}

pub async fn session() -> Result<SessionInfo, ApiError> {
    get(paths::SESSION).await
}

/// Where index.html's inline script leaves its `/api/session` request, started while the wasm
/// was still downloading: a promise of `{status, text}`.
const PREFETCHED_SESSION: &str = "__esignSession";

/// 首页's first session load: the answer index.html already asked for, taken once (so a later
/// refetch asks again), or a request of its own when there is none or it failed.
pub async fn first_session() -> Result<SessionInfo, ApiError> {
    match take_prefetched_session().await {
        Some((status, text)) => interpret(status, &text),
        None => session().await,
    }
}

async fn take_prefetched_session() -> Option<(u16, String)> {
    use wasm_bindgen::JsCast;
    use web_sys::js_sys::{Promise, Reflect};
    let window: wasm_bindgen::JsValue = web_sys::window()?.into();
    let key = wasm_bindgen::JsValue::from_str(PREFETCHED_SESSION);
    let promise = Reflect::get(&window, &key)
        .ok()?
        .dyn_into::<Promise>()
        .ok()?;
    let _ = Reflect::delete_property(window.unchecked_ref::<web_sys::js_sys::Object>(), &key);
    let answer = wasm_bindgen_futures::JsFuture::from(promise).await.ok()?;
    let status = Reflect::get(&answer, &"status".into()).ok()?.as_f64()?;
    let text = Reflect::get(&answer, &"text".into()).ok()?.as_string()?;
    // 0: the request never got an answer; ask again rather than report it from here.
    (status >= 100.0).then_some((status as u16, text))
}

pub async fn notify_admins() -> Result<NotifyAdminsResult, ApiError> {
    post(paths::NOTIFY_ADMINS, &()).await
}

pub async fn application() -> Result<ApplicationView, ApiError> {
    get(paths::APPLICATION).await
}

/// 去认证: starts the corp's application, or resumes the caller's own.
pub async fn start_application() -> Result<ApplicationView, ApiError> {
    post(paths::APPLICATION, &()).await
}

pub async fn submit_real_name(req: RealNameRequest) -> Result<ApplicationView, ApiError> {
    post(paths::REAL_NAME, &req).await
}

pub async fn confirm_license(form: LicenseForm) -> Result<ApplicationView, ApiError> {
    put(paths::LICENSE, &form).await
}

/// 上传证照 after a reload: the last photo and what it read.
pub async fn license_draft() -> Result<wire::LicenseDraft, ApiError> {
    get(paths::LICENSE).await
}

/// One of the caller's photos as an object URL (the caller revokes it). Fetched here, with the
/// session, because WKWebView's native image loads may go without the cookie.
pub async fn photo_object_url(path: &str) -> Result<String, ApiError> {
    use wasm_bindgen::JsCast;

    let response = send("GET", path, None).await?;
    if response.status() != 200 {
        let status = response.status();
        let text = text_of(&response).await?;
        return interpret::<()>(status, &text).and(Err(ApiError::Decode));
    }
    let blob = response.blob().map_err(|_| ApiError::Network)?;
    let blob: web_sys::Blob = wasm_bindgen_futures::JsFuture::from(blob)
        .await
        .map_err(|_| ApiError::Network)?
        .unchecked_into();
    web_sys::Url::create_object_url_with_blob(&blob).map_err(|_| ApiError::Decode)
}

pub async fn wechat_enterprise(uscc: &str) -> Result<WechatLookup, ApiError> {
    get(&format!("{}?uscc={}", paths::WECHAT_ENTERPRISE, uscc)).await
}

pub async fn send_contact_code(phone: String) -> Result<ContactCodeSent, ApiError> {
    post(paths::CONTACT_CODE, &ContactCodeRequest { phone }).await
}

pub async fn verify_contact(phone: String, code: String) -> Result<ApplicationView, ApiError> {
    post(paths::CONTACT_VERIFY, &ContactVerifyRequest { phone, code }).await
}

/// Path 1 of 超管授权: where to verify the legal representative's face.
pub async fn start_face() -> Result<FaceStart, ApiError> {
    post(paths::FACE, &()).await
}

/// Back from face verification: the server asks the provider and decides.
pub async fn face_result(biz_token: String) -> Result<FaceOutcome, ApiError> {
    post(paths::FACE_RESULT, &FaceResultRequest { biz_token }).await
}

/// 短信通知法人 → 确认.
pub async fn notify_legal_rep(phone: String) -> Result<SmsLinkView, ApiError> {
    post(paths::LEGAL_REP, &LegalRepNotifyRequest { phone }).await
}

/// Withdraws the live link.
pub async fn cancel_legal_rep() -> Result<SmsLinkView, ApiError> {
    delete(paths::LEGAL_REP).await
}

fn link_path(template: &str, token: &str) -> String {
    template.replace("{token}", token)
}

/// What a legal representative's link asks (no session needed).
pub async fn legal_rep_link(token: &str) -> Result<LegalRepLinkView, ApiError> {
    get(&link_path(paths::LEGAL_REP_LINK, token)).await
}

pub async fn legal_rep_face(token: &str, req: RealNameRequest) -> Result<FaceStart, ApiError> {
    post(&link_path(paths::LEGAL_REP_FACE, token), &req).await
}

pub async fn legal_rep_face_result(
    token: &str,
    biz_token: String,
) -> Result<FaceOutcome, ApiError> {
    post(
        &link_path(paths::LEGAL_REP_FACE_RESULT, token),
        &FaceResultRequest { biz_token },
    )
    .await
}

/// 授权 / 拒绝.
pub async fn legal_rep_decide(token: &str, approve: bool) -> Result<(), ApiError> {
    post_no_content(
        &link_path(paths::LEGAL_REP_DECISION, token),
        &LegalRepDecision { approve },
    )
    .await
}

/// A POST the server answers with 204 and no body.
async fn post_no_content<B: Serialize>(path: &str, body: &B) -> Result<(), ApiError> {
    post::<(), B>(path, body).await
}

/// 获取授权书模板: sent as a WeCom message; also downloadable.
pub async fn send_letter_template() -> Result<LetterTemplateSent, ApiError> {
    post(paths::LETTER_TEMPLATE, &()).await
}

/// 下一步 with the letter photos.
pub async fn submit_letter(upload_ids: Vec<String>) -> Result<LetterView, ApiError> {
    post(paths::LETTER, &LetterSubmitRequest { upload_ids }).await
}

/// The reviewer's queue.
pub async fn reviews() -> Result<Vec<ReviewItem>, ApiError> {
    get(paths::OPS_REVIEWS).await
}

/// 通过 / 驳回.
pub async fn review(id: &str, decision: ReviewDecision) -> Result<(), ApiError> {
    post_no_content(&paths::OPS_REVIEW.replace("{id}", id), &decision).await
}

/// 个人实名认证 outside an application (invited employees, a super admin about to link).
pub async fn verify_me(req: RealNameRequest) -> Result<wire::PersonVerification, ApiError> {
    post(paths::MY_REAL_NAME, &req).await
}

/// 关联微信账户: by code, or (`None`) among the verified person's memberships.
pub async fn link_wechat(uscc: Option<String>) -> Result<ApplicationView, ApiError> {
    post(paths::WECHAT_LINK, &wire::WechatLinkRequest { uscc }).await
}

/// Back to 上传证照 (scenario 1).
pub async fn unlink_wechat() -> Result<ApplicationView, ApiError> {
    delete(paths::WECHAT_LINK).await
}

/// 短信通知超级管理员 → 确定.
pub async fn notify_super_admin() -> Result<SmsLinkView, ApiError> {
    post(paths::SUPER_ADMIN_NOTICE, &()).await
}

/// The applicant is the super admin: where their activation page is.
pub async fn activate_directly() -> Result<wire::ActivationStart, ApiError> {
    post(paths::ACTIVATION, &()).await
}

/// What a super admin's activation link asks (no session needed).
pub async fn activation(token: &str) -> Result<wire::ActivationView, ApiError> {
    get(&link_path(paths::ACTIVATE_LINK, token)).await
}

/// 确认开通 with the agreement version read.
pub async fn confirm_activation(token: &str, agreement_version: String) -> Result<(), ApiError> {
    post_no_content(
        &link_path(paths::ACTIVATE_CONFIRM, token),
        &wire::ActivationConfirm {
            agreement_version,
            accepted: true,
        },
    )
    .await
}

pub async fn activation_face(
    token: &str,
    identity: Option<RealNameRequest>,
) -> Result<FaceStart, ApiError> {
    post(
        &link_path(paths::ACTIVATE_FACE, token),
        &wire::ActivationFaceRequest { identity },
    )
    .await
}

pub async fn activation_face_result(
    token: &str,
    biz_token: String,
) -> Result<FaceOutcome, ApiError> {
    post(
        &link_path(paths::ACTIVATE_FACE_RESULT, token),
        &FaceResultRequest { biz_token },
    )
    .await
}

/// The verified enterprise (success page).
pub async fn enterprise() -> Result<wire::EnterpriseView, ApiError> {
    get(paths::ENTERPRISE).await
}

/// The same, from a page opened outside WeCom: `None` without a session.
pub async fn enterprise_if_signed_in() -> Result<Option<wire::EnterpriseView>, ApiError> {
    get_if_signed_in(paths::ENTERPRISE).await
}

/// 撤销认证: the applicant withdraws the application.
pub async fn withdraw_application() -> Result<(), ApiError> {
    delete(paths::APPLICATION).await
}

/// 接管认证 of an application untouched for 30 days.
pub async fn take_over() -> Result<ApplicationView, ApiError> {
    post(paths::TAKEOVER, &()).await
}

/// The super admin on record starts the face check that makes them super admin here.
pub async fn start_claim() -> Result<FaceStart, ApiError> {
    post(paths::CLAIM_FACE, &()).await
}

pub async fn claim_result(biz_token: String) -> Result<FaceOutcome, ApiError> {
    post(paths::CLAIM_FACE_RESULT, &FaceResultRequest { biz_token }).await
}

/// 邀请企业员工在企业微信使用 → 确定.
pub async fn invite_employees() -> Result<wire::InvitationResult, ApiError> {
    post(paths::INVITATIONS, &()).await
}
