//! `/me/real-name`: 个人实名认证 outside an application — an employee the super admin invited,
//! or a WeChat-side super admin on the way to 关联微信账户 (`?next=wechat`). The same form and
//! provider as step 1.

use api::wire::{Membership, RealNameRequest, WECHAT_PATH};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::components::back_stack::use_navigate;

use crate::client;
use crate::components::identity_form::IdentityForm;
use crate::components::navbar::Navbar;
use crate::components::toast::use_toaster;
use crate::remote::Remote;

#[component]
pub fn MyRealName() -> impl IntoView {
    let to_wechat = use_query_map()
        .get_untracked()
        .get("next")
        .is_some_and(|n| n == "wechat");
    let navigate = use_navigate();
    let toaster = use_toaster();
    let session = Remote::new(client::session);
    let submit = Action::new_local(|req: &RealNameRequest| client::verify_me(req.clone()));
    Effect::new(move |_| {
        if let Some(Ok(_)) = submit.value().get() {
            if to_wechat {
                navigate(WECHAT_PATH, Default::default());
            } else {
                toaster.success("实名认证成功");
                navigate("/", Default::default());
            }
        }
    });
    let refusal = Signal::derive(move || submit.value().get().and_then(Result::err));
    let desc = move || {
        let invited = session
            .get()
            .and_then(Result::ok)
            .is_some_and(|s| s.membership == Some(Membership::Invited));
        if to_wechat {
            "关联微信账户前，请先完成个人实名认证，以确认您是企业在微信端的电子签超级管理员。"
        } else if invited {
            "企业超级管理员邀请您在企业微信中使用腾讯电子签。完成个人实名认证后，即可使用。"
        } else {
            "请填写您本人的真实身份信息。"
        }
    };
    view! {
        <div class="page">
            <Navbar title="个人实名认证" back_to="/"/>
            <div class="page__hd">
                <h2 class="page__title">"个人实名认证"</h2>
                <p class="page__desc">{desc}</p>
            </div>
            <IdentityForm submit_label="提交认证" pending_label="正在认证…"
                tips="身份信息将加密保存，仅用于实名认证，页面中只显示部分号码。"
                pending=submit.pending() refusal
                on_submit=move |req| { submit.dispatch(req); }/>
        </div>
    }
}
