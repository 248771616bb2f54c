//! 企业认证成功: the enterprise is verified and the applicant is its super admin.

use api::wire::EnterpriseState;
use leptos::prelude::*;
use leptos_router::components::A;

use crate::client;
use crate::components::error_state::ErrorState;
use crate::components::loading::LoadingPage;

#[component]
pub fn Done() -> impl IntoView {
    let session = LocalResource::new(client::session);
    view! {
        <div class="page">
            <Suspense fallback=|| view! { <LoadingPage/> }>
                {move || Suspend::new(async move {
                    match session.await {
                        Ok(s) if s.enterprise_state == EnterpriseState::Verified => {
                            let corp = s.corp.map(|c| c.name).unwrap_or_default();
                            view! {
                                <div class="msg">
                                    <div class="msg__icon msg__icon--success" aria-hidden="true"></div>
                                    <h2 class="msg__title">"企业认证成功"</h2>
                                    <p class="msg__desc">{format!("{corp}已完成企业认证，您已成为该企业的超级管理员。企业成员现在可以在企业微信内使用腾讯电子签。")}</p>
                                    <div class="msg__opr">
                                        <A href="/" attr:class="btn btn--primary">"完成"</A>
                                    </div>
                                </div>
                            }.into_any()
                        }
                        // Not verified (a stale link): the home page tells where things stand.
                        Ok(_) => view! {
                            <div class="msg">
                                <div class="msg__icon msg__icon--info" aria-hidden="true"></div>
                                <h2 class="msg__title">"企业尚未完成认证"</h2>
                                <div class="msg__opr"><A href="/" attr:class="btn btn--primary">"返回首页"</A></div>
                            </div>
                        }.into_any(),
                        Err(e) => view! { <ErrorState message=e.to_string() on_retry=move || session.refetch()/> }.into_any(),
                    }
                })}
            </Suspense>
        </div>
    }
}
