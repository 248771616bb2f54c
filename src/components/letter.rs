//! 授权书 (step 4, path 3, institutions), the applicant's side: 获取授权书模板 (WeCom message
//! and download), the seed's four notes, 1–3 photos of the signed and stamped letter, 下一步;
//! then "under review" with the expected date, updating by itself. A rejection shows its
//! reason and the form again.

use std::time::Duration;

use api::wire::{LetterPhoto, LetterStatus, LetterView, LETTER_NOTES};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::client;
use crate::components::capture::PhotoCapture;
use crate::components::poll::poll_application;
use crate::components::toast::{use_toaster, ToastKind};

/// How often the page in review asks while the event stream is not up.
const POLL_MS: u64 = 5000;
const SLOTS: [&str; 3] = ["letter-1", "letter-2", "letter-3"];

#[component]
pub fn Letter(initial: Option<LetterView>) -> impl IntoView {
    let letter = RwSignal::new(initial);
    let in_review = move || {
        letter.with(|l| {
            l.as_ref()
                .is_some_and(|l| l.status == LetterStatus::InReview)
        })
    };
    // While in review: follow the application (poll.rs); approval ends the application (404
    // here, 已认证 in the session), and the success page follows.
    poll_application(Duration::from_millis(POLL_MS), in_review, move |v| {
        if v.letter != letter.get_untracked() {
            letter.set(v.letter);
        }
    });
    view! {
        <h3 class="cells__title">"上传授权书认证"</h3>
        {move || match letter.get() {
            Some(l) if l.status == LetterStatus::InReview => view! {
                <div class="msg msg--compact" role="status" aria-live="polite">
                    <div class="msg__icon msg__icon--waiting" aria-hidden="true"></div>
                    <h3 class="msg__title">"授权书审核中"</h3>
                    <p class="msg__desc">{format!(
                        "腾讯电子签工作人员将在1-3个工作日内完成审核，预计{}前反馈认证结果，结果将通过企业微信消息通知您。",
                        l.due_date
                    )}</p>
                </div>
            }.into_any(),
            other => view! { <LetterForm rejected=other.filter(|l| l.status == LetterStatus::Rejected) letter/> }.into_any(),
        }}
    }
}

#[component]
fn LetterForm(rejected: Option<LetterView>, letter: RwSignal<Option<LetterView>>) -> impl IntoView {
    let toaster = use_toaster();
    let download = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<String>);
    let photos: [RwSignal<Option<String>>; 3] = std::array::from_fn(|_| RwSignal::new(None));
    let fetch = move |_| {
        spawn_local(async move {
            match client::send_letter_template().await {
                Ok(sent) => {
                    toaster.show(ToastKind::Text, "授权书模板已通过企业微信消息发送");
                    download.set(Some(sent.download_url));
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    let submit = Action::new_local(move |ids: &Vec<String>| client::submit_letter(ids.clone()));
    Effect::new(move |_| match submit.value().get() {
        Some(Ok(v)) => letter.set(Some(v)),
        Some(Err(e)) => error.set(Some(e.to_string())),
        None => {}
    });
    let pending = submit.pending();
    let on_next = move |_| {
        error.set(None);
        let ids: Vec<String> = photos.iter().filter_map(|p| p.get_untracked()).collect();
        if ids.is_empty() {
            error.set(Some("请先上传授权书照片".to_owned()));
            return;
        }
        submit.dispatch(ids);
    };
    view! {
        {rejected.map(|l| view! {
            <div class="notice notice--warn" role="alert">
                <div class="notice__bd">
                    <strong class="notice__title">"授权书未通过审核"</strong>
                    <p>{format!("原因：{}。请修改后重新上传（第{}次提交）。", l.reason.unwrap_or_default(), l.attempts + 1)}</p>
                </div>
            </div>
        })}
        <div class="auth-card">
            <div class="auth-card__icon auth-card__icon--letter" aria-hidden="true"></div>
            <p>"单击“获取授权书模板”，腾讯电子签会通过企业微信消息为您推送授权书模板，请按照模板要求填写相关信息并加盖企业公章后进行上传（资料仅供企业认证使用）。"</p>
        </div>
        <div class="btn-area">
            <button type="button" class="btn btn--default" on:click=fetch>"获取授权书模板"</button>
            {move || download.get().map(|url| view! {
                <a class="btn btn--plain" href=url download="超级管理员授权书.pdf">"下载授权书模板（PDF）"</a>
            })}
        </div>
        <h3 class="cells__title">"填写注意事项"</h3>
        <ul class="checklist letter-notes">
            {LETTER_NOTES.iter().map(|n| view! { <li class="checklist__item">{*n}</li> }).collect_view()}
        </ul>
        <h3 class="cells__title">"上传授权书照片（1-3张）"</h3>
        {SLOTS.iter().enumerate().map(|(i, name)| {
            let slot = photos[i];
            let shown = move || i == 0 || photos[i - 1].with(Option::is_some);
            view! {
                <Show when=shown>
                    <PhotoCapture<LetterPhoto>
                        upload_path=api::wire::paths::LETTER_PHOTO
                        on_uploaded=move |p: LetterPhoto| slot.set(Some(p.upload_id))
                        title=format!("拍摄授权书第{}页", i + 1)
                        hint="请将盖章页完整拍摄，确保文字与公章清晰"
                        name
                    />
                </Show>
            }
        }).collect_view()}
        {move || error.get().map(|e| view! { <p class="notice notice--warn" role="alert">{e}</p> })}
        <div class="btn-area">
            <button type="button" class="btn btn--primary" disabled=move || pending.get() on:click=on_next>
                {move || pending.get().then(|| view! { <span class="spinner" aria-hidden="true"></span> })}
                "下一步"
            </button>
        </div>
    }
}
