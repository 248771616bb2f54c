//! `/legal-rep/<token>/face-return?BizToken=…`: back from face verification. The server checks
//! the result with the provider and that the verified person is the license's 法定代表人; then
//! the legal representative chooses 授权 or 拒绝.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::client::{self, ApiError};
use crate::components::error_state::ErrorState;
use crate::components::link_page::{biz_token_param, token_param, DeadLink, FaceFailed};
use crate::components::loading::LoadingPage;
use crate::remote::Remote;

#[component]
pub fn LegalRepReturn() -> impl IntoView {
    let token = token_param();
    let biz = biz_token_param();
    let t = token.clone();
    let outcome = Remote::new(move || {
        let (t, biz) = (t.clone(), biz.clone());
        async move { client::legal_rep_face_result(&t, biz).await }
    });
    view! {
        <div class="page">
            <Suspense fallback=|| view! { <LoadingPage/> }>
                {move || {
                    let token = token.clone();
                    Suspend::new(async move {
                        match outcome.await {
                            Ok(o) if o.passed => view! { <Decide token/> }.into_any(),
                            Ok(o) => view! { <FaceFailed message=o.message retry=format!("/legal-rep/{token}")/> }.into_any(),
                            Err(ApiError::Refused { error, .. }) => view! { <DeadLink code=error.code message=error.message/> }.into_any(),
                            Err(e) => view! { <ErrorState message=e.to_string() on_retry=move || outcome.refetch()/> }.into_any(),
                        }
                    })
                }}
            </Suspense>
        </div>
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Decided {
    Approved,
    Declined,
}

#[component]
fn Decide(token: String) -> impl IntoView {
    let decided = RwSignal::new(None::<Decided>);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let choose = move |approve: bool| {
        let token = token.clone();
        busy.set(true);
        spawn_local(async move {
            match client::legal_rep_decide(&token, approve).await {
                Ok(()) => decided.set(Some(if approve {
                    Decided::Approved
                } else {
                    Decided::Declined
                })),
                Err(e) => error.set(Some(e.to_string())),
            }
            busy.set(false);
        });
    };
    let approve = choose.clone();
    view! {
        {move || match decided.get() {
            Some(Decided::Approved) => view! {
                <div class="msg">
                    <div class="msg__icon msg__icon--success" aria-hidden="true"></div>
                    <h1 class="msg__title">"授权成功"</h1>
                    <p class="msg__desc">"企业认证已完成，申请人已成为企业超级管理员。您可以关闭此页面。"</p>
                </div>
            }.into_any(),
            Some(Decided::Declined) => view! {
                <div class="msg">
                    <div class="msg__icon msg__icon--info" aria-hidden="true"></div>
                    <h1 class="msg__title">"已拒绝授权"</h1>
                    <p class="msg__desc">"申请人将收到通知。您可以关闭此页面。"</p>
                </div>
            }.into_any(),
            None => {
                let (approve, decline) = (approve.clone(), choose.clone());
                view! {
                    <div class="msg">
                        <div class="msg__icon msg__icon--success" aria-hidden="true"></div>
                        <h1 class="msg__title">"身份已确认"</h1>
                        <p class="msg__desc">"请确认是否授权申请人成为企业超级管理员。"</p>
                        {move || error.get().map(|e| view! { <p class="notice notice--warn" role="alert">{e}</p> })}
                        <div class="msg__opr">
                            <button type="button" class="btn btn--primary" disabled=move || busy.get()
                                on:click=move |_| approve(true)>"授权"</button>
                            <button type="button" class="btn btn--warn" disabled=move || busy.get()
                                on:click=move |_| decline(false)>"拒绝"</button>
                        </div>
                    </div>
                }.into_any()
            }
        }}
    }
}
