//! Toasts across navigations in a real browser. Its own test binary: it moves the runner
//! page's URL, and the back stack's test leaves its own page there.
#![cfg(target_arch = "wasm32")]

use app::components::toast::{use_toaster, TextToastsEndWithPage, ToastProvider};
use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::HtmlElement;

wasm_bindgen_test_configure!(run_in_browser);

fn click(selector: &str) {
    document()
        .query_selector(selector)
        .unwrap()
        .unwrap()
        .unchecked_into::<HtmlElement>()
        .click();
}

fn path() -> String {
    window().location().pathname().unwrap()
}

async fn settle() {
    for _ in 0..5 {
        gloo_timers::future::TimeoutFuture::new(20).await;
        leptos::task::tick().await;
    }
}

/// Text toasts belong to the page they were raised on (验证码已发送 must not cover the next
/// step's card); a success toast confirms what was just done and outlives the navigation.
#[wasm_bindgen_test]
async fn a_text_toast_ends_with_its_page_and_a_success_toast_stays() {
    let el = document()
        .create_element("div")
        .unwrap()
        .unchecked_into::<HtmlElement>();
    document().body().unwrap().append_child(&el).unwrap();
    let _handle = leptos::mount::mount_to(el.clone(), || {
        view! {
            <ToastProvider>
                <Router>
                    <TextToastsEndWithPage/>
                    {
                        let toaster = use_toaster();
                        view! {
                            <button id="say-text" on:click=move |_| toaster.text("验证码已发送至139****0001")>"t"</button>
                            <button id="say-success" on:click=move |_| toaster.success("实名认证成功")>"s"</button>
                        }
                    }
                    <a id="to-c" href="/toast/c">"c"</a>
                    <a id="to-d" href="/toast/d">"d"</a>
                    <Routes fallback=|| "other">
                        <Route path=path!("/toast/c") view=|| view! { <p>"C"</p> }/>
                        <Route path=path!("/toast/d") view=|| view! { <p>"D"</p> }/>
                    </Routes>
                </Router>
            </ToastProvider>
        }
    });
    let toast = || {
        el.query_selector(".toast__text")
            .unwrap()
            .and_then(|t| t.text_content())
    };
    click("#to-c");
    settle().await;

    click("#say-text");
    settle().await;
    assert_eq!(toast().as_deref(), Some("验证码已发送至139****0001"));
    click("#to-d");
    settle().await;
    assert_eq!(path(), "/toast/d");
    assert_eq!(
        toast(),
        None,
        "the next page opens without the last page's text toast"
    );

    click("#say-success");
    settle().await;
    click("#to-c");
    settle().await;
    assert_eq!(path(), "/toast/c");
    assert_eq!(
        toast().as_deref(),
        Some("实名认证成功"),
        "a success toast stays"
    );
}
