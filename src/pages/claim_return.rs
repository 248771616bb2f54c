//! `/enterprise/face-return?BizToken=…`: back from the face check with which a super admin who
//! opened the service outside WeCom proves, here, that they are that person. The server asks
//! the provider; coming back here proves nothing by itself.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;

use crate::client::{self, ApiError};
use crate::components::error_state::ErrorState;
use crate::components::link_page::biz_token_param;
use crate::components::loading::LoadingPage;
use crate::components::navbar::Navbar;
use crate::components::toast::use_toaster;

#[component]
pub fn ClaimReturn() -> impl IntoView {
    let token = biz_token_param();
    let outcome = LocalResource::new(move || client::claim_result(token.clone()));
    let navigate = use_navigate();
    let toaster = use_toaster();
    view! {
        <div class="page">
            <Navbar title="确认超级管理员身份" back_to="/"/>
            <Suspense fallback=|| view! { <LoadingPage/> }>
                {move || {
                    let navigate = navigate.clone();
                    Suspend::new(async move {
                        match outcome.await {
                            Ok(o) if o.passed => {
                                toaster.success("您已成为企业超级管理员");
                                navigate("/apply/done", NavigateOptions { replace: true, ..Default::default() });
                                view! { <LoadingPage/> }.into_any()
                            }
                            Ok(o) => view! { <Failed message=o.message retries_left=o.retries_left/> }.into_any(),
                            Err(ApiError::Unauthorized(_)) => view! { <LoadingPage/> }.into_any(),
                            Err(e @ ApiError::Refused { .. }) => {
                                view! { <Failed message=e.to_string() retries_left=1/> }.into_any()
                            }
                            Err(e) => view! {
                                <ErrorState message=e.to_string() on_retry=move || outcome.refetch()/>
                            }.into_any(),
                        }
                    })
                }}
            </Suspense>
        </div>
    }
}

/// Not passed: why, and a way to try again while today's tries last.
#[component]
fn Failed(message: String, retries_left: u32) -> impl IntoView {
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let retry = move |_| {
        busy.set(true);
        spawn_local(async move {
            match client::start_claim().await {
                Ok(s) => {
                    let _ = window().location().assign(&s.url);
                }
                Err(e) => {
                    busy.set(false);
                    error.set(Some(e.to_string()));
                }
            }
        });
    };
    view! {
        <div class="msg">
            <div class="msg__icon msg__icon--warn" aria-hidden="true"></div>
            <h2 class="msg__title">"人脸识别未通过"</h2>
            <p class="msg__desc">{message}</p>
            {move || error.get().map(|e| view! { <p class="notice notice--warn" role="alert">{e}</p> })}
            <div class="msg__opr">
                {(retries_left > 0).then(|| view! {
                    <button type="button" class="btn btn--primary" disabled=move || busy.get() on:click=retry>"重新识别"</button>
                })}
                <A href="/" attr:class="btn btn--default">"返回首页"</A>
            </div>
        </div>
    }
}
