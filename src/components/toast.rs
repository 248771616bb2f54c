//! A global toast service (the thaw injection pattern): `ToastProvider` at the root,
//! `use_toaster()` anywhere below.

use std::time::Duration;

use leptos::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToastKind {
    /// WeUI success toast: a check and a short line.
    Success,
    /// A text-only pill, for information and errors.
    Text,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Toast {
    kind: ToastKind,
    text: String,
    /// Each toast hides itself; a newer toast must not be hidden by an older timer.
    id: u32,
}

#[derive(Clone, Copy)]
pub struct Toaster {
    current: RwSignal<Option<Toast>>,
}

impl Toaster {
    pub fn show(&self, kind: ToastKind, text: impl Into<String>) {
        let id = self
            .current
            .with_untracked(|t| t.as_ref().map_or(0, |t| t.id + 1));
        self.current.set(Some(Toast {
            kind,
            text: text.into(),
            id,
        }));
        let current = self.current;
        set_timeout(
            move || {
                if current.with_untracked(|t| t.as_ref().is_some_and(|t| t.id == id)) {
                    current.set(None);
                }
            },
            Duration::from_millis(2200),
        );
    }

    pub fn success(&self, text: impl Into<String>) {
        self.show(ToastKind::Success, text);
    }

    pub fn text(&self, text: impl Into<String>) {
        self.show(ToastKind::Text, text);
    }

    /// Hides a text toast. A success toast stays: it confirms what the person just did, and
    /// may outlive the page it was raised on.
    fn drop_text(&self) {
        if self
            .current
            .with_untracked(|t| t.as_ref().is_some_and(|t| t.kind == ToastKind::Text))
        {
            self.current.set(None);
        }
    }
}

/// Text toasts (a code sent, an error) speak of the page they were raised on: a new page
/// hides them, so they do not cover its first lines. Must be inside the `Router`.
#[component]
pub fn TextToastsEndWithPage() -> impl IntoView {
    let toaster = use_toaster();
    let location = leptos_router::hooks::use_location();
    Effect::new(move |previous: Option<String>| {
        let path = location.pathname.get();
        if previous.is_some_and(|p| p != path) {
            toaster.drop_text();
        }
        path
    });
}

pub fn use_toaster() -> Toaster {
    expect_context::<Toaster>()
}

/// Provides the toaster and renders the current toast above everything.
#[component]
pub fn ToastProvider(children: Children) -> impl IntoView {
    let toaster = Toaster {
        current: RwSignal::new(None),
    };
    provide_context(toaster);
    view! {
        {children()}
        <div role="status" aria-live="polite" aria-atomic="true">
            {move || {
                toaster
                    .current
                    .get()
                    .map(|t| match t.kind {
                        ToastKind::Success => {
                            view! {
                                <div class="toast">
                                    <span class="toast__icon" aria-hidden="true"></span>
                                    <p class="toast__text">{t.text}</p>
                                </div>
                            }
                                .into_any()
                        }
                        ToastKind::Text => {
                            view! {
                                <div class="toast toast--text">
                                    <p class="toast__text">{t.text}</p>
                                </div>
                            }
                                .into_any()
                        }
                    })
            }}
        </div>
    }
}
