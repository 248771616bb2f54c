//! Any unknown route: a styled 404 with a way home.

use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <div class="page">
            <div class="msg">
                <div class="msg__icon msg__icon--warn" aria-hidden="true"></div>
                <h1 class="msg__title">"页面不存在"</h1>
                <p class="msg__desc">"您访问的页面不存在或链接已失效。"</p>
                <div class="msg__opr">
                    <A href="/" attr:class="btn btn--primary">"返回首页"</A>
                </div>
            </div>
        </div>
    }
}
