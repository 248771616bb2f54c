//! A failed load: what went wrong, and a retry that really retries.

use leptos::prelude::*;

#[component]
pub fn ErrorState(
    #[prop(into)] message: String,
    #[prop(into)] on_retry: Callback<()>,
) -> impl IntoView {
    view! {
        <div class="error-state" role="alert">
            <div class="error-state__icon" aria-hidden="true"></div>
            <h2 class="error-state__title">"加载失败"</h2>
            <p class="error-state__desc">{message}</p>
            <button type="button" class="btn btn--default btn--inline" on:click=move |_| on_retry.run(())>
                "重试"
            </button>
        </div>
    }
}
