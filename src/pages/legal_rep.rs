//! `/legal-rep/<token>`: what the legal representative's SMS link opens. Who asks, for which
//! enterprise, what authorizing means; then their own real-name and face verification, after
//! which they choose 授权 or 拒绝 (`legal_rep_return`). No session: the link is the key.

use api::wire::{LegalRepLinkView, RealNameRequest};
use leptos::prelude::*;

use crate::client;
use crate::components::identity_form::IdentityForm;
use crate::components::link_page::LinkLoader;

#[component]
pub fn LegalRep() -> impl IntoView {
    view! {
        <LinkLoader
            load=|t: String| async move { client::legal_rep_link(&t).await }
            render=|token, v| view! { <Request token v/> }.into_any()
        />
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
            <h1 class="page__title">"法定代表人授权"</h1>
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
        <h2 class="cells__title">"请填写法定代表人本人信息"</h2>
        <IdentityForm submit_label="开始人脸识别" name_placeholder="法定代表人姓名"
            tips="身份信息仅用于核验法定代表人身份，将加密传输。"
            pending=start.pending() refusal
            on_submit=move |req| { start.dispatch(req); }/>
    }
}
