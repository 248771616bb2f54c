//! Step 1, 个人实名认证: name and 居民身份证号, checked as typed with the shared validators,
//! then by the server. A person verified before sees their masked details and goes on.

use crate::components::back_stack::use_navigate;
use api::wire::{resume_path, ApplicationView, ApplyStep, PersonVerification, RealNameRequest};
use leptos::prelude::*;

use crate::client;
use crate::components::identity_form::IdentityForm;
use crate::components::step_frame::StepFrame;

#[component]
pub fn RealName() -> impl IntoView {
    view! {
        <StepFrame step=ApplyStep::RealName render=|v: ApplicationView| match v.real_name {
            Some(p) => view! { <AlreadyVerified p next=resume_path(v.scenario, v.step.max(ApplyStep::License))/> }.into_any(),
            None => view! { <RealNameForm/> }.into_any(),
        }/>
    }
}

#[component]
pub fn AlreadyVerified(p: PersonVerification, next: &'static str) -> impl IntoView {
    let navigate = use_navigate();
    view! {
        <div class="page__hd">
            <h2 class="page__title">"个人实名认证"</h2>
            <p class="page__desc">"您已完成个人实名认证，无需重复认证。"</p>
        </div>
        <div class="cells">
            <div class="cell"><span class="cell__bd">"姓名"</span><span class="cell__ft">{p.name}</span></div>
            <div class="cell"><span class="cell__bd">"身份证号"</span><span class="cell__ft">{p.id_masked}</span></div>
        </div>
        <div class="btn-area">
            <button type="button" class="btn btn--primary"
                on:click=move |_| navigate(next, Default::default())>"下一步"</button>
        </div>
    }
}

#[component]
fn RealNameForm() -> impl IntoView {
    let navigate = use_navigate();
    let submit =
        Action::new_local(move |req: &RealNameRequest| client::submit_real_name(req.clone()));
    Effect::new(move |_| {
        if let Some(Ok(v)) = submit.value().get() {
            navigate(resume_path(v.scenario, v.step), Default::default());
        }
    });
    let refusal = Signal::derive(move || submit.value().get().and_then(Result::err));
    view! {
        <div class="page__hd">
            <h2 class="page__title">"个人实名认证"</h2>
            <p class="page__desc">"请填写您本人的真实身份信息。认证通过后，您将作为经办人继续企业认证。"</p>
        </div>
        <IdentityForm submit_label="下一步" pending_label="正在认证…"
            tips="身份信息将加密保存，仅用于实名认证，页面中只显示部分号码。"
            pending=submit.pending() refusal
            on_submit=move |req| { submit.dispatch(req); }/>
    }
}
