//! 首页: the enterprise and its badge, what verification gives, 准备资料, and the floating
//! 去认证 bar. What 去认证 does depends on the role the server reports.

use crate::components::back_stack::use_navigate;
use api::wire::{resume_path, EnterpriseState, EntryRole, Membership, SessionInfo, WECHAT_PATH};
use leptos::prelude::*;
use leptos_router::components::A;

use crate::client::{self, ApiError};
use crate::components::application_actions::{ClaimButton, TakeOverButton, WithdrawButton};
use crate::components::corp_card::CorpCard;
use crate::components::dialog::{Dialog, DialogActions};
use crate::components::error_state::ErrorState;
use crate::components::home_intro::HomeIntro;
use crate::components::loading::HomeSkeleton;
use crate::components::toast::use_toaster;
use crate::remote::Remote;

#[component]
pub fn Home() -> impl IntoView {
    let session = Remote::new(client::first_session);
    view! {
        <Suspense fallback=|| view! { <HomeSkeleton/> }>
            {move || Suspend::new(async move {
                match session.await {
                    Ok(info) => view! { <HomeView info on_changed=move || session.refetch()/> }.into_any(),
                    // The auth-lost gate replaces the whole app; keep the skeleton meanwhile.
                    Err(ApiError::Unauthorized(_)) => view! { <HomeSkeleton/> }.into_any(),
                    Err(e) => view! {
                        <div class="page">
                            <ErrorState message=e.to_string() on_retry=move || session.refetch()/>
                        </div>
                    }
                    .into_any(),
                }
            })}
        </Suspense>
    }
}

/// Which dialog 去认证 opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Prompt {
    /// An ordinary employee: no permission, 通知企微管理员.
    NoPermission,
    /// An admin of a 成员授权 install: how to switch to 企业管理员授权使用.
    SwitchAuthMode,
}

#[component]
fn HomeView(info: SessionInfo, #[prop(into)] on_changed: Callback<()>) -> impl IntoView {
    let navigate = use_navigate();
    let prompt = RwSignal::new(None::<Prompt>);
    let state = info.enterprise_state;
    let role = info.role;
    let mine = info.application.as_ref().is_some_and(|a| a.is_mine);
    // Where the person's own application resumes (a super admin who is no WeCom admin has one
    // only in scenario 2).
    let resume = info
        .application
        .as_ref()
        .filter(|a| a.is_mine)
        .map(|a| resume_path(a.scenario, a.step));

    // Only when 去认证 leads into the steps (not to a dialog) is their chunk worth fetching.
    let leads_to_steps = role == EntryRole::Admin || resume.is_some();
    let go_verify = Callback::new(move |()| match (role, resume) {
        (EntryRole::Admin, _) => navigate("/apply", Default::default()),
        (_, Some(path)) => navigate(path, Default::default()),
        (EntryRole::AdminMemberMode, _) => prompt.set(Some(Prompt::SwitchAuthMode)),
        (EntryRole::Employee, _) => prompt.set(Some(Prompt::NoPermission)),
        (EntryRole::Staff, _) => {}
    });

    let (corp_name, corp_meta) = match &info.corp {
        Some(c) => (
            c.name.clone(),
            if info.is_super_admin {
                "企业超级管理员"
            } else {
                role_label(role)
            },
        ),
        None => ("腾讯电子签".to_owned(), "电子签工作人员"),
    };
    let status_note = status_note(&info, on_changed);
    let bar = match (state, role) {
        (_, EntryRole::Staff) | (EnterpriseState::Verified, _) => None,
        (EnterpriseState::InProgress, _) if !mine => None,
        (EnterpriseState::InProgress, _) => Some(("您的企业认证尚未完成", "继续认证")),
        (EnterpriseState::Unverified, _) => Some(("企业未认证，认证后可使用电子签", "去认证")),
    };
    let with_bar = bar.is_some();

    view! {
        <div class="page" class:page--with-bar=with_bar>
            <CorpCard
                name=corp_name
                user=info.user.clone()
                meta=corp_meta
                state
                on_verify=go_verify
            />
            {status_note}
            <HomeIntro/>
            {info.local_mode.then(|| view! {
                <p class="page__ft">
                    "本地演示环境：短信与企业微信消息写入"
                    <a class="link" href="/dev/outbox">"发件箱"</a>
                </p>
            })}
            {bar.map(|(text, label)| view! {
                <div class="fab-bar">
                    <span class="fab-bar__text">{text}</span>
                    <button
                        type="button"
                        class="btn btn--primary fab-bar__btn"
                        on:pointerdown=move |_| {
                            if leads_to_steps {
                                crate::routes::preload_apply();
                            }
                        }
                        on:click=move |_| go_verify.run(())
                    >
                        {label}
                    </button>
                </div>
            })}
            {move || prompt.get().map(|p| view! { <PromptDialog prompt=p on_close=move || prompt.set(None)/> })}
        </div>
    }
}

fn role_label(role: EntryRole) -> &'static str {
    match role {
        EntryRole::Admin | EntryRole::AdminMemberMode => "企业微信管理员",
        EntryRole::Employee => "企业成员",
        EntryRole::Staff => "电子签工作人员",
    }
}

/// A line under the card when the state needs words: who is verifying, that it is done, and
/// for an invited employee, what remains.
fn status_note(info: &SessionInfo, on_changed: Callback<()>) -> Option<AnyView> {
    let corp = info
        .corp
        .as_ref()
        .map(|c| c.name.clone())
        .unwrap_or_default();
    match info.membership {
        Some(Membership::Invited) => {
            return Some(
                view! {
                    <div class="invite-card" role="status">
                        <h2 class="invite-card__title">"您已受邀使用腾讯电子签"</h2>
                        <p class="invite-card__desc">{format!("{corp}的超级管理员邀请您在企业微信中使用腾讯电子签。完成个人实名认证后，即可在线签署合同。")}</p>
                        <A href="/me/real-name" attr:class="btn btn--primary">"个人实名认证"</A>
                    </div>
                }
                .into_any(),
            )
        }
        Some(Membership::Verified) => {
            return Some(
                view! {
                    <p class="notice notice--success" role="status">
                        {format!("您已完成个人实名认证，是{corp}的认证成员，可以在企业微信中使用腾讯电子签。")}
                    </p>
                }
                .into_any(),
            )
        }
        None => {}
    }
    if info.super_admin_claimable {
        return Some(
            view! {
                <div class="notice notice--info" role="status">
                    <div class="notice__bd">
                        <p>"您的实名信息与企业登记的电子签超级管理员一致。请通过人脸识别确认是您本人，即可在此管理企业、邀请员工。"</p>
                        <ClaimButton/>
                    </div>
                </div>
            }
            .into_any(),
        );
    }
    if info.super_admin_unknown {
        return Some(
            view! {
                <div class="notice notice--info" role="status">
                    <div class="notice__bd">
                        <p>"企业已开通腾讯电子签企业微信服务。如您是企业的电子签超级管理员，请完成个人实名认证并通过人脸识别确认身份，即可在此管理企业、邀请员工。"</p>
                        <A href="/me/real-name" attr:class="link notice__link">"个人实名认证"</A>
                    </div>
                </div>
            }
            .into_any(),
        );
    }
    if info.is_super_admin {
        return Some(
            view! {
                <div class="notice notice--info" role="status">
                    <div class="notice__bd">
                        <p>"企业已完成认证，您是企业的超级管理员。"</p>
                        <A href="/apply/done" attr:class="link notice__link">"企业认证详情"</A>
                    </div>
                </div>
            }
            .into_any(),
        );
    }
    match (info.enterprise_state, &info.application) {
        (EnterpriseState::InProgress, Some(app)) if !app.is_mine && app.can_take_over => {
            let applicant = app.applicant_name.clone();
            Some(
                view! {
                    <div class="notice notice--warn" role="status">
                        <div class="notice__bd">
                            <p>{format!("{applicant}发起的企业认证已超过30天无进展。您可以接管并重新发起认证。")}</p>
                            <TakeOverButton applicant/>
                        </div>
                    </div>
                }
                .into_any(),
            )
        }
        (EnterpriseState::InProgress, Some(app)) if !app.is_mine => Some(
            view! {
                <p class="notice notice--info" role="status">
                    {format!("{}正在进行企业认证，完成后企业成员即可使用电子签。", app.applicant_name)}
                </p>
            }
            .into_any(),
        ),
        (EnterpriseState::InProgress, Some(_)) => Some(
            view! {
                <div class="notice notice--info" role="status">
                    <div class="notice__bd">
                        <p>"您已发起企业认证，可随时继续。如不再需要，可以撤销本次认证。"</p>
                        <WithdrawButton on_done=on_changed/>
                    </div>
                </div>
            }
            .into_any(),
        ),
        (EnterpriseState::Verified, _) => Some(
            view! {
                <p class="notice notice--info" role="status">
                    "企业已完成认证，您可以在企业微信内使用腾讯电子签。"
                </p>
            }
            .into_any(),
        ),
        _ => None,
    }
}

#[component]
fn PromptDialog(prompt: Prompt, #[prop(into)] on_close: Callback<()>) -> impl IntoView {
    match prompt {
        Prompt::NoPermission => view! { <NotifyAdminsDialog on_close/> }.into_any(),
        Prompt::SwitchAuthMode => view! {
            <Dialog title="请切换授权方式" on_dismiss=on_close>
                <div class="dialog__bd--left">
                    <p>
                        "当前腾讯电子签以“成员授权”方式添加，管理员暂时无法发起企业认证。请在电脑上登录企业微信管理后台，将授权方式切换为“企业管理员授权使用”："
                    </p>
                    <ol class="path-steps" aria-label="操作路径">
                        <li class="path-steps__item">"企业微信管理后台"</li>
                        <li class="path-steps__item">"应用管理"</li>
                        <li class="path-steps__item">"腾讯电子签"</li>
                        <li class="path-steps__item">"授权方式"</li>
                    </ol>
                    <p>"切换后重新打开腾讯电子签，即可点击“去认证”。"</p>
                </div>
                <DialogActions slot>
                    <button type="button" class="dialog__btn dialog__btn--primary" on:click=move |_| on_close.run(())>
                        "我知道了"
                    </button>
                </DialogActions>
            </Dialog>
        }
        .into_any(),
    }
}

/// 暂无权限 → 通知企微管理员, with its success toast and rate-limit message.
#[component]
fn NotifyAdminsDialog(#[prop(into)] on_close: Callback<()>) -> impl IntoView {
    let toaster = use_toaster();
    let note = RwSignal::new(None::<String>);
    let notify = Action::new_local(|_: &()| client::notify_admins());
    Effect::new(move |_| match notify.value().get() {
        Some(Ok(_)) => {
            toaster.success("已通知企微管理员");
            on_close.run(());
        }
        Some(Err(e)) => note.set(Some(e.to_string())),
        None => {}
    });
    let pending = notify.pending();
    view! {
        <Dialog title="暂无权限" on_dismiss=on_close>
            <p>"企业认证需由企业微信管理员发起。您可以通知管理员来完成认证。"</p>
            <p class="dialog__aside">
                "企业已在微信端开通腾讯电子签？电子签超级管理员可直接"
                <A href=WECHAT_PATH attr:class="link">"关联微信账户"</A>
            </p>
            {move || note.get().map(|n| view! { <p class="dialog__note" role="alert">{n}</p> })}
            <DialogActions slot>
                <button type="button" class="dialog__btn dialog__btn--default" on:click=move |_| on_close.run(())>
                    "取消"
                </button>
                <button
                    type="button"
                    class="dialog__btn dialog__btn--primary"
                    disabled=move || { pending.get() }
                    aria-busy=move || pending.get().to_string()
                    on:click=move |_| {
                        note.set(None);
                        notify.dispatch(());
                    }
                >
                    {move || if pending.get() { "正在通知…" } else { "通知企微管理员" }}
                </button>
            </DialogActions>
        </Dialog>
    }
}
