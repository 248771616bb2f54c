//! Local mode only: the face-verification simulation page that stands where FaceID's H5 page
//! would be. It compares no face; it says so, shows the camera where it can (so the flow feels
//! like the real one on a phone), and lets the tester choose 通过 or 不通过.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::page;
use crate::http::error::Error;
use crate::http::extract::{ApiForm, ApiPath};
use crate::http::AppState;
use crate::storage::LocalFaceStatus;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(face_page, face_answer))
}

pub(super) const FACE_CSS: &str = ".face{background:#fff;border-radius:12px;padding:24px 16px;text-align:center}\
.ring{width:220px;height:220px;margin:8px auto 16px;border-radius:50%;overflow:hidden;background:#f2f2f2;\
box-shadow:0 0 0 4px #06864a;display:flex;align-items:center;justify-content:center;color:rgba(0,0,0,.55)}\
.ring video{width:100%;height:100%;object-fit:cover;transform:scaleX(-1)}\
.btns{display:flex;gap:12px;margin-top:20px}.btns button{flex:1;height:48px;border:0;border-radius:8px;\
font:inherit;font-weight:600}.pass{background:#06864a;color:#fff}.fail{background:#f2f2f2;color:#c42b2b}";

/// Shows the front camera in the ring where the browser allows it. A constant: local mode's CSP
/// allows it by its hash.
pub(super) const CAMERA_SCRIPT: &str =
    "(function(){var m=navigator.mediaDevices;if(!m||!m.getUserMedia)return;\
m.getUserMedia({video:{facingMode:'user'},audio:false}).then(function(s){\
var v=document.createElement('video');v.setAttribute('playsinline','');v.muted=true;\
v.srcObject=s;var r=document.getElementById('ring');r.innerHTML='';r.appendChild(v);v.play();\
window.addEventListener('pagehide',function(){s.getTracks().forEach(function(t){t.stop()})});\
}).catch(function(){});})();";

/// Returns `redirect` with `BizToken` appended, as FaceID does.
fn back_url(redirect: &str, token: &str) -> String {
    let sep = if redirect.contains('?') { '&' } else { '?' };
    format!("{redirect}{sep}BizToken={token}")
}

fn gone() -> Response {
    let body = "<h1>人脸识别会话不存在</h1><p>链接有误或会话已过期，请回到腾讯电子签重新发起人脸识别。</p>";
    (
        StatusCode::NOT_FOUND,
        Html(page("人脸识别（本地模拟）", body)),
    )
        .into_response()
}

/// The simulation page for one session.
#[utoipa::path(get, path = "/dev/face/{token}", tag = "dev",
    params(("token" = String, Path, description = "The BizToken")),
    responses(
        (status = 200, description = "HTML: camera preview, 通过 / 不通过", content_type = "text/html"),
        (status = 400, description = "A token that does not decode", body = api::wire::ErrorBody),
        (status = 404, description = "HTML: unknown session", content_type = "text/html"),
    ))]
pub async fn face_page(
    State(state): State<AppState>,
    ApiPath(token): ApiPath<String>,
) -> Result<Response, Error> {
    let Some(session) = state.db.local_face(&token).await? else {
        return Ok(gone());
    };
    let (name, redirect, status) = (session.name, session.redirect_url, session.status);
    let who = text(&api::validate::mask_name(&name)).to_string();
    let action = attr(&format!("/dev/face/{token}")).to_string();
    let body = if status == LocalFaceStatus::Pending {
        format!(
            "<style>{FACE_CSS}</style><div class=\"face\"><h1>人脸识别</h1>\
             <p class=\"meta\">请{who}本人正对屏幕，保持光线充足</p>\
             <div class=\"ring\" id=\"ring\"><span id=\"still\">相机不可用时显示占位图</span></div>\
             <p class=\"local\">本地模拟：此页面不进行真实的人脸比对，请选择识别结果</p>\
             <form method=\"post\" action=\"{action}\" class=\"btns\">\
             <button class=\"fail\" name=\"decision\" value=\"fail\">不通过</button>\
             <button class=\"pass\" name=\"decision\" value=\"pass\">通过</button></form></div>\
             <script>{CAMERA_SCRIPT}</script>"
        )
    } else {
        let back = attr(&back_url(&redirect, &token)).to_string();
        format!("<div class=\"face\"><h1>人脸识别已完成</h1><p><a href=\"{back}\">返回腾讯电子签</a></p></div>")
    };
    Ok(Html(page("人脸识别（本地模拟）", &body)).into_response())
}

#[derive(Debug, Deserialize)]
pub struct Decision {
    decision: String,
}

/// 通过 / 不通过: records the simulated result and returns to the app, as FaceID would.
#[utoipa::path(post, path = "/dev/face/{token}", tag = "dev",
    params(("token" = String, Path, description = "The BizToken")),
    request_body(content = String, content_type = "application/x-www-form-urlencoded",
        description = "`decision=pass` or `decision=fail`"),
    responses(
        (status = 303, description = "Back to the app's redirect URL with `BizToken`"),
        (status = 400, description = "Neither pass nor fail, or no `decision`", body = api::wire::ErrorBody),
        (status = 403, description = "Not posted from this site's own page", body = api::wire::ErrorBody),
        (status = 404, description = "HTML: unknown session", content_type = "text/html"),
        (status = 415, description = "Not an `application/x-www-form-urlencoded` form", body = api::wire::ErrorBody),
    ))]
pub async fn face_answer(
    State(state): State<AppState>,
    ApiPath(token): ApiPath<String>,
    ApiForm(d): ApiForm<Decision>,
) -> Result<Response, Error> {
    let passed = match d.decision.as_str() {
        "pass" => true,
        "fail" => false,
        _ => return Err(Error::bad_field("decision", "请选择通过或不通过")),
    };
    let Some(session) = state.db.local_face(&token).await? else {
        return Ok(gone());
    };
    let redirect = session.redirect_url;
    // A second tap (back button, double submit) keeps the first answer.
    state.db.answer_local_face(&token, passed).await?;
    Ok(Redirect::to(&back_url(&redirect, &token)).into_response())
}
