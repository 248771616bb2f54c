//! `/activate/<token>/face-return?BizToken=…`: back from the super admin's face verification.
//! The server checks the result and that the person is the super admin on record; on a pass
//! the WeCom-side service is open. A super admin signed in to WeCom goes on to the success
//! page (and 邀请企业员工); from an SMS outside WeCom, the success is shown here.

use crate::components::back_stack::use_navigate;
use leptos::prelude::*;
use leptos_router::NavigateOptions;

use crate::client::{self, ApiError};
use crate::components::error_state::ErrorState;
use crate::components::link_page::{biz_token_param, token_param, DeadLink, FaceFailed};
use crate::components::loading::LoadingPage;
use crate::remote::Remote;

#[component]
pub fn ActivateReturn() -> impl IntoView {
    let token = token_param();
    let biz = biz_token_param();
    let t = token.clone();
    let outcome = Remote::new(move || {
        let (t, biz) = (t.clone(), biz.clone());
        async move {
            let o = client::activation_face_result(&t, biz).await?;
            // Signed in to this enterprise's WeCom: the success page can offer invitations.
            let in_wecom =
                o.passed && matches!(client::enterprise_if_signed_in().await, Ok(Some(_)));
            Ok::<_, ApiError>((o, in_wecom))
        }
    });
    let navigate = use_navigate();
    view! {
        <div class="page">
            <Suspense fallback=|| view! { <LoadingPage/> }>
                {move || {
                    let (token, navigate) = (token.clone(), navigate.clone());
                    Suspend::new(async move {
                        match outcome.await {
                            Ok((o, true)) if o.passed => {
                                navigate("/apply/done", NavigateOptions { replace: true, ..Default::default() });
                                view! { <LoadingPage/> }.into_any()
                            }
                            Ok((o, _)) if o.passed => view! {
                                <div class="msg">
                                    <div class="msg__icon msg__icon--success" aria-hidden="true"></div>
                                    <h1 class="msg__title">"授权成功"</h1>
                                    <p class="msg__desc">{o.message}</p>
                                    <p class="msg__desc">"在企业微信工作台打开“腾讯电子签”并完成个人实名认证，即可邀请企业员工在企业微信使用。"</p>
                                </div>
                            }.into_any(),
                            Ok((o, _)) => view! { <FaceFailed message=o.message retry=format!("/activate/{token}")/> }.into_any(),
                            Err(ApiError::Refused { error, .. }) => view! { <DeadLink code=error.code message=error.message/> }.into_any(),
                            Err(e) => view! { <ErrorState message=e.to_string() on_retry=move || outcome.refetch()/> }.into_any(),
                        }
                    })
                }}
            </Suspense>
        </div>
    }
}
