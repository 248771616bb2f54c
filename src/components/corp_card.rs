//! The enterprise at the top of 首页, with its e-sign state badge (未认证 / 认证中 / 已认证).

use api::wire::{EnterpriseState, SessionUser};
use leptos::prelude::*;

use super::member_name::MemberName;

#[component]
pub fn CorpCard(
    #[prop(into)] name: String,
    /// The signed-in person, named before `meta`.
    user: SessionUser,
    /// Their role, e.g. 企业微信管理员.
    #[prop(into)]
    meta: String,
    state: EnterpriseState,
    /// When set and the enterprise is 未认证, the badge itself offers 去认证.
    #[prop(optional, into)]
    on_verify: Option<Callback<()>>,
) -> impl IntoView {
    let logo = name.chars().next().map(String::from).unwrap_or_default();
    let class = match state {
        EnterpriseState::Unverified => "badge badge--unverified",
        EnterpriseState::InProgress => "badge badge--pending",
        EnterpriseState::Verified => "badge badge--verified",
    };
    let badge = match (state, on_verify) {
        (EnterpriseState::Unverified, Some(cb)) => view! {
            <button type="button" class=format!("{class} badge--action") on:click=move |_| cb.run(())
                aria-label="未认证，去认证">
                {state.label()}
                <span class="badge__action" aria-hidden="true">"去认证 ›"</span>
            </button>
        }
        .into_any(),
        _ => view! { <span class=class>{state.label()}</span> }.into_any(),
    };
    view! {
        <section class="corp-card" aria-label="企业信息">
            <div class="corp-card__logo" aria-hidden="true">{logo}</div>
            <div class="corp-card__bd">
                <div class="corp-card__name">{name}</div>
                {badge}
                <div class="corp-card__meta"><MemberName user/>{format!(" · {meta}")}</div>
            </div>
        </section>
    }
}
