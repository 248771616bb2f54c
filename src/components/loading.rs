//! Loading states: a whole-page spinner, and a skeleton shaped like the home page.

use leptos::prelude::*;

#[component]
pub fn LoadingPage() -> impl IntoView {
    view! {
        <div class="loading-page" role="status" aria-live="polite">
            <span class="spinner" aria-hidden="true"></span>
            <span>"加载中…"</span>
        </div>
    }
}

/// Placeholder lines while 首页 loads, so the layout does not jump.
///
/// Widths go through `style:` (the CSSOM), never a `style="…"` attribute: the CSP allows no
/// inline style attributes.
#[component]
pub fn HomeSkeleton() -> impl IntoView {
    view! {
        <div class="page" aria-busy="true">
            <span class="sr-only" role="status">"加载中…"</span>
            <div class="corp-card skeleton" aria-hidden="true">
                <span class="skeleton__line" style:width="40%"></span>
                <span class="skeleton__line" style:width="70%"></span>
            </div>
            <div class="hero skeleton" aria-hidden="true">
                <span class="skeleton__line" style:width="55%"></span>
                <span class="skeleton__line"></span>
                <span class="skeleton__line" style:width="80%"></span>
            </div>
        </div>
    }
}
