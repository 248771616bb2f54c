//! What the pages opened from an SMS link share (`/legal-rep/<token>`, `/activate/<token>`):
//! the token, loading what it opens, a page of its own for a dead link, and the failed face
//! check with its retry. No session is needed: the link is the key.

use std::future::Future;

use api::wire::ErrorCode;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::client::ApiError;
use crate::components::error_state::ErrorState;
use crate::components::loading::LoadingPage;
use crate::remote::Remote;

/// The `:token` of the current route.
pub fn token_param() -> String {
    use_params_map()
        .get_untracked()
        .get("token")
        .unwrap_or_default()
}

/// The BizToken face verification appends when it sends the person back. Public pages name
/// the parameter `BizToken` or `token` (real-mode.md): either is read. The server never trusts
/// it: it asks FaceID about the BizToken it started for this person.
pub fn biz_token_param() -> String {
    let query = use_query_map().get_untracked();
    query
        .get("BizToken")
        .or_else(|| query.get("token"))
        .unwrap_or_default()
}

/// Loads what the link opens with `load(token)` and shows it with `render(token, value)`; a
/// refusal (expired, used, withdrawn…) gets [`DeadLink`], a network failure a retry.
#[component]
pub fn LinkLoader<T, Fut, L, R>(load: L, render: R) -> impl IntoView
where
    T: Clone + 'static,
    Fut: Future<Output = Result<T, ApiError>> + 'static,
    L: Fn(String) -> Fut + 'static,
    R: Fn(String, T) -> AnyView + Clone + Send + Sync + 'static,
{
    let token = token_param();
    let t = token.clone();
    let loaded = Remote::new(move || load(t.clone()));
    view! {
        <div class="page">
            <Suspense fallback=|| view! { <LoadingPage/> }>
                {move || {
                    let (token, render) = (token.clone(), render.clone());
                    Suspend::new(async move {
                        match loaded.await {
                            Ok(v) => render(token, v),
                            Err(ApiError::Refused { error, .. }) => view! { <DeadLink code=error.code message=error.message/> }.into_any(),
                            Err(e) => view! { <ErrorState message=e.to_string() on_retry=move || loaded.refetch()/> }.into_any(),
                        }
                    })
                }}
            </Suspense>
        </div>
    }
}

/// A link that no longer works, or a person it is not for, with its own reason.
#[component]
pub fn DeadLink(code: ErrorCode, message: String) -> impl IntoView {
    let title = match code {
        ErrorCode::LinkExpired => "链接已过期",
        ErrorCode::LinkUsed => "该授权请求已处理",
        ErrorCode::LinkCancelled => "授权请求已取消",
        ErrorCode::LinkSuperseded => "请使用最新的短信链接",
        ErrorCode::Forbidden => "无法授权",
        _ => "链接无效",
    };
    view! {
        <div class="msg">
            <div class="msg__icon msg__icon--warn" aria-hidden="true"></div>
            <h1 class="msg__title">{title}</h1>
            <p class="msg__desc">{message}</p>
        </div>
    }
}

/// Back from a face check that did not pass: why, and 重新识别 from the link's page.
#[component]
pub fn FaceFailed(message: String, retry: String) -> impl IntoView {
    view! {
        <div class="msg">
            <div class="msg__icon msg__icon--warn" aria-hidden="true"></div>
            <h1 class="msg__title">"人脸识别未通过"</h1>
            <p class="msg__desc">{message}</p>
            <div class="msg__opr">
                <A href=retry attr:class="btn btn--primary">"重新识别"</A>
            </div>
        </div>
    }
}
