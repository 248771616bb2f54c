//! Loading states: a whole-page spinner, and 首页 before its session has come.

use leptos::prelude::*;

use super::home_intro::HomeIntro;

#[component]
pub fn LoadingPage() -> impl IntoView {
    view! {
        <div class="loading-page" role="status" aria-live="polite">
            <span class="spinner" aria-hidden="true"></span>
            <span>"加载中…"</span>
        </div>
    }
}

/// 首页 while the session loads: the enterprise card's box with placeholder lines, then what
/// needs no session. index.html's static first paint is this markup, so the app replaces it
/// without a visible change; `tests/e2e/first-paint.spec.ts` compares the two box for box.
#[component]
pub fn HomeSkeleton() -> impl IntoView {
    view! {
        <div class="page" aria-busy="true">
            <span class="sr-only" role="status">"加载中…"</span>
            <section class="corp-card corp-card--skeleton" aria-hidden="true">
                <div class="corp-card__logo"></div>
                <div class="corp-card__bd">
                    <span class="skeleton__line"></span>
                    <span class="skeleton__line"></span>
                </div>
            </section>
            <HomeIntro/>
        </div>
    }
}
