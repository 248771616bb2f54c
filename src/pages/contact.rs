//! Step 3, 确认联系方式: the applicant's mobile number at this enterprise, confirmed by a
//! 6-digit SMS code (获取验证码, 60 s countdown that survives a reload).

use crate::components::back_stack::use_navigate;
use api::validate::{mobile, sms_code};
use api::wire::{ApplicationView, ApplyStep};
use leptos::prelude::*;

use crate::client::{self, ApiError};
use crate::components::form::{shown_error, SubmitButton, TextCell};
use crate::components::sms_countdown::use_sms_countdown;
use crate::components::step_frame::StepFrame;
use crate::components::toast::use_toaster;

/// What was typed survives going back a step and returning (not the code: it is short-lived).
const DRAFT: &str = "esign.draft.contact.phone";

fn draft() -> String {
    window()
        .session_storage()
        .ok()
        .flatten()
        .and_then(|s| s.get_item(DRAFT).ok().flatten())
        .unwrap_or_default()
}

fn save_draft(v: &str) {
    if let Some(s) = window().session_storage().ok().flatten() {
        let _ = s.set_item(DRAFT, v);
    }
}

#[component]
pub fn Contact() -> impl IntoView {
    view! { <StepFrame step=ApplyStep::Contact render=|v: ApplicationView| view! { <ContactForm v/> }/> }
}

#[component]
fn ContactForm(v: ApplicationView) -> impl IntoView {
    let navigate = use_navigate();
    let toaster = use_toaster();
    let countdown = use_sms_countdown();
    if let Some(secs) = v.sms_resend_in_secs {
        countdown.start(secs);
    }
    let phone = RwSignal::new(draft());
    let code = RwSignal::new(String::new());
    let (phone_touched, code_touched) = (RwSignal::new(false), RwSignal::new(false));
    let (phone_server, code_server) =
        (RwSignal::new(None::<String>), RwSignal::new(None::<String>));
    Effect::new(move |_| {
        let p = phone.get();
        save_draft(&p);
        phone_server.set(None);
    });
    Effect::new(move |_| {
        // A pasted SMS ("验证码：123456，5分钟内有效") keeps only its six digits.
        let typed = code.get();
        if typed.chars().any(|c| !c.is_ascii_digit()) || typed.len() > 6 {
            code.set(typed.chars().filter(char::is_ascii_digit).take(6).collect());
        }
        code_server.set(None);
    });
    let phone_error = shown_error(phone_touched, phone, 11, mobile, phone_server);
    let code_error = shown_error(code_touched, code, 6, sms_code, code_server);

    let send = Action::new_local(move |p: &String| client::send_contact_code(p.clone()));
    Effect::new(move |_| match send.value().get() {
        Some(Ok(sent)) => {
            countdown.start(sent.resend_in_secs);
            toaster.text(format!("验证码已发送至{}", sent.phone_masked));
        }
        Some(Err(e)) => {
            if let Some(secs) = e.retry_after() {
                countdown.start(secs.min(60));
            }
            match &e {
                ApiError::Refused { error, .. } if error.field.as_deref() == Some("phone") => {
                    phone_server.set(Some(error.message.clone()))
                }
                _ => phone_server.set(Some(e.to_string())),
            }
        }
        None => {}
    });
    let verify = Action::new_local(move |(p, c): &(String, String)| {
        client::verify_contact(p.clone(), c.clone())
    });
    Effect::new(move |_| match verify.value().get() {
        Some(Ok(_)) => navigate(ApplyStep::Authorize.path(), Default::default()),
        Some(Err(ApiError::Refused { error, .. })) if error.field.as_deref() == Some("phone") => {
            phone_server.set(Some(error.message))
        }
        Some(Err(e)) => code_server.set(Some(e.to_string())),
        None => {}
    });

    let can_send = move || countdown.left() == 0 && !send.pending().get();
    let on_send = move |_| {
        phone_touched.set(true);
        if phone_error.get_untracked().is_none() && can_send() {
            send.dispatch(phone.get_untracked());
        }
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        phone_touched.set(true);
        code_touched.set(true);
        if phone_error.get_untracked().is_none() && code_error.get_untracked().is_none() {
            verify.dispatch((phone.get_untracked(), code.get_untracked()));
        }
    };
    let pending = verify.pending();
    let verified = v.contact.filter(|c| c.verified).map(|c| c.phone_masked);
    view! {
        <div class="page__hd">
            <h2 class="page__title">"确认联系方式"</h2>
            <p class="page__desc">"请输入您在该企业的联系方式并完成验证码校验。"</p>
        </div>
        {verified.map(|m| view! {
            <p class="notice notice--info" role="status">{format!("已验证手机号{m}。如需更换，请输入新手机号重新验证。")}</p>
        })}
        <form on:submit=on_submit novalidate>
            <div class="cells">
                <TextCell id="phone" label="手机号" value=phone error=phone_error placeholder="请输入11位手机号"
                    input_type="tel" inputmode="numeric" maxlength=16 autocomplete="tel"
                    on_blur=move || phone_touched.set(true)>
                    <button type="button" class="btn btn--mini btn--default" on:click=on_send
                        disabled=move || { !can_send() }>
                        {move || countdown.label()}
                    </button>
                </TextCell>
                <TextCell id="code" label="验证码" value=code error=code_error placeholder="请输入6位验证码"
                    inputmode="numeric" maxlength=40 autocomplete="one-time-code"
                    on_blur=move || code_touched.set(true)/>
            </div>
            <p class="cells__tips">"验证码5分钟内有效。手机号将加密保存，仅用于企业认证相关通知。"</p>
            <SubmitButton label="下一步" pending/>
        </form>
    }
}
