//! The in-app back stack in a real browser: links and navigations replace the entry, one `#app`
//! entry is pushed by a fragment navigation (never `pushState`), and back goes one step.
//! Its own test binary: it moves the runner page's URL.
#![cfg(target_arch = "wasm32")]

use app::components::back_stack::{stack, BackStack, GUARD};
use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::HtmlElement;

wasm_bindgen_test_configure!(run_in_browser);

fn eval(js: &str) -> wasm_bindgen::JsValue {
    web_sys::js_sys::eval(js).unwrap()
}

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

#[wasm_bindgen_test]
async fn links_replace_and_back_goes_one_step() {
    let start = path();
    window()
        .session_storage()
        .unwrap()
        .unwrap()
        .clear()
        .unwrap();
    eval(
        "window.__pushes = 0; const p = history.pushState.bind(history);
         history.pushState = (...a) => { window.__pushes++; return p(...a); };",
    );
    let length = || eval("history.length").as_f64().unwrap();
    let el = document()
        .create_element("div")
        .unwrap()
        .unchecked_into::<HtmlElement>();
    document().body().unwrap().append_child(&el).unwrap();
    let before = length();
    let _handle = leptos::mount::mount_to(el, || {
        view! {
            <Router>
                <BackStack>
                    <a id="to-a" href="/bs/a">"a"</a>
                    <a id="to-b" href="/bs/b">"b"</a>
                    <Routes fallback=|| "other">
                        <Route path=path!("/bs/a") view=|| view! { <p id="page">"A"</p> }/>
                        <Route path=path!("/bs/b") view=|| view! { <p id="page">"B"</p> }/>
                    </Routes>
                </BackStack>
            </Router>
        }
    });
    settle().await;

    click("#to-a");
    settle().await;
    assert_eq!(path(), "/bs/a");
    assert_eq!(window().location().hash().unwrap(), GUARD);
    assert_eq!(stack(), vec![start.clone()]);
    assert_eq!(length(), before + 1.0, "one entry, made by the fragment");

    click("#to-b");
    settle().await;
    assert_eq!(path(), "/bs/b");
    assert_eq!(stack(), vec![start.clone(), "/bs/a".to_owned()]);
    assert_eq!(length(), before + 1.0, "a step forward replaces");
    assert_eq!(
        document()
            .get_element_by_id("page")
            .unwrap()
            .text_content()
            .unwrap(),
        "B"
    );

    // The hardware back: one step, and the entry on top again.
    eval("history.back()");
    settle().await;
    assert_eq!(path(), "/bs/a");
    assert_eq!(window().location().hash().unwrap(), GUARD);
    assert_eq!(
        document()
            .get_element_by_id("page")
            .unwrap()
            .text_content()
            .unwrap(),
        "A"
    );
    assert_eq!(stack(), vec![start.clone()]);

    // A link to a page behind goes back to it: the stack does not grow in loops.
    click("#to-b");
    settle().await;
    click("#to-a");
    settle().await;
    assert_eq!(stack(), vec![start.clone()]);

    assert_eq!(
        eval("window.__pushes").as_f64(),
        Some(0.0),
        "never pushState"
    );
}
