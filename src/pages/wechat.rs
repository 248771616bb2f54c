//! `/apply/wechat`, 关联微信账户 (scenario 2): find the enterprise already opened on the WeChat
//! side (电子签服务已开通), then 短信通知超级管理员 and wait — or, for the super admin, go on to
//! activation. When nothing is found, back to 上传证照 (scenario 1), as the seed says.

use std::time::Duration;

use crate::components::back_stack::use_navigate;
use api::validate::uscc;
use api::wire::{
    ApplicationView, ApplyStep, ErrorCode, Scenario, SmsLinkStatus, SmsLinkView, WechatLinkView,
};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::NavigateOptions;

use crate::client::{self, ApiError};
use crate::components::dialog::ConfirmDialog;
use crate::components::error_state::ErrorState;
use crate::components::form::{shown_error, TextCell};
use crate::components::loading::LoadingPage;
use crate::components::navbar::Navbar;
use crate::components::poll::{countdown, poll_application};
use crate::components::step_frame::Blocked;
use crate::components::steps::Steps;
use crate::format::china_time;
use crate::remote::Remote;

/// How often the waiting page asks while the event stream is not up.
const POLL_MS: u64 = 3000;

#[component]
pub fn Wechat() -> impl IntoView {
    let app = Remote::new(client::application);
    let navigate = use_navigate();
    view! {
        <div class="page">
            <Navbar title="企业认证" back_to=ApplyStep::License.path()/>
            <Steps current=1 scenario=Scenario::Wechat/>
            <Suspense fallback=|| view! { <LoadingPage/> }>
                {move || {
                    let navigate = navigate.clone();
                    Suspend::new(async move {
                        let relink = Callback::new(move |()| app.refetch());
                        match app.await {
                            Ok(ApplicationView { wechat: Some(w), .. }) => view! { <Linked w relink/> }.into_any(),
                            Ok(v) if v.step == ApplyStep::RealName => {
                                navigate(ApplyStep::RealName.path(), NavigateOptions { replace: true, ..Default::default() });
                                view! { <LoadingPage/> }.into_any()
                            }
                            Ok(v) => {
                                let code = v.license.map(|l| l.uscc.value);
                                view! { <Lookup code has_application=true relink/> }.into_any()
                            }
                            // None of the caller's own: a WeCom admin who has not started, or a
                            // WeChat-side super admin who is no WeCom admin. 关联微信账户 decides.
                            Err(ApiError::Refused { status: 403 | 404, .. }) => {
                                view! { <Lookup code=None has_application=false relink/> }.into_any()
                            }
                            Err(ApiError::Unauthorized(_)) => view! { <LoadingPage/> }.into_any(),
                            Err(ApiError::Refused { error, .. }) => view! { <Blocked message=error.message/> }.into_any(),
                            Err(e) => view! { <ErrorState message=e.to_string() on_retry=move || app.refetch()/> }.into_any(),
                        }
                    })
                }}
            </Suspense>
        </div>
    }
}

/// 关联微信账户 before a link exists: by the verified person's memberships at once, else by
/// the 统一社会信用代码 typed (or read from the license).
#[component]
fn Lookup(code: Option<String>, has_application: bool, relink: Callback<()>) -> impl IntoView {
    let navigate = use_navigate();
    let value = RwSignal::new(code.clone().unwrap_or_default());
    let touched = RwSignal::new(false);
    let server = RwSignal::new(None::<String>);
    let not_found = RwSignal::new(None::<String>);
    let blocked = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        value.track();
        server.set(None);
    });
    let error = shown_error(touched, value, 18, uscc, server);
    let search = Action::new_local(|code: &Option<String>| client::link_wechat(code.clone()));
    Effect::new(move |_| match search.value().get() {
        Some(Ok(_)) => relink.run(()),
        Some(Err(e)) => match (e.status(), e.field(), e.code()) {
            (_, Some("uscc"), _) => server.set(Some(e.to_string())),
            (Some(404), _, _) => not_found.set(Some(e.to_string())),
            (_, _, Some(ErrorCode::RealNameRequired)) => navigate(
                if has_application {
                    ApplyStep::RealName.path()
                } else {
                    "/me/real-name?next=wechat"
                },
                Default::default(),
            ),
            _ => blocked.set(Some(e.to_string())),
        },
        None => {}
    });
    // The verified person's own memberships need no code: look there first.
    if code.is_none() {
        search.dispatch(None);
    }
    let pending = search.pending();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        touched.set(true);
        not_found.set(None);
        if error.get_untracked().is_none() {
            search.dispatch(Some(value.get_untracked()));
        }
    };
    view! {
        {move || match blocked.get() {
            Some(message) => view! { <Blocked message/> }.into_any(),
            None => view! {
                <div class="page__hd">
                    <h2 class="page__title">"关联微信账户"</h2>
                    <p class="page__desc">"若企业已在微信端注册腾讯电子签账户，可将已有账户关联至当前企业微信，无需重新上传证照。"</p>
                </div>
                <form on:submit=on_submit novalidate>
                    <div class="cells">
                        <TextCell id="uscc" label="统一社会信用代码" value error placeholder="请输入18位统一社会信用代码"
                            maxlength=18 stacked=true on_blur=move || touched.set(true)/>
                    </div>
                    <p class="cells__tips">"系统将查找使用该代码、已开通腾讯电子签微信端服务的企业。"</p>
                    {move || not_found.get().map(|m| view! {
                        <div class="notice notice--warn" role="alert">
                            <p>{m}</p>
                        </div>
                    })}
                    <div class="btn-area">
                        <button type="submit" class="btn btn--primary" disabled=move || pending.get()
                            aria-busy=move || pending.get().to_string()>
                            {move || pending.get().then(|| view! { <span class="spinner" aria-hidden="true"></span> })}
                            {move || if pending.get() { "正在查找…" } else { "查找" }}
                        </button>
                        {has_application.then(|| view! {
                            <a class="btn btn--plain" href=ApplyStep::License.path()>"返回上传证照"</a>
                        })}
                    </div>
                </form>
            }.into_any(),
        }}
    }
}

/// 电子签服务已开通, and who activates it.
#[component]
fn Linked(w: WechatLinkView, relink: Callback<()>) -> impl IntoView {
    let navigate = use_navigate();
    let e = w.enterprise.clone();
    let error = RwSignal::new(None::<String>);
    let unlink = move |_| {
        let navigate = navigate.clone();
        spawn_local(async move {
            match client::unlink_wechat().await {
                Ok(_) => navigate(ApplyStep::License.path(), Default::default()),
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    view! {
        <div class="msg msg--compact">
            <div class="msg__icon msg__icon--success" aria-hidden="true"></div>
            <h2 class="msg__title">"电子签服务已开通"</h2>
            <p class="msg__desc">"系统识别到当前企业已经开通腾讯电子签企业账号。"</p>
        </div>
        <div class="cells">
            <div class="cell"><span class="cell__bd">"企业名称"</span><span class="cell__ft">{e.name.clone()}</span></div>
            <div class="cell"><span class="cell__bd">"统一社会信用代码"</span><span class="cell__ft">{e.uscc.clone()}</span></div>
            <div class="cell"><span class="cell__bd">"超级管理员"</span><span class="cell__ft">{e.super_admin_name.clone()}</span></div>
            <div class="cell"><span class="cell__bd">"超级管理员手机号"</span><span class="cell__ft">{e.super_admin_phone.clone()}</span></div>
        </div>
        {move || error.get().map(|e| view! { <p class="notice notice--warn" role="alert">{e}</p> })}
        {if w.applicant_is_super_admin {
            view! { <SelfActivate/> }.into_any()
        } else {
            view! { <NotifySuperAdmin initial=w.notice.clone() phone=e.super_admin_phone.clone() relink/> }.into_any()
        }}
        {(!w.applicant_is_super_admin).then(|| view! {
            <div class="btn-area">
                <button type="button" class="btn btn--plain" on:click=unlink>"不是本企业？返回上传证照"</button>
            </div>
        })}
    }
}

/// The applicant is the super admin: straight to 超级管理员授权.
#[component]
fn SelfActivate() -> impl IntoView {
    let navigate = use_navigate();
    let start = Action::new_local(|_: &()| client::activate_directly());
    let error = RwSignal::new(None::<String>);
    Effect::new(move |_| match start.value().get() {
        Some(Ok(s)) => navigate(&s.path, Default::default()),
        Some(Err(e)) => error.set(Some(e.to_string())),
        None => {}
    });
    let pending = start.pending();
    view! {
        <p class="notice notice--info" role="status">"您是该企业的电子签超级管理员，可直接完成超级管理员授权，开通企业微信端服务。"</p>
        {move || error.get().map(|e| view! { <p class="notice notice--warn" role="alert">{e}</p> })}
        <div class="btn-area">
            <button type="button" class="btn btn--primary" disabled=move || pending.get()
                on:click=move |_| { start.dispatch(()); }>"下一步"</button>
        </div>
    }
}

/// 短信通知超级管理员 → 确定, then a page that waits and updates by itself.
#[component]
fn NotifySuperAdmin(
    initial: Option<SmsLinkView>,
    phone: String,
    relink: Callback<()>,
) -> impl IntoView {
    let notice = RwSignal::new(initial);
    let confirming = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let waiting = move || {
        notice.with(|n| {
            n.as_ref()
                .is_some_and(|n| n.status == SmsLinkStatus::Pending)
        })
    };
    // The application leaving `open` means the super admin opened the service: the shared
    // poll goes to the success page.
    poll_application(Duration::from_millis(POLL_MS), waiting, move |v| {
        match v.wechat {
            Some(w) if w.notice != notice.get_untracked() => notice.set(w.notice),
            Some(_) => {}
            None => relink.run(()),
        }
    });
    let send = Action::new_local(|_: &()| client::notify_super_admin());
    Effect::new(move |_| match send.value().get() {
        Some(Ok(n)) => {
            confirming.set(false);
            notice.set(Some(n));
        }
        Some(Err(e)) => {
            confirming.set(false);
            error.set(Some(e.to_string()));
        }
        None => {}
    });
    let pending = send.pending();
    let ask = move |_| {
        error.set(None);
        confirming.set(true);
    };
    view! {
        {move || match notice.get() {
            Some(n) if n.status == SmsLinkStatus::Pending => {
                let left = countdown(n.resend_in_secs.unwrap_or(0));
                view! {
                    <div class="msg msg--compact" role="status" aria-live="polite">
                        <div class="msg__icon msg__icon--waiting" aria-hidden="true"></div>
                        <h3 class="msg__title">"等待超级管理员授权"</h3>
                        <p class="msg__desc">{format!(
                            "已于{}通过短信通知超级管理员（{}），超级管理员确认开通后，本页将自动更新。链接24小时内有效。",
                            china_time(n.sent_at), n.phone_masked
                        )}</p>
                    </div>
                    <div class="btn-area">
                        <button type="button" class="btn btn--default" disabled=move || { left.get() > 0 } on:click=ask>
                            {move || match left.get() {
                                0 => "重新发送".to_owned(),
                                s => format!("{s}秒后可重新发送"),
                            }}
                        </button>
                    </div>
                }.into_any()
            }
            _ => view! {
                <div class="auth-card">
                    <div class="auth-card__icon auth-card__icon--sms" aria-hidden="true"></div>
                    <p>"您不是该企业的电子签超级管理员，需要通知超级管理员授权激活企业微信端的企业账号。"</p>
                </div>
                <div class="btn-area">
                    <button type="button" class="btn btn--primary" on:click=ask>"短信通知超级管理员"</button>
                </div>
            }.into_any(),
        }}
        {move || error.get().map(|e| view! { <p class="notice notice--warn" role="alert">{e}</p> })}
        {move || confirming.get().then(|| view! {
            <ConfirmDialog title="短信通知超级管理员"
                message=format!("将向超级管理员手机号{phone}发送短信通知，该手机号仅用于通知超级管理员授权使用。")
                pending on_confirm=move || { send.dispatch(()); } on_cancel=move || confirming.set(false)/>
        })}
    }
}
