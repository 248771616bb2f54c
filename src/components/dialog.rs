//! A WeUI dialog: a modal with a title, a body and a row of buttons. Escape and the mask
//! close it; focus moves into it when it opens, for screen readers and keyboards.

use leptos::html;
use leptos::prelude::*;

/// The dialog's buttons, e.g. `<DialogActions slot><button class="dialog__btn">…</button></DialogActions>`.
#[slot]
pub struct DialogActions {
    children: Children,
}

#[component]
pub fn Dialog(
    #[prop(into)] title: String,
    /// Called when the user dismisses it (Escape, tapping the mask).
    #[prop(into)]
    on_dismiss: Callback<()>,
    dialog_actions: DialogActions,
    children: Children,
) -> impl IntoView {
    let node = NodeRef::<html::Div>::new();
    Effect::new(move |_| {
        if let Some(el) = node.get() {
            let _ = el.focus();
        }
    });
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Escape" {
            on_dismiss.run(());
        }
    };
    view! {
        <div class="mask" on:click=move |_| on_dismiss.run(()) aria-hidden="true"></div>
        <div
            class="dialog"
            role="dialog"
            aria-modal="true"
            aria-labelledby="dialog-title"
            tabindex="-1"
            node_ref=node
            on:keydown=on_key
        >
            <div class="dialog__hd">
                <h2 class="dialog__title" id="dialog-title">{title}</h2>
            </div>
            <div class="dialog__bd">{children()}</div>
            <div class="dialog__ft">{(dialog_actions.children)()}</div>
        </div>
    }
}

/// A question answered with 取消 or 确定; 确定 stays disabled (`pending_label`, by default
/// 正在发送…) while `pending`.
#[component]
pub fn ConfirmDialog(
    #[prop(into)] title: String,
    #[prop(into)] message: String,
    #[prop(into)] pending: Signal<bool>,
    #[prop(into)] on_confirm: Callback<()>,
    #[prop(into)] on_cancel: Callback<()>,
    #[prop(optional)] pending_label: Option<&'static str>,
) -> impl IntoView {
    let pending_label = pending_label.unwrap_or("正在发送…");
    view! {
        <Dialog title on_dismiss=on_cancel>
            <p>{message}</p>
            <DialogActions slot>
                <button type="button" class="dialog__btn dialog__btn--default" on:click=move |_| on_cancel.run(())>"取消"</button>
                <button type="button" class="dialog__btn dialog__btn--primary" disabled=move || pending.get()
                    aria-busy=move || pending.get().to_string()
                    on:click=move |_| on_confirm.run(())>
                    {move || if pending.get() { pending_label } else { "确定" }}
                </button>
            </DialogActions>
        </Dialog>
    }
}
