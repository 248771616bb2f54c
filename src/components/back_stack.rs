//! The in-app back stack. iOS WeChat closes the WebView on an edge swipe after `pushState`,
//! and `history.back()` can fail after the first push (design/webview.md), while
//! leptos_router's `<Router>` pushes on every navigation. So no navigation here ever pushes:
//! each one replaces the current entry, the pages behind it are kept in `sessionStorage` (a
//! reload keeps them), and one entry made by a fragment navigation (`#app`, which WeChat
//! records as a real navigation) sits on top while there is somewhere to go back to. The
//! hardware back button or the swipe then lands on the entry below it: the app turns that
//! into one step back and puts the entry on top again. At the first page there is no entry on
//! top, and back leaves the app, as users expect.
//!
//! Every navigation goes through [`use_navigate`] (the router's signature) or a link click,
//! which [`BackStack`] takes over before the router sees it; the navbar's back button calls
//! [`use_step_back`].

use std::cell::Cell;

use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_navigate as router_navigate};
use leptos_router::NavigateOptions;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Event, HtmlAnchorElement, MouseEvent};

/// The fragment of the entry kept on top.
pub const GUARD: &str = "#app";
const KEY: &str = "back-stack";
/// A long walk through the pages must not fill sessionStorage.
const MAX: usize = 32;

thread_local! {
    /// Whether the entry on top is ours (so a traversal to a URL without it is a step back).
    static GUARDED: Cell<bool> = const { Cell::new(false) };
}

fn storage() -> Option<web_sys::Storage> {
    window().session_storage().ok().flatten()
}

/// The pages behind the current one, oldest first.
pub fn stack() -> Vec<String> {
    storage()
        .and_then(|s| s.get_item(KEY).ok().flatten())
        .and_then(|j| serde_json::from_str(&j).ok())
        .unwrap_or_default()
}

fn save(stack: &[String]) {
    if let Some(s) = storage() {
        let tail = &stack[stack.len().saturating_sub(MAX)..];
        let _ = s.set_item(KEY, &serde_json::to_string(tail).unwrap_or_default());
    }
}

fn has_guard() -> bool {
    window().location().hash().is_ok_and(|h| h == GUARD)
}

/// The current page's path and query (without the fragment).
fn here() -> String {
    let l = window().location();
    format!(
        "{}{}",
        l.pathname().unwrap_or_default(),
        l.search().unwrap_or_default()
    )
}

fn strip_hash(path: &str) -> &str {
    path.split('#').next().unwrap_or(path)
}

/// Puts our entry on top, once: a fragment navigation, never `pushState`.
fn ensure_guard() {
    if !has_guard() {
        GUARDED.with(|g| g.set(true));
        let _ = window().location().set_hash(GUARD);
    }
    GUARDED.with(|g| g.set(true));
}

/// Where a navigation to `to` leaves the stack: going to a page already in it goes back to
/// it (returning 首页 forgets the flow); any other page puts the current one behind it.
fn record(mut stack: Vec<String>, current: &str, to: &str, replace: bool) -> Vec<String> {
    if let Some(i) = stack.iter().position(|p| p == to) {
        stack.truncate(i);
    } else if !replace && to != current {
        stack.push(current.to_owned());
    }
    stack
}

/// Shows `to` in place of the current entry, keeping our entry on top while the stack has
/// something to go back to.
fn show(
    navigate: &dyn Fn(&str, NavigateOptions),
    to: &str,
    stack: &[String],
    opts: NavigateOptions,
) {
    if !stack.is_empty() {
        ensure_guard();
    }
    let target = if has_guard() {
        format!("{to}{GUARD}")
    } else {
        to.to_owned()
    };
    navigate(
        &target,
        NavigateOptions {
            replace: true,
            ..opts
        },
    );
}

/// The router's `use_navigate`, without its `pushState`: `replace: false` means "a step
/// forward" (the current page goes on the back stack), `replace: true` "instead of this page".
pub fn use_navigate() -> impl Fn(&str, NavigateOptions) + Clone {
    let navigate = router_navigate();
    move |to: &str, opts: NavigateOptions| {
        let to = strip_hash(to);
        let stack = record(stack(), &here(), to, opts.replace);
        save(&stack);
        show(&navigate, to, &stack, opts);
    }
}

/// One step back: to the page behind this one, or to `fallback` when there is none (a deep
/// link, or sessionStorage lost with a killed WebView).
pub fn use_step_back() -> impl Fn(&'static str) + Clone {
    let navigate = router_navigate();
    move |fallback: &'static str| step_back(&navigate, fallback)
}

fn step_back(navigate: &dyn Fn(&str, NavigateOptions), fallback: &str) {
    let mut stack = stack();
    let to = stack.pop().unwrap_or_else(|| fallback.to_owned());
    save(&stack);
    show(navigate, &to, &stack, NavigateOptions::default());
}

/// Pages a full navigation comes back to from another site (FaceID): the flow behind them
/// is still the user's. Any other load without our fragment is a new visit.
fn is_return(path: &str) -> bool {
    path.ends_with("/face-return")
}

/// A link the router would take (same origin, plain click, no target or download).
fn in_app_link(ev: &MouseEvent) -> Option<String> {
    if ev.default_prevented()
        || ev.button() != 0
        || ev.meta_key()
        || ev.alt_key()
        || ev.ctrl_key()
        || ev.shift_key()
    {
        return None;
    }
    let path = ev.composed_path();
    let a = (0..path.length()).find_map(|i| path.get(i).dyn_into::<HtmlAnchorElement>().ok())?;
    let rel = a.get_attribute("rel").unwrap_or_default();
    if !a.target().is_empty()
        || a.href().is_empty()
        || a.has_attribute("download")
        || rel.split_whitespace().any(|r| r == "external")
    {
        return None;
    }
    let url = web_sys::Url::new(&a.href()).ok()?;
    (url.origin() == window().location().origin().ok()?)
        .then(|| format!("{}{}", url.pathname(), url.search()))
}

/// Installs the back stack for the router it is inside: link clicks and traversals are
/// caught in the capture phase, before the router's own listeners (which would push).
#[component]
pub fn BackStack(children: Children) -> impl IntoView {
    let navigate = router_navigate();
    let path = window().location().pathname().unwrap_or_default();
    if has_guard() {
        GUARDED.with(|g| g.set(true));
    } else if is_return(&path) && !stack().is_empty() {
        ensure_guard();
    } else {
        save(&[]);
    }

    let go = use_navigate();
    let on_click = Closure::<dyn Fn(MouseEvent)>::new(move |ev: MouseEvent| {
        if let Some(to) = in_app_link(&ev) {
            ev.prevent_default();
            go(&to, NavigateOptions::default());
        }
    });
    // The page shown before the traversal (the router has not seen it: it is stopped here).
    let shown = use_location();
    let back = navigate.clone();
    let on_traverse = Closure::<dyn Fn(Event)>::new(move |ev: Event| {
        let guarded = GUARDED.with(Cell::get);
        match (has_guard(), guarded) {
            // Our own fragment navigation, or the hashchange after a step back handled below.
            (true, true) => ev.stop_immediate_propagation(),
            // Forward onto one of our entries (desktop only): the router follows the URL.
            (true, false) => GUARDED.with(|g| g.set(true)),
            // Back from our entry: one step back inside the app.
            (false, true) => {
                ev.stop_immediate_propagation();
                GUARDED.with(|g| g.set(false));
                // At the first page: stay, and the next back leaves the app.
                let page = format!(
                    "{}{}",
                    shown.pathname.get_untracked(),
                    shown.search.with_untracked(|s| if s.is_empty() {
                        String::new()
                    } else {
                        format!("?{s}")
                    })
                );
                step_back(&back, &page);
            }
            (false, false) => {}
        }
    });
    let w = window();
    let listen = |name: &str, f: &JsValue| {
        let _ = w.add_event_listener_with_callback_and_bool(name, f.unchecked_ref(), true);
    };
    listen("click", on_click.as_ref());
    listen("popstate", on_traverse.as_ref());
    listen("hashchange", on_traverse.as_ref());
    let (click, traverse) = (on_click.into_js_value(), on_traverse.into_js_value());
    on_cleanup(move || {
        let w = window();
        let _ =
            w.remove_event_listener_with_callback_and_bool("click", click.unchecked_ref(), true);
        for name in ["popstate", "hashchange"] {
            let _ = w.remove_event_listener_with_callback_and_bool(
                name,
                traverse.unchecked_ref(),
                true,
            );
        }
    });
    children()
}
