//! `/legal-rep/<token>`: what the legal representative's SMS link opens. Who asks, for which
//! enterprise, what authorizing means; then their own real-name and face verification, after
//! which they choose 授权 or 拒绝 (`legal_rep_return`). No session: the link is the key.

use api::wire::{ErrorCode, LegalRepLinkView, RealNameRequest};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::client::{self, ApiError};
use crate::components::error_state::ErrorState;
use crate::components::identity_form::IdentityForm;
use crate::components::loading::LoadingPage;

#[component]
pub fn LegalRep() -> impl IntoView {
    let token = use_params_map()
        .get_untracked()
        .get("token")
        .unwrap_or_default();
    let t = token.clone();
    let link = LocalResource::new(move || {
        let t = t.clone();
        async move { client::legal_rep_link(&t).await }
    });
    view! {
        <div class="page">
            <Suspense fallback=|| view! { <LoadingPage/> }>
                {move || {
                    let token = token.clone();
                    Suspend::new(async move {
                        match link.await {
                            Ok(v) => view! { <Request token v/> }.into_any(),
                            Err(ApiError::Refused { error, .. }) => view! { <DeadLink code=error.code message=error.message/> }.into_any(),
                            Err(e) => view! { <ErrorState message=e.to_string() on_retry=move || link.refetch()/> }.into_any(),
                        }
                    })
                }}
            </Suspense>
        </div>
    }
}

/// A link that no longer works, with its own reason.
#[component]
pub fn DeadLink(code: ErrorCode, message: String) -> impl IntoView {
    let title = match code {
        ErrorCode::LinkExpired => "链接已过期",
        ErrorCode::LinkUsed => "该授权请求已处理",
        ErrorCode::LinkCancelled => "授权请求已取消",
        ErrorCode::LinkSuperseded => "请使用最新的短信链接",
        ErrorCode::Forbidden => "无法授权",
        _ => "链接无效",
    };
    view! {
        <div class="msg">
            <div class="msg__icon msg__icon--warn" aria-hidden="true"></div>
            <h2 class="msg__title">{title}</h2>
            <p class="msg__desc">{message}</p>
        </div>
    }
}

#[component]
fn Request(token: String, v: LegalRepLinkView) -> impl IntoView {
    let start = Action::new_local(move |req: &RealNameRequest| {
        let (token, req) = (token.clone(), req.clone());
        async move { client::legal_rep_face(&token, req).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(s)) = start.value().get() {
            let _ = window().location().assign(&s.url);
        }
    });
    let refusal = Signal::derive(move || start.value().get().and_then(Result::err));
    let meaning = format!(
        "授权后，{}将成为{}在腾讯电子签的超级管理员，可代表企业管理印章、成员和合同签署。请确认您是该企业的法定代表人或经营者本人，完成人脸识别后选择授权或拒绝。",
        v.applicant_name, v.enterprise
    );
    view! {
        <div class="page__hd">
            <h2 class="page__title">"法定代表人授权"</h2>
            <p class="page__desc">{meaning}</p>
        </div>
        <div class="cells">
            <div class="cell"><span class="cell__bd">"企业名称"</span><span class="cell__ft">{v.enterprise.clone()}</span></div>
            <div class="cell"><span class="cell__bd">"统一社会信用代码"</span><span class="cell__ft">{v.uscc.clone()}</span></div>
            <div class="cell"><span class="cell__bd">"申请人"</span><span class="cell__ft">{v.applicant_name.clone()}</span></div>
            {v.applicant_phone.clone().map(|p| view! {
                <div class="cell"><span class="cell__bd">"申请人手机号"</span><span class="cell__ft">{p}</span></div>
            })}
        </div>
        <h3 class="cells__title">"请填写法定代表人本人信息"</h3>
        <IdentityForm submit_label="开始人脸识别" name_placeholder="法定代表人姓名"
            tips="身份信息仅用于核验法定代表人身份，将加密传输。"
            pending=start.pending() refusal
            on_submit=move |req| { start.dispatch(req); }/>
    }
}
