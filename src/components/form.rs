//! Form rows (WeUI `cells_form`): a label, an input bound to a signal, the error under it.
//!
//! Chinese input methods compose text in several keystrokes; the value is taken when the
//! composition ends, not on every intermediate key.

use leptos::prelude::*;

#[component]
pub fn TextCell(
    /// The input's id; the error gets `{id}-error`.
    id: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    #[prop(into)] error: Signal<Option<String>>,
    #[prop(optional)] placeholder: &'static str,
    #[prop(optional)] inputmode: Option<&'static str>,
    #[prop(optional)] input_type: Option<&'static str>,
    #[prop(optional)] maxlength: Option<u32>,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional, into)] on_blur: Option<Callback<()>>,
    #[prop(optional, into)] disabled: Signal<bool>,
    /// Label and badge on one line, the input on the full width below: for long values
    /// (enterprise names, addresses, 18-character codes).
    #[prop(optional)]
    stacked: bool,
    /// Shown at the right of the row (a badge, a button).
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView {
    let composing = RwSignal::new(false);
    let error_id = format!("{id}-error");
    let described = error_id.clone();
    view! {
        // Only the words are the label: a button or badge at the right must not become part of
        // the input's accessible name ("手机号 获取验证码").
        <div class="cell cell--form" class:cell--stacked=stacked class:cell--error=move || error.with(Option::is_some)>
            <label class="cell__hd cell__label" for=id>{label}</label>
            <span class="cell__bd">
                <input
                    class="input"
                    id=id
                    type=input_type.unwrap_or("text")
                    inputmode=inputmode
                    maxlength=maxlength
                    autocomplete=autocomplete.unwrap_or("off")
                    placeholder=placeholder
                    disabled=move || disabled.get()
                    aria-invalid=move || error.with(Option::is_some).to_string()
                    aria-describedby=move || error.with(Option::is_some).then(|| described.clone())
                    prop:value=move || value.get()
                    on:compositionstart=move |_| composing.set(true)
                    on:compositionend=move |ev| {
                        composing.set(false);
                        value.set(event_target_value(&ev));
                    }
                    on:input=move |ev| {
                        if !composing.get_untracked() {
                            value.set(event_target_value(&ev));
                        }
                    }
                    on:blur=move |_| {
                        if let Some(cb) = on_blur {
                            cb.run(());
                        }
                    }
                />
            </span>
            {children.map(|c| view! { <span class="cell__ft">{c()}</span> })}
        </div>
        {move || error.get().map(|e| view! { <p class="field-error" id=error_id.clone() role="alert">{e}</p> })}
    }
}

/// The message to show for a field: only once the person has left the field or typed enough,
/// so that nobody is scolded for a number they are still typing.
pub fn shown_error<E: ToString>(
    touched: RwSignal<bool>,
    value: RwSignal<String>,
    complete_len: usize,
    check: impl Fn(&str) -> Result<String, E> + Send + Sync + 'static,
    server: RwSignal<Option<String>>,
) -> Signal<Option<String>> {
    Signal::derive(move || {
        if let Some(e) = server.get() {
            return Some(e);
        }
        let v = value.get();
        let long_enough = v.chars().filter(|c| !c.is_whitespace()).count() >= complete_len;
        if !(touched.get() || long_enough) {
            return None;
        }
        check(&v).err().map(|e| e.to_string())
    })
}

/// The page's main button (下一步): disabled and spinning while the request is out.
#[component]
pub fn SubmitButton(
    label: &'static str,
    #[prop(into)] pending: Signal<bool>,
    /// Shown instead of `label` while pending, e.g. 正在认证….
    #[prop(optional)]
    pending_label: Option<&'static str>,
    /// Disabled for another reason than a pending request.
    #[prop(optional, into)]
    blocked: Signal<bool>,
) -> impl IntoView {
    view! {
        <div class="btn-area">
            <button type="submit" class="btn btn--primary" class:btn--loading=move || pending.get()
                disabled=move || pending.get() || blocked.get() aria-busy=move || pending.get().to_string()>
                {move || pending.get().then(|| view! { <span class="spinner" aria-hidden="true"></span> })}
                {move || if pending.get() { pending_label.unwrap_or(label) } else { label }}
            </button>
        </div>
    }
}
