//! `/activate/<token>`: 超级管理员授权 (scenario 2). What opening the WeCom-side service means,
//! 《企业微信端腾讯电子签服务协议》 in full, 确认开通 (only once the agreement was read), then the
//! super admin's real-name and face verification. Opened from the SMS or, for a super admin
//! applicant, directly; the link is the key.

use api::wire::{ActivationView, Agreement, RealNameRequest};
use leptos::html;
use leptos::prelude::*;

use crate::client::{self, ApiError};
use crate::components::identity_form::IdentityForm;
use crate::components::link_page::{DeadLink, LinkLoader};

#[component]
pub fn Activate() -> impl IntoView {
    view! {
        <LinkLoader
            load=|t: String| async move { client::activation(&t).await }
            render=|token, v| view! { <Activation token v/> }.into_any()
        />
    }
}

#[component]
fn Activation(token: String, v: ActivationView) -> impl IntoView {
    let version = v.agreement.version.clone();
    // Someone else with the link may have tapped 确认开通: only the super admin's own earlier
    // acceptance (back after a failed face check) spares reading again.
    let accepted = RwSignal::new(
        v.verified_as.is_some() && v.accepted_version.as_deref() == Some(version.as_str()),
    );
    let read = RwSignal::new(accepted.get_untracked());
    // A refusal that ends the visit (not the super admin): the same page as a dead link.
    let refused = RwSignal::new(None::<ApiError>);
    let t = token.clone();
    let confirm = Action::new_local(move |version: &String| {
        let (t, version) = (t.clone(), version.clone());
        async move { client::confirm_activation(&t, version).await }
    });
    let confirm_error = RwSignal::new(None::<String>);
    Effect::new(move |_| match confirm.value().get() {
        Some(Ok(())) => accepted.set(true),
        Some(Err(e)) => confirm_error.set(Some(e.to_string())),
        None => {}
    });
    let t = token.clone();
    let face = Action::new_local(move |identity: &Option<RealNameRequest>| {
        let (t, identity) = (t.clone(), identity.clone());
        async move { client::activation_face(&t, identity).await }
    });
    Effect::new(move |_| match face.value().get() {
        Some(Ok(s)) => {
            let _ = window().location().assign(&s.url);
        }
        Some(Err(e)) if e.status() == Some(403) => refused.set(Some(e)),
        _ => {}
    });
    let refusal = Signal::derive(move || face.value().get().and_then(Result::err));
    let face_pending = face.pending();
    let confirm_pending = confirm.pending();
    let verified_as = v.verified_as.clone();
    view! {
        {move || match refused.get() {
            Some(ApiError::Refused { error, .. }) => view! { <DeadLink code=error.code message=error.message/> }.into_any(),
            _ => {
                let (v, version, verified_as) = (v.clone(), version.clone(), verified_as.clone());
                view! {
                    <div class="page__hd">
                        <h1 class="page__title">"超级管理员授权"</h1>
                        // A masked name (`*磊`) broken after its asterisk reads as two words.
                        <p class="page__desc">
                            "申请人"<span class="nowrap">{v.applicant_name.clone()}</span>
                            {format!("申请将{}在微信端已开通的腾讯电子签企业账号关联至企业微信，需要超级管理员", v.enterprise)}
                            <span class="nowrap">{v.super_admin_name.clone()}</span>"确认开通。"
                        </p>
                    </div>
                    <div class="cells">
                        <div class="cell"><span class="cell__bd">"企业名称"</span><span class="cell__ft">{v.enterprise.clone()}</span></div>
                        <div class="cell"><span class="cell__bd">"统一社会信用代码"</span><span class="cell__ft">{v.uscc.clone()}</span></div>
                        <div class="cell"><span class="cell__bd">"关联至企业微信"</span><span class="cell__ft">{v.wecom_corp.clone()}</span></div>
                        <div class="cell"><span class="cell__bd">"申请人"</span><span class="cell__ft">{v.applicant_name.clone()}</span></div>
                    </div>
                    <h2 class="cells__title">"开通企业微信端电子签"</h2>
                    <ul class="meaning-list">
                        {v.what_it_means.iter().map(|m| view! { <li>{m.clone()}</li> }).collect_view()}
                    </ul>
                    <AgreementBox agreement=v.agreement.clone() read/>
                    {move || (!accepted.get()).then(|| {
                        let version = version.clone();
                        view! {
                            {move || confirm_error.get().map(|e| view! { <p class="notice notice--warn" role="alert">{e}</p> })}
                            <div class="btn-area">
                                <button type="button" class="btn btn--primary" id="confirm-open"
                                    disabled=move || { !read.get() || confirm_pending.get() }
                                    aria-describedby="confirm-hint"
                                    on:click=move |_| { confirm.dispatch(version.clone()); }>"确认开通"</button>
                                <p class="btn-area__hint" id="confirm-hint">
                                    {move || if read.get() {
                                        "确认已知晓以上内容且无异议后，点击“确认开通”"
                                    } else {
                                        "请先阅读完《企业微信端腾讯电子签服务协议》"
                                    }}
                                </p>
                            </div>
                        }
                    })}
                    {move || accepted.get().then(|| {
                        let verified_as = verified_as.clone();
                        view! {
                            <h2 class="cells__title" id="identity-title">"请超级管理员进行实名认证，确认为本人操作"</h2>
                            {match verified_as {
                                Some(p) => view! {
                                    <div class="cells">
                                        <div class="cell"><span class="cell__bd">"姓名"</span><span class="cell__ft">{p.name}</span></div>
                                        <div class="cell"><span class="cell__bd">"身份证号"</span><span class="cell__ft">{p.id_masked}</span></div>
                                    </div>
                                    <p class="cells__tips">"您已完成个人实名认证，请完成人脸识别。"</p>
                                    {move || refusal.get().map(|e| view! { <p class="notice notice--warn" role="alert">{e.to_string()}</p> })}
                                    <div class="btn-area">
                                        <button type="button" class="btn btn--primary" disabled=move || face_pending.get()
                                            on:click=move |_| { face.dispatch(None); }>"开始人脸识别"</button>
                                    </div>
                                }.into_any(),
                                None => view! {
                                    <IdentityForm submit_label="开始人脸识别" name_placeholder="超级管理员姓名"
                                        tips="身份信息仅用于核验超级管理员身份，将加密传输。"
                                        pending=face_pending refusal
                                        on_submit=move |req| { face.dispatch(Some(req)); }/>
                                }.into_any(),
                            }}
                        }
                    })}
                }.into_any()
            }
        }}
    }
}

/// The agreement in a scrolling box: read once scrolled to the end, or opened in full.
#[component]
fn AgreementBox(agreement: Agreement, read: RwSignal<bool>) -> impl IntoView {
    let node = NodeRef::<html::Div>::new();
    let expanded = RwSignal::new(false);
    let check = move || {
        if let Some(el) = node.get_untracked() {
            if el.scroll_top() + el.client_height() + 8 >= el.scroll_height() {
                read.set(true);
            }
        }
    };
    // A tall screen may show it all at once: that is read too.
    Effect::new(move |_| {
        if node.get().is_some() {
            check();
        }
    });
    view! {
        <h2 class="cells__title" id="agreement-title">{format!("《{}》", agreement.title)}</h2>
        <div class="agreement" class:agreement--expanded=move || expanded.get() node_ref=node
            role="region" aria-labelledby="agreement-title" tabindex="0"
            on:scroll=move |_| check()>
            {agreement.sections.into_iter().map(|s| view! {
                <h3 class="agreement__heading">{s.heading}</h3>
                {s.paragraphs.into_iter().map(|p| view! { <p>{p}</p> }).collect_view()}
            }).collect_view()}
            <p class="agreement__version">{format!("版本：{}", agreement.version)}</p>
        </div>
        <div class="agreement__bar">
            <span class="agreement__state" aria-live="polite">
                {move || if read.get() { "已阅读" } else { "请滑动阅读全文" }}
            </span>
            {move || (!expanded.get()).then(|| view! {
                <button type="button" class="btn btn--mini btn--default" on:click=move |_| {
                    expanded.set(true);
                    read.set(true);
                }>"展开全文"</button>
            })}
        </div>
    }
}
