//! 姓名 + 居民身份证号, checked as typed with the shared validators: the one form behind 个人实名
//! 认证 (applicant, invited employee, super admin) and the legal representative's and super
//! admin's identity before face verification. The server's refusal lands at its field; nothing
//! typed is lost.

use api::validate::{id_number, person_name};
use api::wire::RealNameRequest;
use leptos::prelude::*;

use crate::client::ApiError;
use crate::components::form::{shown_error, SubmitButton, TextCell};

#[component]
pub fn IdentityForm(
    submit_label: &'static str,
    #[prop(optional)] pending_label: Option<&'static str>,
    /// Under the fields: what the numbers are used for.
    tips: &'static str,
    #[prop(into)] pending: Signal<bool>,
    /// The server's answer to the last submission, when it refused.
    #[prop(into)]
    refusal: Signal<Option<ApiError>>,
    #[prop(into)] on_submit: Callback<RealNameRequest>,
    #[prop(optional)] name_placeholder: Option<&'static str>,
) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let id = RwSignal::new(String::new());
    let (name_touched, id_touched) = (RwSignal::new(false), RwSignal::new(false));
    let (name_server, id_server) = (RwSignal::new(None::<String>), RwSignal::new(None::<String>));
    let form_error = RwSignal::new(None::<String>);
    Effect::new(move |_| match refusal.get() {
        Some(e) => match e.field() {
            Some("name") => name_server.set(Some(e.to_string())),
            Some("id_number") => id_server.set(Some(e.to_string())),
            _ => form_error.set(Some(e.to_string())),
        },
        None => {}
    });
    // A server refusal belongs to what was sent: editing the field clears it.
    Effect::new(move |_| {
        name.track();
        name_server.set(None);
    });
    Effect::new(move |_| {
        id.track();
        id_server.set(None);
    });
    let name_error = shown_error(name_touched, name, usize::MAX, person_name, name_server);
    let id_error = shown_error(id_touched, id, 18, id_number, id_server);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        name_touched.set(true);
        id_touched.set(true);
        form_error.set(None);
        if name_error.get_untracked().is_none() && id_error.get_untracked().is_none() {
            on_submit.run(RealNameRequest {
                name: name.get_untracked(),
                id_number: id.get_untracked(),
            });
        }
    };
    let add_x = move |_| {
        id.update(|v| {
            if v.chars().count() == 17 {
                v.push('X');
            }
        })
    };
    view! {
        <form class="real-name" on:submit=submit novalidate>
            <div class="cells">
                <TextCell id="name" label="姓名" value=name error=name_error
                    placeholder=name_placeholder.unwrap_or("请输入真实姓名")
                    autocomplete="name" maxlength=32 on_blur=move || name_touched.set(true)/>
                <div class="cell">
                    <span class="cell__hd cell__label">"证件类型"</span>
                    <span class="cell__bd">"居民身份证"</span>
                </div>
                <TextCell id="id_number" label="身份证号" value=id error=id_error placeholder="请输入18位身份证号"
                    inputmode="numeric" maxlength=18 on_blur=move || id_touched.set(true)>
                    <button type="button" class="btn btn--mini btn--default" aria-label="输入末位X"
                        on:click=add_x
                        disabled=move || { id.with(|v| v.chars().count() != 17) }>"X"</button>
                </TextCell>
            </div>
            <p class="cells__tips">{tips}</p>
            {move || form_error.get().map(|e| view! { <p class="notice notice--warn" role="alert">{e}</p> })}
            {match pending_label {
                Some(l) => view! { <SubmitButton label=submit_label pending pending_label=l/> }.into_any(),
                None => view! { <SubmitButton label=submit_label pending/> }.into_any(),
            }}
        </form>
    }
}
