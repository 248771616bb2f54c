//! Step 1, 个人实名认证: name and 居民身份证号, checked as typed with the shared validators,
//! then by the server. A person verified before sees their masked details and goes on.

use api::validate::{id_number, person_name};
use api::wire::{ApplicationView, ApplyStep, PersonVerification, RealNameRequest};
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use crate::client::{self, ApiError};
use crate::components::form::{shown_error, SubmitButton, TextCell};
use crate::components::step_frame::StepFrame;

#[component]
pub fn RealName() -> impl IntoView {
    view! {
        <StepFrame step=ApplyStep::RealName render=|v: ApplicationView| match v.real_name {
            Some(p) => view! { <AlreadyVerified p/> }.into_any(),
            None => view! { <RealNameForm/> }.into_any(),
        }/>
    }
}

#[component]
fn AlreadyVerified(p: PersonVerification) -> impl IntoView {
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
                on:click=move |_| navigate(ApplyStep::License.path(), Default::default())>"下一步"</button>
        </div>
    }
}

#[component]
fn RealNameForm() -> impl IntoView {
    let navigate = use_navigate();
    let name = RwSignal::new(String::new());
    let id = RwSignal::new(String::new());
    let (name_touched, id_touched) = (RwSignal::new(false), RwSignal::new(false));
    let (name_server, id_server) = (RwSignal::new(None::<String>), RwSignal::new(None::<String>));
    let form_error = RwSignal::new(None::<String>);
    // A server refusal belongs to what was sent: editing the field clears it.
    Effect::new(move |_| {
        name.track();
        name_server.set(None);
    });
    Effect::new(move |_| {
        id.track();
        id_server.set(None);
    });
    let name_error = shown_error(name_touched, name, 64, person_name, name_server);
    let id_error = shown_error(id_touched, id, 18, id_number, id_server);

    let submit =
        Action::new_local(move |req: &RealNameRequest| client::submit_real_name(req.clone()));
    Effect::new(move |_| match submit.value().get() {
        Some(Ok(_)) => navigate(ApplyStep::License.path(), Default::default()),
        Some(Err(ApiError::Refused { error, .. })) => match error.field.as_deref() {
            Some("name") => name_server.set(Some(error.message)),
            Some("id_number") => id_server.set(Some(error.message)),
            _ => form_error.set(Some(error.message)),
        },
        Some(Err(e)) => form_error.set(Some(e.to_string())),
        None => {}
    });
    let pending = submit.pending();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        name_touched.set(true);
        id_touched.set(true);
        form_error.set(None);
        if name_error.get_untracked().is_some() || id_error.get_untracked().is_some() {
            return;
        }
        submit.dispatch(RealNameRequest {
            name: name.get_untracked(),
            id_number: id.get_untracked(),
        });
    };
    let add_x = move |_| {
        id.update(|v| {
            if v.chars().count() == 17 {
                v.push('X');
            }
        })
    };
    view! {
        <div class="page__hd">
            <h2 class="page__title">"个人实名认证"</h2>
            <p class="page__desc">"请填写您本人的真实身份信息。认证通过后，您将作为经办人继续企业认证。"</p>
        </div>
        <form class="real-name" on:submit=on_submit novalidate>
            <div class="cells">
                <TextCell id="name" label="姓名" value=name error=name_error placeholder="请输入真实姓名"
                    autocomplete="name" maxlength=32 on_blur=move || name_touched.set(true)/>
                <div class="cell">
                    <span class="cell__hd cell__label">"证件类型"</span>
                    <span class="cell__bd">"居民身份证"</span>
                </div>
                <TextCell id="id_number" label="身份证号" value=id error=id_error placeholder="请输入18位身份证号"
                    inputmode="numeric" maxlength=18 on_blur=move || id_touched.set(true)>
                    <button type="button" class="btn btn--mini btn--default" aria-label="输入末位X"
                        on:click=add_x
                        disabled=move || { id.with(|v| v.chars().count() != 17) }>"X"</button>
                </TextCell>
            </div>
            <p class="cells__tips">"身份信息将加密保存，仅用于实名认证，页面中只显示部分号码。"</p>
            {move || form_error.get().map(|e| view! { <p class="notice notice--warn" role="alert">{e}</p> })}
            <SubmitButton label="下一步" pending pending_label="正在认证…"/>
        </form>
    }
}
