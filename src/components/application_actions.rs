//! Ways out of an application on 首页: 撤销认证 for its applicant, 接管认证 for another admin
//! once it sat untouched for 30 days, and the claim of a super admin who opened the service
//! outside WeCom. Each asks before it acts; the server decides whether it may.

use crate::components::back_stack::use_navigate;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::client;
use crate::components::dialog::ConfirmDialog;
use crate::components::toast::use_toaster;

/// 撤销认证: asks, withdraws, then `on_done` (首页 reloads its state).
#[component]
pub fn WithdrawButton(#[prop(into)] on_done: Callback<()>) -> impl IntoView {
    let asking = RwSignal::new(false);
    let toaster = use_toaster();
    let withdraw = Action::new_local(|_: &()| client::withdraw_application());
    Effect::new(move |_| match withdraw.value().get() {
        Some(Ok(())) => {
            asking.set(false);
            toaster.success("已撤销企业认证");
            on_done.run(());
        }
        Some(Err(e)) => {
            asking.set(false);
            toaster.text(e.to_string());
        }
        None => {}
    });
    view! {
        <button type="button" class="link notice__link" on:click=move |_| asking.set(true)>
            "撤销认证"
        </button>
        <Show when=move || asking.get()>
            <ConfirmDialog
                title="撤销企业认证"
                message="撤销后，已填写的认证资料不再使用，已发出的授权短信与提交的授权书将失效。企业管理员可重新发起认证。"
                pending=withdraw.pending()
                pending_label="正在撤销…"
                on_confirm=move || { withdraw.dispatch(()); }
                on_cancel=move || asking.set(false)
            />
        </Show>
    }
}

/// 接管认证: asks, takes over, then resumes the new application.
#[component]
pub fn TakeOverButton(#[prop(into)] applicant: String) -> impl IntoView {
    let asking = RwSignal::new(false);
    let toaster = use_toaster();
    let navigate = use_navigate();
    let take = Action::new_local(|_: &()| client::take_over());
    Effect::new(move |_| match take.value().get() {
        Some(Ok(_)) => {
            asking.set(false);
            navigate("/apply", Default::default());
        }
        Some(Err(e)) => {
            asking.set(false);
            toaster.text(e.to_string());
        }
        None => {}
    });
    let message = format!(
        "{applicant}发起的企业认证已超过30天无进展。接管后，原申请作废，由您重新发起认证，{applicant}将收到通知。"
    );
    view! {
        <button type="button" class="btn btn--mini btn--primary notice__action" on:click=move |_| asking.set(true)>
            "接管认证"
        </button>
        <Show when=move || asking.get()>
            <ConfirmDialog
                title="接管企业认证"
                message=message.clone()
                pending=take.pending()
                pending_label="正在接管…"
                on_confirm=move || { take.dispatch(()); }
                on_cancel=move || asking.set(false)
            />
        </Show>
    }
}

/// 验证身份: the super admin on record starts the face check that makes them super admin here.
#[component]
pub fn ClaimButton() -> impl IntoView {
    let busy = RwSignal::new(false);
    let toaster = use_toaster();
    let start = move |_| {
        busy.set(true);
        spawn_local(async move {
            match client::start_claim().await {
                Ok(s) => {
                    let _ = window().location().assign(&s.url);
                }
                Err(e) => {
                    busy.set(false);
                    toaster.text(e.to_string());
                }
            }
        });
    };
    view! {
        <button type="button" class="btn btn--mini btn--primary notice__action"
            disabled=move || busy.get() aria-busy=move || busy.get().to_string() on:click=start>
            "人脸识别确认身份"
        </button>
    }
}
