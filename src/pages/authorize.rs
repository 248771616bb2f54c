//! Step 4, 超级管理员授权. The server decides the way (`authorize_path`) and the page shows
//! only that one. Path 1: the legal representative verifies their own face. 短信通知法人 and
//! 授权书 are not built yet; their page says so plainly.

use api::wire::{ApplicationView, ApplyStep, AuthorizePath};
use leptos::prelude::*;
use leptos_router::components::A;

use crate::client;
use crate::components::letter::Letter;
use crate::components::notify_legal_rep::NotifyLegalRep;
use crate::components::step_frame::StepFrame;

#[component]
pub fn Authorize() -> impl IntoView {
    view! { <StepFrame step=ApplyStep::Authorize render=|v: ApplicationView| view! { <AuthorizeStep v/> }/> }
}

#[component]
fn AuthorizeStep(v: ApplicationView) -> impl IntoView {
    let license = v.license.as_ref();
    let enterprise = license.map_or_else(|| v.corp_name.clone(), |l| l.name.value.clone());
    let subject = license.map_or("", |l| l.subject_type.label());
    let path = v.authorize_path;
    view! {
        <div class="page__hd">
            <h2 class="page__title">"超级管理员授权"</h2>
            <p class="page__desc">"联系方式验证通过后，系统将基于主体类型及您在企业中的身份，提供以下授权方式。"</p>
        </div>
        <div class="cells">
            <div class="cell"><span class="cell__bd">"企业"</span><span class="cell__ft">{enterprise}</span></div>
            <div class="cell"><span class="cell__bd">"主体类型"</span><span class="cell__ft">{subject}</span></div>
            <div class="cell"><span class="cell__bd">"经办人"</span><span class="cell__ft">{v.applicant.name.clone()}</span></div>
            {v.contact.map(|c| view! {
                <div class="cell"><span class="cell__bd">"联系方式"</span><span class="cell__ft">{c.phone_masked}</span></div>
            })}
        </div>
        {match path {
            Some(AuthorizePath::LegalRepFace) => view! { <LegalRepFace/> }.into_any(),
            Some(AuthorizePath::NotifyLegalRep) => view! { <NotifyLegalRep initial=v.legal_rep.clone()/> }.into_any(),
            Some(AuthorizePath::Letter) => view! { <Letter initial=v.letter.clone()/> }.into_any(),
            other => view! { <NotYet path=other/> }.into_any(),
        }}
    }
}

/// 情况1：您是企业法定代表人或个体工商户经营者.
#[component]
fn LegalRepFace() -> impl IntoView {
    let start = Action::new_local(|_: &()| client::start_face());
    let error = RwSignal::new(None::<String>);
    Effect::new(move |_| match start.value().get() {
        // FaceID's page (the simulation page locally) is another site: a full navigation.
        Some(Ok(s)) => {
            let _ = window().location().assign(&s.url);
        }
        Some(Err(e)) => error.set(Some(e.to_string())),
        None => {}
    });
    let pending = start.pending();
    view! {
        <h3 class="cells__title">"您是企业法定代表人或个体工商户经营者"</h3>
        <div class="auth-card">
            <div class="auth-card__icon auth-card__icon--face" aria-hidden="true"></div>
            <p>"请根据网页指引进行人脸识别，操作成功后即可完成认证，且您会成为该企业的超级管理员。"</p>
        </div>
        {move || error.get().map(|e| view! { <p class="notice notice--warn" role="alert">{e}</p> })}
        <div class="btn-area">
            <button type="button" class="btn btn--primary" class:btn--loading=move || pending.get()
                disabled=move || pending.get() aria-busy=move || pending.get().to_string()
                on:click=move |_| {
                    error.set(None);
                    start.dispatch(());
                }>
                {move || pending.get().then(|| view! { <span class="spinner" aria-hidden="true"></span> })}
                "开始人脸识别"
            </button>
        </div>
    }
}

/// The ways not built yet: said plainly, with everything typed so far kept.
#[component]
fn NotYet(path: Option<AuthorizePath>) -> impl IntoView {
    let how = match path {
        Some(AuthorizePath::Letter) => {
            "机构需上传加盖公章的超级管理员授权书，由腾讯电子签工作人员审核。"
        }
        _ => "请稍后再试。",
    };
    view! {
        <div class="msg">
            <div class="msg__icon msg__icon--waiting" aria-hidden="true"></div>
            <h3 class="msg__title">"该授权方式即将开放"</h3>
            <p class="msg__desc">{how}" 您已填写的信息均已保存。"</p>
            <div class="msg__opr">
                <A href="/" attr:class="btn btn--default">"返回首页"</A>
            </div>
        </div>
    }
}
