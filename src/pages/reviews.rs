//! `/ops/reviews`: the reviewer console (staff only). 授权书 in review, oldest first: the
//! letter photos (tap to enlarge) beside the application's data; 通过, or 驳回 with a preset
//! or typed reason.

use api::wire::{ReviewDecision, ReviewItem, LETTER_REJECT_REASONS};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::client::{self, ApiError};
use crate::components::dialog::{Dialog, DialogActions};
use crate::components::error_state::ErrorState;
use crate::components::loading::LoadingPage;
use crate::components::step_frame::Blocked;
use crate::format::china_date_time;
use crate::remote::Remote;

#[component]
pub fn Reviews() -> impl IntoView {
    let queue = Remote::new(client::reviews);
    view! {
        <div class="page">
            <header class="page__hd">
                <h1 class="page__title">"授权书审核"</h1>
                <p class="page__desc">"按提交时间排序，先提交的先审核。"</p>
            </header>
            <Suspense fallback=|| view! { <LoadingPage/> }>
                {move || Suspend::new(async move {
                    match queue.await {
                        Ok(items) if items.is_empty() => view! {
                            <div class="msg">
                                <div class="msg__icon msg__icon--success" aria-hidden="true"></div>
                                <h2 class="msg__title">"暂无待审核的授权书"</h2>
                            </div>
                        }.into_any(),
                        Ok(items) => items
                            .into_iter()
                            .map(|item| view! { <ReviewCard item on_done=move || queue.refetch()/> })
                            .collect_view()
                            .into_any(),
                        Err(ApiError::Refused { error, .. }) => view! { <Blocked message=error.message/> }.into_any(),
                        Err(ApiError::Unauthorized(_)) => view! { <LoadingPage/> }.into_any(),
                        Err(e) => view! { <ErrorState message=e.to_string() on_retry=move || queue.refetch()/> }.into_any(),
                    }
                })}
            </Suspense>
        </div>
    }
}

#[component]
fn ReviewCard(item: ReviewItem, #[prop(into)] on_done: Callback<()>) -> impl IntoView {
    let enlarged = RwSignal::new(None::<String>);
    let rejecting = RwSignal::new(false);
    let reason = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let id = StoredValue::new(item.id.clone());
    let send = move |approve: bool| {
        let decision = ReviewDecision {
            approve,
            reason: (!approve).then(|| reason.get_untracked()),
        };
        busy.set(true);
        spawn_local(async move {
            match client::review(&id.get_value(), decision).await {
                Ok(()) => on_done.run(()),
                Err(e) => error.set(Some(e.to_string())),
            }
            busy.set(false);
        });
    };
    // Which of the license fields the applicant changed from what recognition read.
    let edited = |key: &str| item.edited_fields.iter().any(|f| f == key);
    let rows = [
        ("企业名称", item.enterprise.clone(), edited("name")),
        ("统一社会信用代码", item.uscc.clone(), edited("uscc")),
        ("法定代表人", item.legal_rep.clone(), edited("legal_rep")),
        ("申请人", item.applicant_name.clone(), false),
        (
            "申请人手机号",
            item.applicant_phone.clone().unwrap_or_default(),
            false,
        ),
        ("提交时间", china_date_time(item.submitted_at), false),
        ("审核截止", item.due_date.clone(), false),
    ];
    view! {
        <article class="review" aria-label=format!("{}的授权书", item.enterprise)>
            <div class="review__photos">
                {item.photos.iter().enumerate().map(|(i, url)| {
                    let full = url.clone();
                    view! {
                        <button type="button" class="review__photo" aria-label=format!("放大第{}张授权书照片", i + 1)
                            on:click=move |_| enlarged.set(Some(full.clone()))>
                            <img src=url.clone() alt=format!("授权书照片{}", i + 1)/>
                        </button>
                    }
                }).collect_view()}
            </div>
            <div class="cells">
                {rows.into_iter().map(|(k, v, changed)| view! {
                    <div class="cell">
                        <span class="cell__bd">{k}</span>
                        <span class="cell__ft">
                            {v}
                            {changed.then(|| view! {
                                <span class="tag tag--orange" title="与证照识别结果不同">"已修改"</span>
                            })}
                        </span>
                    </div>
                }).collect_view()}
            </div>
            {(!item.edited_fields.is_empty()).then(|| view! {
                <p class="cells__tips">"标有“已修改”的信息由申请人手动填写或修改，与证照识别结果不同，请对照授权书与证照核对。"</p>
            })}
            {(!item.earlier_reasons.is_empty()).then(|| view! {
                <p class="cells__tips">{format!("此前驳回：{}", item.earlier_reasons.join("；"))}</p>
            })}
            {move || error.get().map(|e| view! { <p class="notice notice--warn" role="alert">{e}</p> })}
            <div class="review__actions">
                <button type="button" class="btn btn--warn" disabled=move || busy.get() on:click=move |_| rejecting.set(true)>"驳回"</button>
                <button type="button" class="btn btn--primary" disabled=move || busy.get() on:click=move |_| send(true)>"通过"</button>
            </div>
        </article>
        <Show when=move || enlarged.with(Option::is_some)>
            <div class="viewer" role="dialog" aria-modal="true" aria-label="授权书照片" on:click=move |_| enlarged.set(None)>
                <img src=move || enlarged.get().unwrap_or_default() alt="授权书照片（放大）"/>
                <p class="viewer__tip">"轻触任意处关闭"</p>
            </div>
        </Show>
        <Show when=move || rejecting.get()>
            <Dialog title="驳回原因" on_dismiss=move || rejecting.set(false)>
                <div class="reasons" role="radiogroup" aria-label="常用原因">
                    {LETTER_REJECT_REASONS.iter().map(|r| view! {
                        <label class="reasons__item">
                            <input type="radio" name="reason" prop:checked=move || reason.get() == *r
                                on:change=move |_| reason.set((*r).to_owned())/>
                            <span>{*r}</span>
                        </label>
                    }).collect_view()}
                </div>
                <label class="reasons__other" for="reason-text">"或填写其他原因"</label>
                <textarea id="reason-text" class="textarea" rows="3" maxlength="200"
                    prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev))></textarea>
                <DialogActions slot>
                    <button type="button" class="dialog__btn dialog__btn--default" on:click=move |_| rejecting.set(false)>"取消"</button>
                    <button type="button" class="dialog__btn dialog__btn--primary" disabled=move || reason.with(|r| r.trim().is_empty())
                        on:click=move |_| {
                            rejecting.set(false);
                            send(false);
                        }>"确认驳回"</button>
                </DialogActions>
            </Dialog>
        </Show>
    }
}
