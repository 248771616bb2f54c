//! The top bar of inner pages: a back button that goes one step back on the app's own stack
//! (never `history.back()`, which can close WeCom's WebView), and the title.

use leptos::prelude::*;

use crate::components::back_stack::use_step_back;

/// `back_to`: where back goes when the stack has nothing behind this page (a deep link).
#[component]
pub fn Navbar(#[prop(into)] title: String, back_to: &'static str) -> impl IntoView {
    let back = use_step_back();
    view! {
        <header class="navbar">
            <button
                type="button"
                class="navbar__back"
                aria-label="返回"
                on:click=move |_| back(back_to)
            ></button>
            <h1 class="navbar__title">{title}</h1>
        </header>
    }
}
