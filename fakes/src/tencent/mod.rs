//! Tencent Cloud's SMS, OCR and FaceID APIs (providers.md §2–§5) as one axum router: every
//! call is `POST /` with `X-TC-Action`, the TC3 signature is checked by this fake's own code
//! for the service the action belongs to, and the answer is the documented JSON envelope,
//! errors included. `/_fake/*` lets a test read what arrived and steer the next answers.
//!
//! ```no_run
//! # async fn run() {
//! let fake = fakes::tencent::Fake::new("AKIDfake", "fake-secret-key");
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
//! let app = fake.router();
//! tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
//! # }
//! ```

mod actions;
mod h5;
pub mod sign;

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

pub use sign::Refusal;

/// The fake: its state is shared by every clone and by the router it serves.
#[derive(Clone)]
pub struct Fake {
    inner: Arc<Inner>,
}

struct Inner {
    secret_id: String,
    secret_key: String,
    state: Mutex<FakeState>,
}

/// Calls received and refused, per service (`sms`, `ocr`, `faceid`; `other` for an action
/// none of them serves).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub calls: u64,
    pub rejected: u64,
}

/// One `SendSms` number as received.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmsMessage {
    /// As sent, e.g. `+8613800138000`.
    pub phone: String,
    pub sdk_app_id: String,
    pub sign_name: String,
    pub template_id: String,
    pub params: Vec<String>,
    /// The per-number `Code` answered (`Ok` when sent).
    pub code: String,
}

/// A face session started by `DetectAuth`.
#[derive(Debug, Clone)]
pub(crate) struct FaceSession {
    rule_id: String,
    name: String,
    id_card: String,
    redirect_url: String,
    /// `None` until the H5 page's 通过 / 不通过.
    passed: Option<bool>,
    /// This fake's clock when `DetectAuth` answered.
    created_at: i64,
}

/// A BizToken lives this long.
pub const BIZ_TOKEN_TTL_SECS: i64 = 7200;

#[derive(Default)]
struct FakeState {
    counts: BTreeMap<&'static str, Counts>,
    /// Seconds added to this machine's clock (a skewed server, for expired signatures).
    clock_offset: i64,
    sms_messages: Vec<SmsMessage>,
    /// Per number, the next per-number codes to answer instead of `Ok`.
    sms_next: HashMap<String, VecDeque<String>>,
    /// One-shot envelope errors for an action: `(code, message)`.
    next_error: HashMap<String, VecDeque<(String, String)>>,
    license: Option<Value>,
    ocr_delay_ms: u64,
    /// The last `BizLicenseOCR` call: image bytes decoded, `EnableCopyWarn`.
    ocr_last: Option<Value>,
    /// `(name, id_card)` → `Result` of `IdCardVerification`.
    realname_pairs: HashMap<(String, String), String>,
    /// Every `IdCardVerification` answers this when set.
    realname_result: Option<String>,
    faces: HashMap<String, FaceSession>,
}

/// The license answered by default: well formed, for the demo enterprise 星河云图.
pub fn default_license() -> Value {
    json!({
        "RegNum": "91330106MA2KX7Q890",
        "Name": "星河云图科技有限公司",
        "Capital": "人民币500万元整",
        "Person": "王建国",
        "Address": "浙江省杭州市西湖区文三路398号",
        "Business": "软件开发；信息技术咨询服务",
        "Type": "有限责任公司(自然人投资或控股)",
        "Period": "2019年03月12日至长期",
        "ComposingForm": "",
        "SetDate": "2019年03月12日",
        "RecognizeWarnCode": [],
        "RecognizeWarnMsg": [],
        "IsDuplication": 1,
        "RegistrationDate": "2019年03月12日",
        "Angle": 0.0,
        "NationalEmblem": true,
        "QRCode": true,
        "Seal": true,
        "Title": "营业执照",
        "SerialNumber": "330106000201903120001",
        "RegistrationAuthority": "杭州市西湖区市场监督管理局"
    })
}

/// The service an action is signed for, its version, and whether `X-TC-Region` is required.
fn api_of(action: &str) -> Option<(&'static str, &'static str, bool)> {
    Some(match action {
        "SendSms" => ("sms", "2021-01-11", true),
        "BizLicenseOCR" => ("ocr", "2018-11-19", false),
        "DetectAuth" | "GetDetectInfoEnhanced" | "IdCardVerification" => {
            ("faceid", "2018-03-01", false)
        }
        _ => return None,
    })
}

pub(crate) fn request_id() -> String {
    let n: u128 = rand::random();
    let h = format!("{n:032x}");
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

pub(crate) fn error_envelope(r: &Refusal) -> Value {
    json!({"Response": {"Error": {"Code": r.code, "Message": r.message}, "RequestId": request_id()}})
}

impl Fake {
    /// A fake that accepts requests signed with this key pair only.
    pub fn new(secret_id: &str, secret_key: &str) -> Self {
        Self {
            inner: Arc::new(Inner {
                secret_id: secret_id.to_owned(),
                secret_key: secret_key.to_owned(),
                state: Mutex::new(FakeState::default()),
            }),
        }
    }

    fn state(&self) -> MutexGuard<'_, FakeState> {
        self.inner.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// This fake's clock, unix seconds.
    pub fn now(&self) -> i64 {
        chrono::Utc::now().timestamp() + self.state().clock_offset
    }

    /// The router: `POST /` (every API), `GET|POST /_fake/faceid/h5/{token}` (the H5 page)
    /// and the `/_fake/*` controls.
    pub fn router(&self) -> Router {
        self.routes(None)
    }

    /// As [`Fake::router`], the APIs of one service only (`sms`, `ocr` or `faceid`), as each
    /// has its own endpoint: an action of another service answers `InvalidAction`. The
    /// state is shared with every other router of this fake.
    pub fn router_for(&self, service: &'static str) -> Router {
        self.routes(Some(service))
    }

    fn routes(&self, only: Option<&'static str>) -> Router {
        Router::new()
            .route(
                "/",
                post(
                    move |State(fake): State<Fake>, headers: HeaderMap, body: Bytes| {
                        api(fake, only, headers, body)
                    },
                ),
            )
            .route("/_fake/stats", get(stats))
            .route("/_fake/sms/messages", get(sms_messages))
            .route("/_fake/sms/next", post(sms_next))
            .route("/_fake/ocr/license", post(ocr_license))
            .route("/_fake/ocr/delay", post(ocr_delay))
            .route("/_fake/ocr/last", get(ocr_last))
            .route("/_fake/realname", post(realname))
            .route("/_fake/next-error", post(next_error))
            .route("/_fake/clock", post(clock))
            .route("/_fake/faceid/expire", post(expire_faces))
            .route("/_fake/faceid/h5/{token}", get(h5::page).post(h5::decide))
            .with_state(self.clone())
    }

    /// Calls received and rejected, per service.
    pub fn stats(&self) -> BTreeMap<String, Counts> {
        let mut out: BTreeMap<String, Counts> = ["sms", "ocr", "faceid"]
            .into_iter()
            .map(|s| (s.to_owned(), Counts::default()))
            .collect();
        for (k, v) in &self.state().counts {
            out.insert((*k).to_owned(), v.clone());
        }
        out
    }

    /// Every number `SendSms` received, oldest first.
    pub fn sms_messages(&self) -> Vec<SmsMessage> {
        self.state().sms_messages.clone()
    }

    /// The next `SendSms` to `phone` (as sent, `+86…`) answers this per-number code.
    pub fn sms_next_code(&self, phone: &str, code: &str) {
        self.state()
            .sms_next
            .entry(phone.to_owned())
            .or_default()
            .push_back(code.to_owned());
    }

    /// The next call of `action` answers this error envelope.
    pub fn next_error(&self, action: &str, code: &str, message: &str) {
        self.state()
            .next_error
            .entry(action.to_owned())
            .or_default()
            .push_back((code.to_owned(), message.to_owned()));
    }

    /// `BizLicenseOCR` answers these fields from now on ([`default_license`] until then).
    pub fn set_license(&self, license: Value) {
        self.state().license = Some(license);
    }

    /// `BizLicenseOCR` waits this long before answering (to make a client time out).
    pub fn set_ocr_delay_ms(&self, ms: u64) {
        self.state().ocr_delay_ms = ms;
    }

    /// What the last `BizLicenseOCR` received: `{"image_bytes", "base64_len", "enable_copy_warn"}`.
    pub fn ocr_last(&self) -> Option<Value> {
        self.state().ocr_last.clone()
    }

    /// `IdCardVerification` of this pair answers `result` ("-1" a mismatch, …).
    pub fn set_realname_pair(&self, name: &str, id_card: &str, result: &str) {
        self.state()
            .realname_pairs
            .insert((name.to_owned(), id_card.to_owned()), result.to_owned());
    }

    /// Every `IdCardVerification` answers `result` (`None`: by the pairs and the ID checksum).
    pub fn set_realname_result(&self, result: Option<&str>) {
        self.state().realname_result = result.map(str::to_owned);
    }

    /// Moves this fake's clock (a positive offset makes fresh signatures look old).
    pub fn set_clock_offset(&self, secs: i64) {
        self.state().clock_offset = secs;
    }

    /// 通过 / 不通过 on the H5 page of a session, as the person would tap it; its redirect.
    /// `None` for an unknown or expired session.
    pub fn decide_face(&self, biz_token: &str, passed: bool) -> Option<String> {
        let now = self.now();
        let mut state = self.state();
        let session = state.faces.get_mut(biz_token)?;
        if session.passed.is_none() && now - session.created_at > BIZ_TOKEN_TTL_SECS {
            return None;
        }
        session.passed = Some(passed);
        Some(h5::back_to(&session.redirect_url, biz_token))
    }

    /// Ages every face session past the BizToken's 7200 s (the clock offset would expire the
    /// signatures too).
    pub fn expire_face_sessions(&self) {
        for s in self.state().faces.values_mut() {
            s.created_at -= BIZ_TOKEN_TTL_SECS + 1;
        }
    }

    fn count(&self, service: &'static str, rejected: bool) {
        let mut state = self.state();
        let c = state.counts.entry(service).or_default();
        c.calls += 1;
        if rejected {
            c.rejected += 1;
        }
    }
}

/// Everything before the action itself: the action, version, region, content type and
/// signature; then the one-shot errors.
fn admit(
    fake: &Fake,
    only: Option<&'static str>,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(String, &'static str), (Option<&'static str>, Refusal)> {
    let value = |k: &str| headers.get(k).and_then(|v| v.to_str().ok()).map(str::trim);
    let action = value("x-tc-action").unwrap_or_default().to_owned();
    let served = api_of(&action).filter(|(s, _, _)| only.is_none_or(|o| o == *s));
    let Some((service, version, needs_region)) = served else {
        return Err((
            None,
            sign::refuse(
                "InvalidAction",
                format!("The action `{action}` is not served here"),
            ),
        ));
    };
    let fail = |r: Refusal| Err((Some(service), r));
    if headers.get("content-type").map(|v| v.as_bytes()) != Some(sign::CONTENT_TYPE.as_bytes()) {
        return fail(sign::refuse(
            "InvalidParameter",
            "Content-Type must be exactly `application/json; charset=utf-8`",
        ));
    }
    if value("x-tc-version") != Some(version) {
        return fail(sign::refuse(
            "InvalidParameter",
            format!("X-TC-Version must be {version} for {action}"),
        ));
    }
    if needs_region && value("x-tc-region").is_none_or(str::is_empty) {
        return fail(sign::refuse("MissingParameter", "X-TC-Region is required"));
    }
    let now = fake.now();
    if let Err(r) = sign::verify(
        headers,
        body,
        service,
        &fake.inner.secret_id,
        &fake.inner.secret_key,
        now,
    ) {
        return fail(r);
    }
    let injected = fake
        .state()
        .next_error
        .get_mut(&action)
        .and_then(VecDeque::pop_front);
    if let Some((code, message)) = injected {
        return fail(Refusal { code, message });
    }
    Ok((action, service))
}

async fn api(fake: Fake, only: Option<&'static str>, headers: HeaderMap, body: Bytes) -> Response {
    let (action, service) = match admit(&fake, only, &headers, &body) {
        Ok(ok) => ok,
        Err((service, r)) => {
            fake.count(service.unwrap_or("other"), true);
            return Json(error_envelope(&r)).into_response();
        }
    };
    let host = headers
        .get("host")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("127.0.0.1")
        .to_owned();
    let parsed: Result<Value, _> = serde_json::from_slice(&body);
    let answer = match parsed {
        Ok(Value::Object(fields)) => actions::run(&fake, &action, &fields, &host).await,
        _ => Err(sign::refuse(
            "InvalidParameter",
            "The body is not a JSON object",
        )),
    };
    match answer {
        Ok(mut fields) => {
            fake.count(service, false);
            fields.insert("RequestId".to_owned(), Value::String(request_id()));
            Json(json!({ "Response": fields })).into_response()
        }
        Err(r) => {
            fake.count(service, true);
            Json(error_envelope(&r)).into_response()
        }
    }
}

async fn stats(State(fake): State<Fake>) -> Json<Value> {
    Json(json!(fake.stats()))
}

async fn sms_messages(State(fake): State<Fake>) -> Json<Vec<SmsMessage>> {
    Json(fake.sms_messages())
}

#[derive(Deserialize)]
struct SmsNext {
    phone: String,
    code: String,
}

async fn sms_next(State(fake): State<Fake>, Json(b): Json<SmsNext>) -> Json<Value> {
    fake.sms_next_code(&b.phone, &b.code);
    Json(json!({"ok": true}))
}

async fn ocr_license(State(fake): State<Fake>, Json(b): Json<Value>) -> Json<Value> {
    fake.set_license(b);
    Json(json!({"ok": true}))
}

#[derive(Deserialize)]
struct Delay {
    millis: u64,
}

async fn ocr_delay(State(fake): State<Fake>, Json(b): Json<Delay>) -> Json<Value> {
    fake.set_ocr_delay_ms(b.millis);
    Json(json!({"ok": true}))
}

async fn ocr_last(State(fake): State<Fake>) -> Json<Value> {
    Json(fake.ocr_last().unwrap_or(Value::Null))
}

/// `{"name", "id_card", "result"}` for one pair, or `{"result"}` (or `null`) for all.
#[derive(Deserialize)]
struct RealName {
    name: Option<String>,
    id_card: Option<String>,
    result: Option<String>,
}

async fn realname(State(fake): State<Fake>, Json(b): Json<RealName>) -> Json<Value> {
    match (b.name, b.id_card, b.result) {
        (Some(n), Some(i), Some(r)) => fake.set_realname_pair(&n, &i, &r),
        (None, None, r) => fake.set_realname_result(r.as_deref()),
        _ => return Json(json!({"ok": false, "why": "name and id_card go together"})),
    }
    Json(json!({"ok": true}))
}

#[derive(Deserialize)]
struct NextError {
    action: String,
    code: String,
    #[serde(default)]
    message: String,
}

async fn next_error(State(fake): State<Fake>, Json(b): Json<NextError>) -> Json<Value> {
    fake.next_error(&b.action, &b.code, &b.message);
    Json(json!({"ok": true}))
}

#[derive(Deserialize)]
struct Clock {
    offset_secs: i64,
}

async fn clock(State(fake): State<Fake>, Json(b): Json<Clock>) -> Json<Value> {
    fake.set_clock_offset(b.offset_secs);
    Json(json!({"ok": true, "now": fake.now()}))
}

async fn expire_faces(State(fake): State<Fake>) -> Json<Value> {
    fake.expire_face_sessions();
    Json(json!({"ok": true}))
}
