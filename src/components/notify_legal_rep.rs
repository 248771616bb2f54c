//! 短信通知法人 (step 4, path 2), the applicant's side: the seed's 短信通知法人 button, then the
//! number and 确认 (focus moves to the number when the form opens), then a page that
//! waits and updates by itself (woken by the server's event stream, or asking every few seconds
//! without one) when the legal representative acts; from there: 重新发送, 更换手机号, 取消.

use api::validate::mobile;
use api::wire::{SmsLinkStatus, SmsLinkView};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::time::Duration;
use wasm_bindgen::JsCast;

use crate::client;
use crate::components::form::{shown_error, TextCell};
use crate::components::poll::{countdown, poll_application};
use crate::format::china_time;

/// How often the waiting page asks while the event stream is not up.
const POLL_MS: u64 = 3000;

#[component]
pub fn NotifyLegalRep(initial: Option<SmsLinkView>) -> impl IntoView {
    let request = RwSignal::new(initial.filter(|r| r.status != SmsLinkStatus::Superseded));
    let editing = RwSignal::new(false);
    // The number typed in this visit, so that 重新发送 can reuse it (the server keeps it sealed).
    let phone = RwSignal::new(String::new());

    // While waiting: follow the application (poll.rs). The application leaving `open` (404)
    // means the legal representative authorized: the session says 已认证, and the success page
    // follows.
    let waiting = move || {
        request.with(|r| {
            r.as_ref()
                .is_some_and(|r| r.status == SmsLinkStatus::Pending)
        })
    };
    poll_application(Duration::from_millis(POLL_MS), waiting, move |v| {
        // Only a change re-renders the page.
        if v.legal_rep != request.get_untracked() {
            request.set(v.legal_rep);
        }
    });

    view! {
        <h3 class="cells__title">"您是企业或个体工商户的员工"</h3>
        {move || match (request.get(), editing.get()) {
            (Some(r), false) if r.status == SmsLinkStatus::Pending => {
                view! { <Waiting r request editing phone/> }.into_any()
            }
            (r, editing_now) => {
                let declined = r.as_ref().is_some_and(|r| r.status == SmsLinkStatus::Declined) && !editing_now;
                view! { <PhoneForm declined request editing phone/> }.into_any()
            }
        }}
    }
}

#[component]
fn PhoneForm(
    declined: bool,
    request: RwSignal<Option<SmsLinkView>>,
    editing: RwSignal<bool>,
    phone: RwSignal<String>,
) -> impl IntoView {
    let touched = RwSignal::new(false);
    let server = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        phone.track();
        server.set(None);
    });
    let error = shown_error(touched, phone, 11, mobile, server);
    let send = Action::new_local(move |p: &String| client::notify_legal_rep(p.clone()));
    Effect::new(move |_| match send.value().get() {
        Some(Ok(r)) => {
            editing.set(false);
            request.set(Some(r));
        }
        Some(Err(e)) => server.set(Some(e.to_string())),
        None => {}
    });
    let pending = send.pending();
    // The seed's order: the way is chosen with 短信通知法人 first. After a refusal or from
    // 更换手机号 the way is chosen already, so the number is asked for directly.
    let open = RwSignal::new(declined || editing.get_untracked());
    let open_form = move |_| {
        open.set(true);
        // After the form is in the DOM: a screen reader and the keyboard land on the number.
        request_animation_frame(|| {
            if let Some(el) = document().get_element_by_id("legal-rep-phone") {
                let _ = el.unchecked_into::<web_sys::HtmlElement>().focus();
            }
        });
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        touched.set(true);
        if error.get_untracked().is_none() {
            send.dispatch(phone.get_untracked());
        }
    };
    view! {
        {declined.then(|| view! {
            <p class="notice notice--warn" role="alert">"法定代表人拒绝了本次授权请求。您可以与法定代表人沟通后重新发送，或返回首页。"</p>
        })}
        <div class="auth-card">
            <div class="auth-card__icon auth-card__icon--sms" aria-hidden="true"></div>
            <p>"您需联系企业的法定代表人或经营者授权您作为该企业的超级管理员，授权成功后则完成企业创建流程。"</p>
        </div>
        <Show when=move || open.get() fallback=move || view! {
            <div class="btn-area">
                <button type="button" class="btn btn--primary" on:click=open_form>"短信通知法人"</button>
            </div>
        }>
        <form id="legal-rep-form" on:submit=on_submit novalidate>
            <div class="cells">
                <TextCell id="legal-rep-phone" label="法定代表人手机号" value=phone error placeholder="请输入11位手机号"
                    stacked=true input_type="tel" inputmode="numeric" maxlength=16 autocomplete="off" on_blur=move || touched.set(true)/>
            </div>
            <p class="cells__tips">"该手机号仅用于通知法定代表人或经营者授权，请确认手机号无误。"</p>
            <div class="btn-area">
                <button type="submit" class="btn btn--primary" disabled=move || pending.get() aria-busy=move || pending.get().to_string()>
                    {move || pending.get().then(|| view! { <span class="spinner" aria-hidden="true"></span> })}
                    {if declined { "重新发送" } else { "确认" }}
                </button>
            </div>
        </form>
        </Show>
    }
}

#[component]
fn Waiting(
    r: SmsLinkView,
    request: RwSignal<Option<SmsLinkView>>,
    editing: RwSignal<bool>,
    phone: RwSignal<String>,
) -> impl IntoView {
    let left = countdown(r.resend_in_secs.unwrap_or(0));
    let error = RwSignal::new(None::<String>);
    let masked = r.phone_masked.clone();
    let sent = china_time(r.sent_at);
    let resend = move |_: leptos::ev::MouseEvent| {
        error.set(None);
        let number = phone.get_untracked();
        // After a reload only the mask is known: ask for the number again.
        if number.is_empty() {
            editing.set(true);
            return;
        }
        spawn_local(async move {
            match client::notify_legal_rep(number).await {
                Ok(v) => request.set(Some(v)),
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    let cancel = move |_: leptos::ev::MouseEvent| {
        spawn_local(async move {
            match client::cancel_legal_rep().await {
                Ok(v) => request.set(Some(v)),
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    view! {
        <div class="msg msg--compact" role="status" aria-live="polite">
            <div class="msg__icon msg__icon--waiting" aria-hidden="true"></div>
            <h3 class="msg__title">"等待法定代表人授权"</h3>
            <p class="msg__desc">{format!("已于{sent}通过短信通知法定代表人（{masked}），授权结果将在此页自动更新。链接24小时内有效。")}</p>
        </div>
        {move || error.get().map(|e| view! { <p class="notice notice--warn" role="alert">{e}</p> })}
        <div class="btn-area">
            <button type="button" class="btn btn--default" disabled=move || { left.get() > 0 } on:click=resend>
                {move || match left.get() {
                    0 => "重新发送".to_owned(),
                    n => format!("{n}秒后可重新发送"),
                }}
            </button>
            <button type="button" class="btn btn--plain" on:click=move |_| {
                phone.set(String::new());
                editing.set(true);
            }>"更换手机号"</button>
            <button type="button" class="btn btn--warn btn--plain" on:click=cancel>"取消"</button>
        </div>
    }
}
