//! When any API call answers 401, the whole app gives way to one clear page: reopen the app
//! from the WeCom workbench (the session is carried by WeCom's sign-in, not by a password).

use leptos::prelude::*;

use crate::client::AUTH_LOST_EVENT;

#[derive(Clone, Copy)]
pub struct AuthLost(pub RwSignal<bool>);

pub fn provide_auth_lost() {
    let lost = RwSignal::new(false);
    provide_context(AuthLost(lost));
    let handle = window_event_listener(
        leptos::ev::Custom::new(AUTH_LOST_EVENT),
        move |_: web_sys::CustomEvent| lost.set(true),
    );
    on_cleanup(move || handle.remove());
}

/// Renders its children until the session is lost, then the reopen page.
#[component]
pub fn AuthLostGate(children: ChildrenFn) -> impl IntoView {
    let AuthLost(lost) = expect_context::<AuthLost>();
    move || {
        if lost.get() {
            view! { <Relogin/> }.into_any()
        } else {
            children().into_any()
        }
    }
}

#[component]
fn Relogin() -> impl IntoView {
    view! {
        <div class="page">
            <div class="msg" role="alert">
                <div class="msg__icon msg__icon--info" aria-hidden="true"></div>
                <h1 class="msg__title">"请从企业微信工作台重新打开"</h1>
                <p class="msg__desc">
                    "登录已失效或未登录。请打开企业微信，进入“工作台 › 腾讯电子签”，即可继续企业认证，已填写的内容不会丢失。"
                </p>
                <div class="msg__opr">
                    <button type="button" class="btn btn--default" on:click=|_| {
                        // In WeCom a reload goes through its sign-in again.
                        let _ = window().location().reload();
                    }>"重新加载"</button>
                </div>
            </div>
        </div>
    }
}
