//! Where 去认证 leads a WeCom admin. Step 1 (个人实名认证) arrives with the next issue; until
//! then this page shows the steps ahead and says plainly that the first one comes next.

use api::wire::EntryRole;
use leptos::prelude::*;
use leptos_router::components::A;

use crate::client::{self, ApiError};
use crate::components::error_state::ErrorState;
use crate::components::loading::LoadingPage;
use crate::components::navbar::Navbar;
use crate::components::steps::Steps;

#[component]
pub fn ApplyStart() -> impl IntoView {
    let session = LocalResource::new(client::session);
    view! {
        <div class="page">
            <Navbar title="企业认证" back_to="/"/>
            <Suspense fallback=|| view! { <LoadingPage/> }>
                {move || Suspend::new(async move {
                    match session.await {
                        Ok(info) if info.role == EntryRole::Admin => view! { <Ahead/> }.into_any(),
                        Ok(_) => view! { <AdminsOnly/> }.into_any(),
                        Err(ApiError::Unauthorized(_)) => view! { <LoadingPage/> }.into_any(),
                        Err(e) => view! {
                            <ErrorState message=e.to_string() on_retry=move || session.refetch()/>
                        }
                        .into_any(),
                    }
                })}
            </Suspense>
        </div>
    }
}

#[component]
fn Ahead() -> impl IntoView {
    view! {
        <Steps current=0/>
        <div class="msg">
            <div class="msg__icon msg__icon--waiting" aria-hidden="true"></div>
            <h2 class="msg__title">"下一步：个人实名认证"</h2>
            <p class="msg__desc">
                "企业认证的第一步，是由您完成个人实名认证（姓名与居民身份证号）。该步骤即将开放，敬请期待。"
            </p>
            <div class="msg__opr">
                <A href="/materials" attr:class="btn btn--default">"查看准备资料"</A>
                <A href="/" attr:class="btn btn--plain">"返回首页"</A>
            </div>
        </div>
    }
}

#[component]
fn AdminsOnly() -> impl IntoView {
    view! {
        <div class="msg">
            <div class="msg__icon msg__icon--info" aria-hidden="true"></div>
            <h2 class="msg__title">"暂无权限"</h2>
            <p class="msg__desc">"企业认证需由企业微信管理员发起。"</p>
            <div class="msg__opr">
                <A href="/" attr:class="btn btn--primary">"返回首页"</A>
            </div>
        </div>
    }
}
