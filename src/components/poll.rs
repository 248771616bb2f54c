//! The waiting pages' live update. The server's event stream (`GET /api/application/events`)
//! says when the application's timeline grows, and the page then asks for the application once.
//! Whenever the stream is not up (old WebViews and proxies drop event streams, or never pass
//! them on), the page asks every few seconds instead. Each answer is handed on; when the
//! application has ended (404) because the enterprise is verified, the page goes to the success
//! page. Also the countdown of a resend cooldown.

use std::time::Duration;

use crate::components::back_stack::use_navigate;
use api::wire::{paths, ApplicationView, EnterpriseState, READY_EVENT, TIMELINE_EVENT};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::NavigateOptions;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::EventSource;

use crate::client::{self, ApiError};

/// How long a new stream has to say `ready` before the page stops waiting for it.
const READY_WITHIN: Duration = Duration::from_secs(5);
/// Dropped connections (each one retried by the browser) after which the page only polls.
const MAX_DROPS: u32 = 3;

/// Follows the application while `active()`: woken by the event stream, or asking every
/// `every` while the stream is not up. Stops with the component.
pub fn poll_application(
    every: Duration,
    active: impl Fn() -> bool + 'static,
    on_view: impl Fn(ApplicationView) + Copy + 'static,
) {
    let navigate = use_navigate();
    let refresh = move || {
        let navigate = navigate.clone();
        spawn_local(async move {
            match client::application().await {
                Ok(v) => on_view(v),
                Err(ApiError::Refused { status: 404, .. }) => {
                    if client::session()
                        .await
                        .is_ok_and(|s| s.enterprise_state == EnterpriseState::Verified)
                    {
                        navigate(
                            "/apply/done",
                            NavigateOptions {
                                replace: true,
                                ..Default::default()
                            },
                        );
                    }
                }
                Err(_) => {}
            }
        });
    };
    let follow = Follow {
        streaming: StoredValue::new(false),
        gave_up: StoredValue::new(false),
        drops: StoredValue::new(0),
        stream: StoredValue::new_local(None),
    };

    let active = std::rc::Rc::new(active);
    let tick = {
        let (active, refresh) = (active.clone(), refresh.clone());
        move || {
            if active() && !follow.streaming.get_value() {
                refresh();
            }
        }
    };
    if let Ok(handle) = set_interval_with_handle(tick, every) {
        on_cleanup(move || handle.clear());
    }

    // Open while waiting, closed otherwise (and for good once it failed on this page).
    Effect::new(move |_| {
        if !active() {
            follow.streaming.set_value(false);
            follow.stream.set_value(None);
        } else if !follow.gave_up.get_value() && follow.stream.with_value(Option::is_none) {
            let stream = Stream::open(follow, refresh.clone());
            if stream.is_none() {
                follow.gave_up.set_value(true);
            }
            follow.stream.set_value(stream);
        }
    });
    on_cleanup(move || {
        follow.stream.try_set_value(None);
    });
}

#[derive(Clone, Copy)]
struct Follow {
    /// The stream said `ready` and has not dropped since: polling pauses.
    streaming: StoredValue<bool>,
    gave_up: StoredValue<bool>,
    drops: StoredValue<u32>,
    stream: StoredValue<Option<Stream>, LocalStorage>,
}

impl Follow {
    /// Polling from now on. Called from the stream's own listeners, which must outlive the call:
    /// they are dropped right after it.
    fn give_up(self) {
        self.gave_up.try_set_value(true);
        self.streaming.try_set_value(false);
        self.stream.try_with_value(|s| {
            if let Some(s) = s {
                s.source.close();
            }
        });
        spawn_local(async move {
            self.stream.try_set_value(None);
        });
    }
}

type Listener = Closure<dyn FnMut(web_sys::Event)>;

/// An open `EventSource` and its listeners; closed when dropped.
struct Stream {
    source: EventSource,
    listeners: Vec<(&'static str, Listener)>,
    patience: Option<TimeoutHandle>,
}

impl Stream {
    fn open(follow: Follow, refresh: impl Fn() + Clone + 'static) -> Option<Self> {
        let source = EventSource::new(paths::APPLICATION_EVENTS).ok()?;
        let on_ready = {
            let refresh = refresh.clone();
            move |_: web_sys::Event| {
                follow.streaming.set_value(true);
                follow.drops.set_value(0);
                // Whatever happened before this stream (or while it was away) is in the view.
                refresh();
            }
        };
        let on_timeline = move |_: web_sys::Event| refresh();
        let on_error = {
            let source = source.clone();
            move |_: web_sys::Event| {
                follow.streaming.set_value(false);
                let drops = follow.drops.get_value() + 1;
                follow.drops.set_value(drops);
                // CLOSED: refused (401, 404…) or not a stream; otherwise the browser retries.
                if source.ready_state() == EventSource::CLOSED || drops >= MAX_DROPS {
                    follow.give_up();
                }
            }
        };
        let mut stream = Self {
            source,
            listeners: Vec::new(),
            patience: None,
        };
        stream.listen(READY_EVENT, on_ready);
        stream.listen(TIMELINE_EVENT, on_timeline);
        stream.listen("error", on_error);
        stream.patience = set_timeout_with_handle(
            move || {
                if !follow.streaming.try_get_value().unwrap_or(true) {
                    follow.give_up();
                }
            },
            READY_WITHIN,
        )
        .ok();
        Some(stream)
    }

    fn listen(&mut self, name: &'static str, f: impl FnMut(web_sys::Event) + 'static) {
        let listener: Listener = Closure::new(f);
        let _ = self
            .source
            .add_event_listener_with_callback(name, listener.as_ref().unchecked_ref());
        self.listeners.push((name, listener));
    }
}

impl Drop for Stream {
    fn drop(&mut self) {
        self.source.close();
        for (name, listener) in &self.listeners {
            let _ = self
                .source
                .remove_event_listener_with_callback(name, listener.as_ref().unchecked_ref());
        }
        if let Some(h) = self.patience.take() {
            h.clear();
        }
    }
}

/// Seconds left of a server cooldown (`resend_in_secs`), counted down here between polls.
pub fn countdown(secs: u64) -> RwSignal<u64> {
    let left = RwSignal::new(secs);
    if let Ok(handle) = set_interval_with_handle(
        move || left.update(|n| *n = n.saturating_sub(1)),
        Duration::from_secs(1),
    ) {
        on_cleanup(move || handle.clear());
    }
    left
}
