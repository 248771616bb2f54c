//! WeCom's third-party-app (suite) API and OAuth page, as providers.md §1b–§1d describe them,
//! over inspectable state. Tokens chain like the real ones: the pushed `suite_ticket` → the
//! suite token → (with the permanent code from `create_auth`) the corp token. Every answer is
//! the documented JSON, errors included; codes and tickets are single-use where WeCom's are.
//!
//! The callback crypto here is written apart from the server's, on purpose.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use aes::cipher::{block_padding::NoPadding, BlockEncryptMut, KeyIvInit};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;

/// EncodingAESKeys as WeCom generates them end in a character whose unused low bits are not
/// always zero (the official example's `C`): decoded leniently.
const KEY_B64: base64::engine::GeneralPurpose = base64::engine::GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    base64::engine::GeneralPurposeConfig::new().with_decode_allow_trailing_bits(true),
);
use rand::distr::{Alphanumeric, SampleString};
use serde::Deserialize;
use serde_json::{json, Value};
use sha1::{Digest, Sha1};

/// Tokens and tickets last this long (`expires_in`).
pub const TOKEN_TTL: i64 = 7200;
/// An OAuth code works once, within 5 minutes.
pub const CODE_TTL: i64 = 300;

#[derive(Debug, Clone)]
pub struct User {
    pub userid: String,
    /// 管理权限 on the app (`auth_type` 1 in the admin list).
    pub admin: bool,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub suite_id: String,
    pub suite_secret: String,
    pub callback_token: String,
    /// 43 characters.
    pub callback_aes_key: String,
    pub corp_id: String,
    pub corp_name: String,
    pub agentid: i64,
    /// 0 管理员授权, 1 成员授权.
    pub auth_mode: i64,
    pub users: Vec<User>,
}

impl Config {
    /// A suite and one corp with an admin and two members.
    pub fn example() -> Self {
        Self {
            suite_id: "wwsuitefake0001".to_owned(),
            suite_secret: "fake-suite-secret".to_owned(),
            callback_token: "FakeToken123".to_owned(),
            callback_aes_key: "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG".to_owned(),
            corp_id: "wwcorpfake0001".to_owned(),
            corp_name: "测试科技有限公司".to_owned(),
            agentid: 1000017,
            auth_mode: 0,
            users: vec![
                User {
                    userid: "zhangsan".to_owned(),
                    admin: true,
                },
                User {
                    userid: "lisi".to_owned(),
                    admin: false,
                },
                User {
                    userid: "wangwu".to_owned(),
                    admin: false,
                },
            ],
        }
    }
}

/// Which callback to push.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Push {
    SuiteTicket,
    CreateAuth,
    ChangeAuth,
    CancelAuth,
}

impl Push {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "suite_ticket" => Self::SuiteTicket,
            "create_auth" => Self::CreateAuth,
            "change_auth" => Self::ChangeAuth,
            "cancel_auth" => Self::CancelAuth,
            _ => return None,
        })
    }
}

/// A signed, encrypted callback: `POST {server}/wecom/callback?{query}` with `body`.
#[derive(Debug, Clone)]
pub struct Callback {
    pub query: String,
    pub body: String,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Stats {
    pub calls: u64,
    pub rejected: u64,
}

#[derive(Default)]
struct Inner {
    ticket: Option<String>,
    /// token → (expires_at, expired by the knob)
    suite_tokens: HashMap<String, i64>,
    corp_tokens: HashMap<String, i64>,
    expired: HashSet<String>,
    auth_codes: HashSet<String>,
    permanent_code: Option<String>,
    cancelled: bool,
    auth_mode: i64,
    /// code → (userid or None for an outsider, issued at)
    oauth_codes: HashMap<String, (Option<String>, i64)>,
    jsapi_ticket: String,
    agent_ticket: String,
    messages: Vec<Value>,
    stats: Stats,
    /// path → (HTTP status, how many more times): the API failing on its side.
    failing: HashMap<String, (u16, u32)>,
    per_path: HashMap<String, u64>,
}

#[derive(Clone)]
pub struct Fake {
    config: Arc<Config>,
    inner: Arc<Mutex<Inner>>,
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn random(n: usize) -> String {
    Alphanumeric.sample_string(&mut rand::rng(), n)
}

fn err(errcode: i64, errmsg: &str) -> Value {
    json!({"errcode": errcode, "errmsg": errmsg})
}

impl Fake {
    pub fn new(config: Config) -> Self {
        let inner = Inner {
            auth_mode: config.auth_mode,
            jsapi_ticket: format!("jsapi-{}", random(24)),
            agent_ticket: format!("agent-{}", random(24)),
            ..Default::default()
        };
        Self {
            config: Arc::new(config),
            inner: Arc::new(Mutex::new(inner)),
        }
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn router(&self) -> Router {
        Router::new()
            .route("/cgi-bin/service/get_suite_token", post(get_suite_token))
            .route(
                "/cgi-bin/service/get_permanent_code",
                post(get_permanent_code),
            )
            .route("/cgi-bin/service/get_auth_info", post(get_auth_info))
            .route("/cgi-bin/service/get_corp_token", post(get_corp_token))
            .route("/cgi-bin/service/auth/getuserinfo3rd", get(getuserinfo3rd))
            .route("/cgi-bin/agent/get_admin_list", post(get_admin_list))
            .route("/cgi-bin/message/send", post(message_send))
            .route("/cgi-bin/get_jsapi_ticket", get(get_jsapi_ticket))
            .route("/cgi-bin/ticket/get", get(ticket_get))
            .route("/connect/oauth2/authorize", get(authorize))
            .route("/connect/oauth2/_choose", get(choose))
            .route("/_fake/wecom/messages", get(messages))
            .route("/_fake/wecom/expire-tokens", post(expire_tokens))
            .route("/_fake/wecom/push", post(push))
            .route("/_fake/stats", get(stats))
            .layer(axum::middleware::from_fn_with_state(self.clone(), failing))
            .with_state(self.clone())
    }

    /// The next `times` calls to `path` (e.g. `/cgi-bin/message/send`) fail with HTTP `status`
    /// before reaching the handler, as a WeCom outage would.
    pub fn fail_next(&self, path: &str, status: u16, times: u32) {
        self.lock().failing.insert(path.to_owned(), (status, times));
    }

    /// How many calls reached `path`'s handler or its failure (counted per path).
    pub fn calls_to(&self, path: &str) -> u64 {
        self.lock().per_path.get(path).copied().unwrap_or(0)
    }

    /// Counts a call and whether it was refused.
    fn answer(&self, v: Value) -> Json<Value> {
        let mut s = self.lock();
        s.stats.calls += 1;
        if v.get("errcode").and_then(Value::as_i64).unwrap_or(0) != 0 {
            s.stats.rejected += 1;
        }
        Json(v)
    }

    pub fn stats(&self) -> Stats {
        self.lock().stats
    }

    /// Every message `message/send` accepted (one entry per accepted recipient list).
    pub fn messages(&self) -> Vec<Value> {
        self.lock().messages.clone()
    }

    /// From now on, every token issued so far answers 42001 (corp) / 42009 (suite).
    pub fn expire_tokens(&self) {
        let mut s = self.lock();
        let all: Vec<String> = s
            .suite_tokens
            .keys()
            .chain(s.corp_tokens.keys())
            .cloned()
            .collect();
        s.expired.extend(all);
    }

    /// The JS-SDK tickets this fake hands out: (corp jsapi, agent_config).
    pub fn js_tickets(&self) -> (String, String) {
        let s = self.lock();
        (s.jsapi_ticket.clone(), s.agent_ticket.clone())
    }

    /// The permanent code given at create_auth, if any.
    pub fn permanent_code(&self) -> Option<String> {
        self.lock().permanent_code.clone()
    }

    /// What the next get_auth_info answers (a change_auth follows this).
    pub fn set_auth_mode(&self, auth_mode: i64) {
        self.lock().auth_mode = auth_mode;
    }

    /// A code as if `userid` had chosen themselves on the authorize page (`None`: someone
    /// outside the corp).
    pub fn issue_code(&self, userid: Option<&str>) -> String {
        let code = random(32);
        self.lock()
            .oauth_codes
            .insert(code.clone(), (userid.map(str::to_owned), now()));
        code
    }

    /// The encrypted callback for `kind`; its ticket or auth code is registered as issued.
    pub fn callback(&self, kind: Push) -> Callback {
        let c = &self.config;
        let ts = now();
        let inner_xml = {
            let mut s = self.lock();
            match kind {
                Push::SuiteTicket => {
                    let ticket = random(40);
                    s.ticket = Some(ticket.clone());
                    format!(
                        "<xml><SuiteId><![CDATA[{}]]></SuiteId><InfoType><![CDATA[suite_ticket]]></InfoType>\
                         <TimeStamp>{ts}</TimeStamp><SuiteTicket><![CDATA[{ticket}]]></SuiteTicket></xml>",
                        c.suite_id
                    )
                }
                Push::CreateAuth => {
                    let code = random(40);
                    s.auth_codes.insert(code.clone());
                    format!(
                        "<xml><SuiteId><![CDATA[{}]]></SuiteId><AuthCode><![CDATA[{code}]]></AuthCode>\
                         <InfoType><![CDATA[create_auth]]></InfoType><TimeStamp>{ts}</TimeStamp></xml>",
                        c.suite_id
                    )
                }
                Push::ChangeAuth | Push::CancelAuth => {
                    let info = if kind == Push::ChangeAuth {
                        "change_auth"
                    } else {
                        s.cancelled = true;
                        "cancel_auth"
                    };
                    format!(
                        "<xml><SuiteId><![CDATA[{}]]></SuiteId><InfoType><![CDATA[{info}]]></InfoType>\
                         <TimeStamp>{ts}</TimeStamp><AuthCorpId><![CDATA[{}]]></AuthCorpId></xml>",
                        c.suite_id, c.corp_id
                    )
                }
            }
        };
        let nonce = random(10);
        let encrypt = encrypt(&c.callback_aes_key, &inner_xml, &c.suite_id);
        let sig = signature(&c.callback_token, &ts.to_string(), &nonce, &encrypt);
        Callback {
            query: format!("msg_signature={sig}&timestamp={ts}&nonce={nonce}"),
            body: format!(
                "<xml><ToUserName><![CDATA[{}]]></ToUserName><Encrypt><![CDATA[{encrypt}]]></Encrypt>\
                 <AgentID><![CDATA[]]></AgentID></xml>",
                c.suite_id
            ),
        }
    }

    /// The query of a URL verification (`GET /wecom/callback?…`) whose echostr decrypts to
    /// `echo` for `receive_id`.
    pub fn url_verification(&self, echo: &str, receive_id: &str) -> String {
        let c = &self.config;
        let ts = now().to_string();
        let nonce = random(10);
        let enc = encrypt(&c.callback_aes_key, echo, receive_id);
        let sig = signature(&c.callback_token, &ts, &nonce, &enc);
        format!(
            "msg_signature={sig}&timestamp={ts}&nonce={nonce}&echostr={}",
            urlencode(&enc)
        )
    }

    /// POSTs the callback for `kind` to `{server_url}/wecom/callback` (plain http); answers
    /// the status and body.
    pub async fn push_callback(
        &self,
        server_url: &str,
        kind: Push,
    ) -> Result<(u16, String), String> {
        let cb = self.callback(kind);
        post_plain_http(
            &format!(
                "{}/wecom/callback?{}",
                server_url.trim_end_matches('/'),
                cb.query
            ),
            &cb.body,
        )
        .await
    }

    fn suite_token_ok(&self, token: Option<&str>) -> Result<(), Value> {
        let s = self.lock();
        let Some(t) = token else {
            return Err(err(41022, "suite_access_token missing"));
        };
        if s.expired.contains(t) {
            return Err(err(42009, "suite_access_token expired"));
        }
        match s.suite_tokens.get(t) {
            Some(exp) if *exp > now() => Ok(()),
            Some(_) => Err(err(42009, "suite_access_token expired")),
            None => Err(err(40082, "invalid suite_token")),
        }
    }

    fn corp_token_ok(&self, token: Option<&str>) -> Result<(), Value> {
        let s = self.lock();
        let Some(t) = token else {
            return Err(err(41001, "access_token missing"));
        };
        if s.expired.contains(t) {
            return Err(err(42001, "access_token expired"));
        }
        match s.corp_tokens.get(t) {
            Some(exp) if *exp > now() && !s.cancelled => Ok(()),
            Some(_) if s.cancelled => Err(err(40014, "invalid access_token")),
            Some(_) => Err(err(42001, "access_token expired")),
            None => Err(err(40014, "invalid access_token")),
        }
    }

    fn auth_info(&self, auth_mode: i64) -> Value {
        let c = &self.config;
        json!({
            "auth_corp_info": {
                "corpid": c.corp_id, "corp_name": c.corp_name, "corp_type": "verified",
                "corp_full_name": c.corp_name, "subject_type": 1
            },
            "auth_info": {"agent": [{
                "agentid": c.agentid, "name": "腾讯电子签", "auth_mode": auth_mode,
                "is_customized_app": false, "privilege": {"level": 1}
            }]},
            "auth_user_info": {"userid": c.users.first().map(|u| u.userid.clone()), "open_userid": "woAdmin"}
        })
    }

    fn check_corp_and_code(&self, body: &Value) -> Result<(), Value> {
        let s = self.lock();
        if body["auth_corpid"] != self.config.corp_id.as_str() {
            return Err(err(40013, "invalid corpid"));
        }
        match (&s.permanent_code, body["permanent_code"].as_str()) {
            (Some(code), Some(given)) if code == given && !s.cancelled => Ok(()),
            _ => Err(err(40084, "invalid permanent_code")),
        }
    }
}

#[derive(Deserialize)]
struct TokenQuery {
    suite_access_token: Option<String>,
    access_token: Option<String>,
    code: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
}

async fn get_suite_token(State(f): State<Fake>, body: Option<Json<Value>>) -> Json<Value> {
    let body = body.map(|Json(b)| b).unwrap_or(Value::Null);
    let c = f.config.clone();
    let answer = if body["suite_id"] != c.suite_id.as_str() {
        err(40013, "invalid suite_id")
    } else if body["suite_secret"] != c.suite_secret.as_str() {
        err(40001, "invalid suite_secret")
    } else if f.lock().ticket.as_deref() != body["suite_ticket"].as_str()
        || body["suite_ticket"].is_null()
    {
        err(40085, "invalid suite_ticket")
    } else {
        let token = format!("suite-{}", random(32));
        f.lock()
            .suite_tokens
            .insert(token.clone(), now() + TOKEN_TTL);
        // On success WeCom leaves `errcode` out.
        json!({"suite_access_token": token, "expires_in": TOKEN_TTL})
    };
    f.answer(answer)
}

async fn get_permanent_code(
    State(f): State<Fake>,
    Query(q): Query<TokenQuery>,
    body: Option<Json<Value>>,
) -> Json<Value> {
    let body = body.map(|Json(b)| b).unwrap_or(Value::Null);
    if let Err(e) = f.suite_token_ok(q.suite_access_token.as_deref()) {
        return f.answer(e);
    }
    let code = body["auth_code"].as_str().unwrap_or_default().to_owned();
    if !f.lock().auth_codes.remove(&code) {
        return f.answer(err(40078, "invalid auth_code"));
    }
    let permanent = format!("perm-{}", random(40));
    let corp_token = format!("corp-{}", random(32));
    let mode = {
        let mut s = f.lock();
        s.permanent_code = Some(permanent.clone());
        s.cancelled = false;
        s.corp_tokens.insert(corp_token.clone(), now() + TOKEN_TTL);
        s.auth_mode
    };
    let mut v = f.auth_info(mode);
    v["errcode"] = json!(0);
    v["errmsg"] = json!("ok");
    v["access_token"] = json!(corp_token);
    v["expires_in"] = json!(TOKEN_TTL);
    v["permanent_code"] = json!(permanent);
    f.answer(v)
}

async fn get_auth_info(
    State(f): State<Fake>,
    Query(q): Query<TokenQuery>,
    body: Option<Json<Value>>,
) -> Json<Value> {
    let body = body.map(|Json(b)| b).unwrap_or(Value::Null);
    if let Err(e) = f
        .suite_token_ok(q.suite_access_token.as_deref())
        .and_then(|_| f.check_corp_and_code(&body))
    {
        return f.answer(e);
    }
    let mode = f.lock().auth_mode;
    let mut v = f.auth_info(mode);
    v["errcode"] = json!(0);
    v["errmsg"] = json!("ok");
    f.answer(v)
}

async fn get_corp_token(
    State(f): State<Fake>,
    Query(q): Query<TokenQuery>,
    body: Option<Json<Value>>,
) -> Json<Value> {
    let body = body.map(|Json(b)| b).unwrap_or(Value::Null);
    if let Err(e) = f
        .suite_token_ok(q.suite_access_token.as_deref())
        .and_then(|_| f.check_corp_and_code(&body))
    {
        return f.answer(e);
    }
    let token = format!("corp-{}", random(32));
    f.lock()
        .corp_tokens
        .insert(token.clone(), now() + TOKEN_TTL);
    f.answer(json!({"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": TOKEN_TTL}))
}

async fn getuserinfo3rd(State(f): State<Fake>, Query(q): Query<TokenQuery>) -> Json<Value> {
    if let Err(e) = f.suite_token_ok(q.suite_access_token.as_deref()) {
        return f.answer(e);
    }
    let taken = q
        .code
        .as_deref()
        .and_then(|c| f.lock().oauth_codes.remove(c));
    let answer = match taken {
        Some((_, issued)) if now() - issued > CODE_TTL => err(40029, "invalid code"),
        Some((Some(userid), _)) => json!({
            "errcode": 0, "errmsg": "ok", "corpid": f.config.corp_id, "userid": userid,
            "user_ticket": random(32), "expires_in": 1800, "open_userid": format!("wo{userid}")
        }),
        Some((None, _)) => {
            json!({"errcode": 0, "errmsg": "ok", "openid": format!("o{}", random(20))})
        }
        None => err(40029, "invalid code"),
    };
    f.answer(answer)
}

async fn get_admin_list(
    State(f): State<Fake>,
    Query(q): Query<TokenQuery>,
    body: Option<Json<Value>>,
) -> Json<Value> {
    let body = body.map(|Json(b)| b).unwrap_or(Value::Null);
    if let Err(e) = f.corp_token_ok(q.access_token.as_deref()) {
        return f.answer(e);
    }
    if body["agentid"].as_i64() != Some(f.config.agentid) {
        return f.answer(err(40056, "invalid agentid"));
    }
    if f.lock().auth_mode == 1 {
        // 成员授权: no list.
        return f.answer(json!({"errcode": 0, "errmsg": "ok"}));
    }
    let admin: Vec<Value> = f
        .config
        .users
        .iter()
        .map(|u| json!({"userid": u.userid, "open_userid": format!("wo{}", u.userid), "auth_type": if u.admin {1} else {0}}))
        .filter(|a| a["auth_type"] == 1)
        .collect();
    f.answer(json!({"errcode": 0, "errmsg": "ok", "admin": admin}))
}

async fn message_send(
    State(f): State<Fake>,
    Query(q): Query<TokenQuery>,
    body: Option<Json<Value>>,
) -> Json<Value> {
    let body = body.map(|Json(b)| b).unwrap_or(Value::Null);
    if let Err(e) = f.corp_token_ok(q.access_token.as_deref()) {
        return f.answer(e);
    }
    if body["agentid"].as_i64() != Some(f.config.agentid) {
        return f.answer(err(40056, "invalid agentid"));
    }
    let well_formed = match body["msgtype"].as_str() {
        Some("text") => body["text"]["content"]
            .as_str()
            .is_some_and(|c| !c.is_empty() && c.len() <= 2048),
        Some("textcard") => {
            let card = &body["textcard"];
            card["title"]
                .as_str()
                .is_some_and(|t| !t.is_empty() && t.len() <= 128)
                && card["description"]
                    .as_str()
                    .is_some_and(|d| !d.is_empty() && d.len() <= 512)
                && card["url"]
                    .as_str()
                    .is_some_and(|u| u.starts_with("http://") || u.starts_with("https://"))
        }
        _ => false,
    };
    if !well_formed {
        return f.answer(err(40008, "invalid message type"));
    }
    let to: Vec<&str> = body["touser"]
        .as_str()
        .unwrap_or_default()
        .split('|')
        .filter(|u| !u.is_empty())
        .collect();
    let known = |u: &&&str| f.config.users.iter().any(|x| x.userid == **u);
    let (valid, invalid): (Vec<&str>, Vec<&str>) = to.iter().partition(known);
    let invaliduser = invalid.join("|");
    if valid.is_empty() {
        return f.answer(json!({"errcode": 81013, "errmsg": "user & party & tag all invalid", "invaliduser": invaliduser}));
    }
    let mut record = body.clone();
    record["touser"] = json!(valid.join("|"));
    f.lock().messages.push(record);
    f.answer(json!({"errcode": 0, "errmsg": "ok", "invaliduser": invaliduser, "msgid": random(16)}))
}

async fn get_jsapi_ticket(State(f): State<Fake>, Query(q): Query<TokenQuery>) -> Json<Value> {
    if let Err(e) = f.corp_token_ok(q.access_token.as_deref()) {
        return f.answer(e);
    }
    let ticket = f.lock().jsapi_ticket.clone();
    f.answer(json!({"errcode": 0, "errmsg": "ok", "ticket": ticket, "expires_in": TOKEN_TTL}))
}

async fn ticket_get(State(f): State<Fake>, Query(q): Query<TokenQuery>) -> Json<Value> {
    if let Err(e) = f.corp_token_ok(q.access_token.as_deref()) {
        return f.answer(e);
    }
    if q.kind.as_deref() != Some("agent_config") {
        return f.answer(err(40004, "invalid type"));
    }
    let ticket = f.lock().agent_ticket.clone();
    f.answer(json!({"errcode": 0, "errmsg": "ok", "ticket": ticket, "expires_in": TOKEN_TTL}))
}

#[derive(Deserialize)]
struct AuthorizeQuery {
    appid: Option<String>,
    redirect_uri: Option<String>,
    response_type: Option<String>,
    scope: Option<String>,
    state: Option<String>,
}

fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{title}</title></head>\
         <body><p><strong>测试替身（fake）：这不是真正的企业微信</strong></p>{body}</body></html>"
    )
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

async fn authorize(State(f): State<Fake>, Query(q): Query<AuthorizeQuery>) -> Response {
    let refuse = |why: &str| {
        f.lock().stats.rejected += 1;
        (
            StatusCode::BAD_REQUEST,
            Html(page(
                "参数错误",
                &format!("<h1>参数错误</h1><p>{}</p>", html_escape(why)),
            )),
        )
            .into_response()
    };
    f.lock().stats.calls += 1;
    if q.appid.as_deref() != Some(f.config.suite_id.as_str()) {
        return refuse("appid is not the suite id");
    }
    if q.response_type.as_deref() != Some("code") {
        return refuse("response_type must be code");
    }
    if !matches!(
        q.scope.as_deref(),
        Some("snsapi_base" | "snsapi_privateinfo")
    ) {
        return refuse("scope must be snsapi_base or snsapi_privateinfo");
    }
    let Some(redirect) = q
        .redirect_uri
        .filter(|r| r.starts_with("http://") || r.starts_with("https://"))
    else {
        return refuse("redirect_uri must be an absolute http(s) URL");
    };
    let state = q.state.unwrap_or_default();
    if state.len() > 128 || !state.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return refuse("state must be a-zA-Z0-9, at most 128 bytes");
    }
    let link = |user: &str| {
        format!(
            "/connect/oauth2/_choose?user={}&redirect_uri={}&state={}",
            urlencode(user),
            urlencode(&redirect),
            urlencode(&state)
        )
    };
    let mut items = String::new();
    for u in &f.config.users {
        items.push_str(&format!(
            "<li><a role=\"button\" href=\"{}\">以 {} 登录{}</a></li>",
            html_escape(&link(&u.userid)),
            html_escape(&u.userid),
            if u.admin { "（管理员）" } else { "" }
        ));
    }
    items.push_str(&format!(
        "<li><a role=\"button\" href=\"{}\">以企业外部人员登录</a></li>",
        html_escape(&link(""))
    ));
    Html(page(
        "企业微信授权（测试替身）",
        &format!(
            "<h1>{}：选择成员</h1><ul>{items}</ul>",
            html_escape(&f.config.corp_name)
        ),
    ))
    .into_response()
}

#[derive(Deserialize)]
struct ChooseQuery {
    user: String,
    redirect_uri: String,
    state: String,
}

async fn choose(State(f): State<Fake>, Query(q): Query<ChooseQuery>) -> Response {
    let user = (!q.user.is_empty()).then_some(q.user.as_str());
    if user.is_some_and(|u| !f.config.users.iter().any(|x| x.userid == u)) {
        return (StatusCode::BAD_REQUEST, "unknown user").into_response();
    }
    let code = f.issue_code(user);
    let sep = if q.redirect_uri.contains('?') {
        '&'
    } else {
        '?'
    };
    Redirect::to(&format!(
        "{}{sep}code={}&state={}",
        q.redirect_uri,
        urlencode(&code),
        urlencode(&q.state)
    ))
    .into_response()
}

async fn failing(
    State(f): State<Fake>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let path = req.uri().path().to_owned();
    let fail = {
        let mut guard = f.lock();
        let s = &mut *guard;
        if !path.starts_with("/_fake/") {
            *s.per_path.entry(path.clone()).or_default() += 1;
        }
        match s.failing.get_mut(&path) {
            Some((status, left)) if *left > 0 => {
                *left -= 1;
                s.stats.calls += 1;
                s.stats.rejected += 1;
                Some(*status)
            }
            _ => None,
        }
    };
    match fail {
        Some(status) => (
            StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY),
            "fake outage",
        )
            .into_response(),
        None => next.run(req).await,
    }
}

async fn messages(State(f): State<Fake>) -> Json<Value> {
    Json(Value::Array(f.messages()))
}

async fn expire_tokens(State(f): State<Fake>) -> StatusCode {
    f.expire_tokens();
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
struct PushQuery {
    kind: String,
    /// The server's base URL, e.g. `http://127.0.0.1:8080`.
    to: String,
}

/// The end-to-end suite's way to have WeCom push a callback to the server.
async fn push(State(f): State<Fake>, Query(q): Query<PushQuery>) -> Response {
    let Some(kind) = Push::parse(&q.kind) else {
        return (
            StatusCode::BAD_REQUEST,
            "kind: suite_ticket, create_auth, change_auth or cancel_auth",
        )
            .into_response();
    };
    match f.push_callback(&q.to, kind).await {
        Ok((status, body)) => Json(json!({"status": status, "body": body})).into_response(),
        Err(e) => (StatusCode::BAD_GATEWAY, e).into_response(),
    }
}

async fn stats(State(f): State<Fake>) -> Json<Stats> {
    Json(f.stats())
}

/// sha1 of the sorted four strings, lowercase hex.
pub fn signature(token: &str, timestamp: &str, nonce: &str, encrypt: &str) -> String {
    let mut v = vec![token, timestamp, nonce, encrypt];
    v.sort();
    let mut h = Sha1::new();
    for s in v {
        h.update(s.as_bytes());
    }
    hex::encode(h.finalize())
}

/// WXBizMsgCrypt encryption: AES-256-CBC, IV = key[..16], PKCS#7 to 32-byte blocks.
pub fn encrypt(encoding_aes_key: &str, msg: &str, receive_id: &str) -> String {
    let key = KEY_B64
        .decode(format!("{encoding_aes_key}="))
        .expect("a 43-character EncodingAESKey");
    let mut buf: Vec<u8> = Vec::new();
    buf.extend(random(16).as_bytes());
    buf.extend((msg.len() as u32).to_be_bytes());
    buf.extend(msg.as_bytes());
    buf.extend(receive_id.as_bytes());
    let pad = 32 - buf.len() % 32;
    buf.resize(buf.len() + pad, pad as u8);
    let n = buf.len();
    let enc =
        cbc::Encryptor::<aes::Aes256>::new_from_slices(&key, &key[..16]).expect("32-byte key");
    let out = enc
        .encrypt_padded_mut::<NoPadding>(&mut buf, n)
        .expect("whole blocks");
    B64.encode(out)
}

/// The JS-SDK signature, to check the server's.
pub fn jssdk_signature(ticket: &str, noncestr: &str, timestamp: i64, url: &str) -> String {
    let url = url.split('#').next().unwrap_or(url);
    hex::encode(Sha1::digest(
        format!("jsapi_ticket={ticket}&noncestr={noncestr}&timestamp={timestamp}&url={url}")
            .as_bytes(),
    ))
}

fn urlencode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A bare HTTP/1.1 POST over TCP (the fakes carry no HTTP client), on a blocking thread.
async fn post_plain_http(url: &str, body: &str) -> Result<(u16, String), String> {
    let rest = url.strip_prefix("http://").ok_or("only http:// URLs")?;
    let (authority, path) = match rest.find('/') {
        Some(i) => (rest[..i].to_owned(), rest[i..].to_owned()),
        None => (rest.to_owned(), "/".to_owned()),
    };
    let req = format!(
        "POST {path} HTTP/1.1\r\nHost: {authority}\r\nContent-Type: text/xml\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let raw = tokio::task::spawn_blocking(move || -> std::io::Result<Vec<u8>> {
        use std::io::{Read, Write};
        let mut stream = std::net::TcpStream::connect(&authority)?;
        stream.set_read_timeout(Some(std::time::Duration::from_secs(10)))?;
        stream.write_all(req.as_bytes())?;
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw)?;
        Ok(raw)
    })
    .await
    .map_err(|e| e.to_string())?
    .map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&raw);
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or("no HTTP status")?;
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    Ok((status, body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_matches_the_official_vector() {
        assert_eq!(
            signature(
                "QDG6eK",
                "1409659589",
                "263014780",
                "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ=="
            ),
            "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3"
        );
        assert_eq!(
            jssdk_signature(
                "sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg",
                "Wm3WZYTPz0wzccnW",
                1414587457,
                "http://mp.weixin.qq.com?params=value"
            ),
            "0f9de62fce790f9a083d5c99e95740ceb90c27ed"
        );
    }

    #[test]
    fn ciphertext_is_whole_32_byte_blocks() {
        let c = Config::example();
        for msg in ["", "abc", &"x".repeat(100)] {
            let enc = encrypt(&c.callback_aes_key, msg, &c.suite_id);
            assert_eq!(B64.decode(enc).unwrap().len() % 32, 0);
        }
    }
}
