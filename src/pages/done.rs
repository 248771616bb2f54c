//! 企业认证成功: the enterprise is verified. After scenario 1 the applicant is its super admin;
//! after scenario 2 (授权成功) the super admin may 邀请企业员工在企业微信使用.

use api::wire::{EnterpriseView, InvitationResult, Scenario};
use leptos::prelude::*;
use leptos_router::components::A;

use crate::client::{self, ApiError};
use crate::components::dialog::ConfirmDialog;
use crate::components::error_state::ErrorState;
use crate::components::loading::LoadingPage;
use crate::remote::Remote;

#[component]
pub fn Done() -> impl IntoView {
    let enterprise = Remote::new(client::enterprise);
    view! {
        <div class="page">
            <Suspense fallback=|| view! { <LoadingPage/> }>
                {move || Suspend::new(async move {
                    match enterprise.await {
                        Ok(e) => view! { <Verified e/> }.into_any(),
                        // Not verified (a stale link): the home page tells where things stand.
                        Err(ApiError::Refused { status: 404, .. }) => view! {
                            <div class="msg">
                                <div class="msg__icon msg__icon--info" aria-hidden="true"></div>
                                <h1 class="msg__title">"企业尚未完成认证"</h1>
                                <div class="msg__opr"><A href="/" attr:class="btn btn--primary">"返回首页"</A></div>
                            </div>
                        }.into_any(),
                        Err(ApiError::Unauthorized(_)) => view! { <LoadingPage/> }.into_any(),
                        Err(e) => view! { <ErrorState message=e.to_string() on_retry=move || enterprise.refetch()/> }.into_any(),
                    }
                })}
            </Suspense>
        </div>
    }
}

#[component]
fn Verified(e: EnterpriseView) -> impl IntoView {
    let (title, desc) = match (e.scenario, e.you_are_super_admin) {
        (Scenario::New, true) => (
            "企业认证成功",
            format!("{}已完成企业认证，您已成为该企业的超级管理员。企业成员现在可以在企业微信内使用腾讯电子签。", e.name),
        ),
        (Scenario::New, false) => (
            "企业认证成功",
            format!("{}已完成企业认证，企业成员现在可以在企业微信内使用腾讯电子签。", e.name),
        ),
        (Scenario::Wechat, _) => (
            "授权成功",
            "授权成功，您的企业已经成功开通腾讯电子签企业微信服务。".to_owned(),
        ),
    };
    let invite = e.scenario == Scenario::Wechat && e.you_are_super_admin && e.invitable > 0;
    view! {
        <div class="msg">
            <div class="msg__icon msg__icon--success" aria-hidden="true"></div>
            <h1 class="msg__title">{title}</h1>
            <p class="msg__desc">{desc}</p>
            {(e.scenario == Scenario::Wechat).then(|| view! {
                <div class="cells cells--inset">
                    <div class="cell"><span class="cell__bd">"企业名称"</span><span class="cell__ft">{e.name.clone()}</span></div>
                    {e.super_admin_name.clone().map(|n| view! {
                        <div class="cell"><span class="cell__bd">"超级管理员"</span><span class="cell__ft">{n}</span></div>
                    })}
                </div>
            })}
            {invite.then(|| view! { <Invite count=e.invitable/> })}
            <div class="msg__opr">
                <A href="/" attr:class=if invite { "btn btn--default" } else { "btn btn--primary" }>"完成"</A>
            </div>
        </div>
    }
}

/// 邀请企业员工在企业微信使用 → 确定, and who was invited.
#[component]
fn Invite(count: u32) -> impl IntoView {
    let confirming = RwSignal::new(false);
    let result = RwSignal::new(None::<InvitationResult>);
    let error = RwSignal::new(None::<String>);
    let send = Action::new_local(|_: &()| client::invite_employees());
    Effect::new(move |_| match send.value().get() {
        Some(Ok(r)) => {
            confirming.set(false);
            error.set(None);
            result.set(Some(r));
        }
        Some(Err(e)) => {
            confirming.set(false);
            error.set(Some(e.to_string()));
        }
        None => {}
    });
    let pending = send.pending();
    view! {
        <div class="invite">
            {move || result.get().map(|r| view! {
                <div class="notice notice--info" role="status"><div class="notice__bd">
                    <p>{format!("已向{}名员工发送短信邀请：", r.invited.len())}</p>
                    <ul class="invite__list">
                        {r.invited.into_iter().map(|p| view! { <li>{format!("{} {}", p.name, p.phone)}</li> }).collect_view()}
                    </ul>
                    {(!r.skipped.is_empty()).then(|| view! {
                        <p>{format!(
                            "{}今日已收到3次邀请，未再发送。",
                            r.skipped.iter().map(|p| format!("{}（{}）", p.name, p.phone)).collect::<Vec<_>>().join("、")
                        )}</p>
                    })}
                </div></div>
            })}
            {move || error.get().map(|e| view! { <p class="notice notice--warn" role="alert">{e}</p> })}
            <button type="button" class="btn btn--primary" on:click=move |_| { error.set(None); confirming.set(true); }>
                "邀请企业员工在企业微信使用"
            </button>
        </div>
        {move || confirming.get().then(|| view! {
            <ConfirmDialog title="邀请企业员工"
                message=format!("系统将给企业内已有腾讯电子签账号的{count}名员工发送短信邀请，员工完成个人实名认证后即可在企业微信中使用腾讯电子签。")
                pending on_confirm=move || { send.dispatch(()); } on_cancel=move || confirming.set(false)/>
        })}
    }
}
