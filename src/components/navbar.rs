//! The top bar of inner pages: a back button that goes to a known page inside the app (never
//! `history.back()`, which can close WeCom's WebView), and the title.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

#[component]
pub fn Navbar(#[prop(into)] title: String, back_to: &'static str) -> impl IntoView {
    let navigate = use_navigate();
    view! {
        <header class="navbar">
            <button
                type="button"
                class="navbar__back"
                aria-label="返回"
                on:click=move |_| navigate(back_to, Default::default())
            ></button>
            <h1 class="navbar__title">{title}</h1>
        </header>
    }
}
