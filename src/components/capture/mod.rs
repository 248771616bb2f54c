//! Photo capture for licenses and letters: the camera (live viewfinder where getUserMedia
//! works, else the system camera through `<input type=file>`), the album as the fallback that
//! always works, on-device preparation ([`prepare`]), a preview with 重拍, and the upload with
//! its progress bar.
//!
//! `capture` goes on the file input only on Android: on iOS it would hide the album
//! (webview.md). The root carries `data-state`, `data-bytes`, `data-width`, `data-height`
//! so that tests can see what was sent.

pub mod exif;
pub mod prepare;
pub mod viewfinder;

use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::de::DeserializeOwned;
use wasm_bindgen::JsCast;
use web_sys::{Blob, HtmlInputElement, Url};

use crate::client;
use prepare::{Prepared, Source};
use viewfinder::Viewfinder;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Idle,
    Preparing,
    Uploading,
    Recognizing,
    Done,
    Failed,
}

impl Phase {
    fn name(self) -> &'static str {
        match self {
            Phase::Idle => "idle",
            Phase::Preparing => "preparing",
            Phase::Uploading => "uploading",
            Phase::Recognizing => "recognizing",
            Phase::Done => "done",
            Phase::Failed => "failed",
        }
    }

    fn busy(self) -> bool {
        matches!(
            self,
            Phase::Preparing | Phase::Uploading | Phase::Recognizing
        )
    }
}

fn is_android() -> bool {
    window()
        .navigator()
        .user_agent()
        .is_ok_and(|ua| ua.contains("Android"))
}

/// Takes a photo and uploads it to `upload_path`; `on_uploaded` gets the server's answer.
#[component]
pub fn PhotoCapture<T>(
    upload_path: &'static str,
    #[prop(into)] on_uploaded: Callback<T>,
    /// The camera button's words, e.g. 拍摄营业执照.
    #[prop(into)]
    title: Signal<String>,
    /// Shown under the box: what a good photo looks like.
    hint: &'static str,
    /// A photo is already on file (the user came back to this step).
    #[prop(optional)]
    uploaded: bool,
    /// An object URL of that photo, to show it again (this component revokes it).
    #[prop(default = None)]
    preview_url: Option<String>,
    /// Prefix of the element ids (`{name}-album`, `{name}-error`…), for several on one page.
    #[prop(default = "capture")]
    name: &'static str,
) -> impl IntoView
where
    T: DeserializeOwned + 'static,
{
    let phase = RwSignal::new(if uploaded { Phase::Done } else { Phase::Idle });
    let progress = RwSignal::new(0.0_f64);
    let error = RwSignal::new(None::<String>);
    let preview = RwSignal::new(preview_url);
    let sent = RwSignal::new(None::<(u64, u32, u32)>);
    let last = StoredValue::new_local(None::<Prepared>);
    let finder_open = RwSignal::new(false);
    let camera_input = NodeRef::<html::Input>::new();
    let album_input = NodeRef::<html::Input>::new();

    on_cleanup(move || {
        if let Some(url) = preview.try_get_untracked().flatten() {
            let _ = Url::revoke_object_url(&url);
        }
    });

    let upload = move |photo: Prepared| {
        if let Some(old) = preview.get_untracked() {
            let _ = Url::revoke_object_url(&old);
        }
        preview.set(Url::create_object_url_with_blob(&photo.jpeg).ok());
        sent.set(Some((photo.jpeg.size() as u64, photo.width, photo.height)));
        last.set_value(Some(photo.clone()));
        error.set(None);
        progress.set(0.0);
        phase.set(Phase::Uploading);
        spawn_local(async move {
            let result = client::upload::<T>(upload_path, &photo.jpeg, move |f| {
                progress.set(f);
                if f >= 1.0 {
                    phase.set(Phase::Recognizing);
                }
            })
            .await;
            match result {
                Ok(answer) => {
                    phase.set(Phase::Done);
                    on_uploaded.run(answer);
                }
                Err(e) => {
                    phase.set(Phase::Failed);
                    error.set(Some(e.to_string()));
                }
            }
        });
    };

    let take_file = move |file: Blob| {
        error.set(None);
        phase.set(Phase::Preparing);
        spawn_local(async move {
            match prepare::prepare_file(&file).await {
                Ok(photo) => upload(photo),
                Err(e) => {
                    // A refused file leaves the earlier photo (and its fields) as they were.
                    phase.set(if last.with_value(Option::is_some) || uploaded {
                        Phase::Done
                    } else {
                        Phase::Idle
                    });
                    error.set(Some(e.to_string()));
                }
            }
        });
    };

    let on_file = move |ev: leptos::ev::Event| {
        let input: HtmlInputElement = event_target(&ev);
        let file = input.files().and_then(|f| f.get(0));
        // Cleared so that choosing the same file again still fires `change`.
        input.set_value("");
        if let Some(file) = file {
            take_file(file.unchecked_into());
        }
    };
    let click = |input: NodeRef<html::Input>| {
        if let Some(el) = input.get_untracked() {
            el.click();
        }
    };
    let open_camera = move || {
        if viewfinder::available() {
            finder_open.set(true);
        } else {
            click(camera_input);
        }
    };
    let on_shot = move |video: web_sys::HtmlVideoElement| {
        phase.set(Phase::Preparing);
        spawn_local(async move {
            let result = prepare::encode(&Source::Video(&video), 1).await;
            finder_open.set(false);
            match result {
                Ok(photo) => upload(photo),
                Err(e) => {
                    phase.set(Phase::Failed);
                    error.set(Some(e.to_string()));
                }
            }
        });
    };
    let retry = move |_| {
        if let Some(photo) = last.get_value() {
            upload(photo);
        }
    };

    let busy = move || phase.get().busy();
    let has_photo = move || preview.with(Option::is_some) || phase.get() == Phase::Done;
    let status = move || match phase.get() {
        Phase::Preparing => "正在处理照片…".to_owned(),
        Phase::Uploading => format!("正在上传 {}%", (progress.get() * 100.0) as u32),
        Phase::Recognizing => "正在识别证照信息…".to_owned(),
        _ => String::new(),
    };

    view! {
        <div class="capture"
            data-state=move || phase.get().name()
            data-bytes=move || sent.get().map(|s| s.0.to_string())
            data-width=move || sent.get().map(|s| s.1.to_string())
            data-height=move || sent.get().map(|s| s.2.to_string())>
            <button type="button" class="capture__box" class:capture__box--filled=has_photo
                aria-describedby=format!("{name}-hint") aria-busy=move || busy().to_string()
                disabled=busy on:click=move |_| open_camera()>
                {move || match preview.get() {
                    Some(url) => view! { <img class="capture__img" src=url alt="证照照片预览"/> }.into_any(),
                    None if phase.get() == Phase::Done => view! {
                        <span class="capture__done" aria-hidden="true"></span>
                        <span class="capture__label">"证照已上传，点击可重新拍摄"</span>
                    }.into_any(),
                    None => view! {
                        <span class="capture__camera" aria-hidden="true"></span>
                        <span class="capture__label">{move || title.get()}</span>
                    }.into_any(),
                }}
                <Show when=busy>
                    <span class="capture__overlay">
                        <span class="capture__status">{status}</span>
                        <span class="progress" role="progressbar" aria-label="上传进度" aria-valuemin="0" aria-valuemax="100"
                            aria-valuenow=move || ((progress.get() * 100.0) as u32).to_string()>
                            <span class="progress__bar" class:progress__bar--busy=move || phase.get() != Phase::Uploading
                                style:width=move || format!("{}%", (progress.get() * 100.0) as u32)></span>
                        </span>
                    </span>
                </Show>
            </button>
            <p class="capture__hint" id=format!("{name}-hint")>{hint}</p>
            <p class="sr-only" aria-live="polite">{status}</p>
            {move || error.get().map(|e| view! { <p class="field-error" id=format!("{name}-error") role="alert">{e}</p> })}
            <div class="capture__actions">
                <Show when=move || phase.get() == Phase::Failed && last.with_value(Option::is_some)>
                    <button type="button" class="btn btn--mini btn--primary" on:click=retry>"重新上传"</button>
                </Show>
                <Show when=move || has_photo() && !busy()>
                    <button type="button" class="btn btn--mini btn--default" on:click=move |_| open_camera()>"重拍"</button>
                </Show>
                <button type="button" class="link capture__album" disabled=busy on:click=move |_| click(album_input)>
                    "从相册选择"
                </button>
            </div>
            <input type="file" accept="image/*" class="sr-only" tabindex="-1" aria-hidden="true" id=format!("{name}-camera")
                capture=is_android().then_some("environment") node_ref=camera_input on:change=on_file/>
            <input type="file" accept="image/*" class="sr-only" tabindex="-1" aria-hidden="true" id=format!("{name}-album")
                node_ref=album_input on:change=on_file/>
            <Show when=move || finder_open.get()>
                <Viewfinder
                    title
                    on_shot
                    on_system_camera=move || {
                        finder_open.set(false);
                        click(camera_input);
                    }
                    on_album=move || {
                        finder_open.set(false);
                        click(album_input);
                    }
                    on_close=move || finder_open.set(false)
                />
            </Show>
        </div>
    }
}
