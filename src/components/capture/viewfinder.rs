//! The live viewfinder (getUserMedia) with a license-shaped guide frame. Offered only where
//! the camera API exists; when it fails (no permission, old iOS WebView, desktop without a
//! camera) it says so and offers the system camera and the album instead.

use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::js_sys::{Object, Reflect};
use web_sys::{HtmlVideoElement, MediaStream, MediaStreamConstraints, MediaStreamTrack};

/// Whether this WebView has a camera API at all (iOS WKWebView only from 14.3, HTTPS only).
pub fn available() -> bool {
    let window = window();
    if !window.is_secure_context() {
        return false;
    }
    let devices = window.navigator().media_devices().ok();
    devices.is_some_and(|d| Reflect::has(&d, &JsValue::from_str("getUserMedia")).unwrap_or(false))
}

/// Asks for the back camera, at about 1080p (enough for 2000 px after the crop of nothing).
async fn open_camera() -> Result<MediaStream, String> {
    let devices = window()
        .navigator()
        .media_devices()
        .map_err(|_| String::new())?;
    let video = Object::new();
    let ideal = |v: JsValue| {
        let o = Object::new();
        let _ = Reflect::set(&o, &"ideal".into(), &v);
        o
    };
    // Android WeChat opens the front camera unless told otherwise.
    let _ = Reflect::set(&video, &"facingMode".into(), &ideal("environment".into()));
    let _ = Reflect::set(&video, &"width".into(), &ideal(1920.into()));
    let _ = Reflect::set(&video, &"height".into(), &ideal(1080.into()));
    let constraints = MediaStreamConstraints::new();
    constraints.set_video(&video);
    constraints.set_audio(&JsValue::FALSE);
    let promise = devices
        .get_user_media_with_constraints(&constraints)
        .map_err(|_| String::new())?;
    match JsFuture::from(promise).await {
        Ok(stream) => Ok(stream.unchecked_into()),
        Err(e) => Err(Reflect::get(&e, &"name".into())
            .ok()
            .and_then(|n| n.as_string())
            .unwrap_or_default()),
    }
}

fn stop(stream: &MediaStream) {
    for track in stream.get_tracks().iter() {
        track.unchecked_into::<MediaStreamTrack>().stop();
    }
}

fn failure_text(name: &str) -> &'static str {
    match name {
        "NotAllowedError" | "SecurityError" => {
            "未获得相机权限。您可以使用系统相机拍摄，或从相册选择证照照片。"
        }
        "NotFoundError" | "OverconstrainedError" => "未找到可用的相机，请从相册选择证照照片。",
        "NotReadableError" | "AbortError" => "相机正被其他应用使用，请稍后重试或从相册选择。",
        _ => "无法打开相机，请使用系统相机拍摄或从相册选择。",
    }
}

/// The full-screen camera. `on_shot` gets the video element while the frame is live (the
/// caller draws it); `on_system_camera` and `on_album` are the fallbacks; `on_close` cancels.
#[component]
pub fn Viewfinder(
    #[prop(into)] title: Signal<String>,
    #[prop(into)] on_shot: Callback<HtmlVideoElement>,
    #[prop(into)] on_system_camera: Callback<()>,
    #[prop(into)] on_album: Callback<()>,
    #[prop(into)] on_close: Callback<()>,
) -> impl IntoView {
    let video = NodeRef::<html::Video>::new();
    let shutter = NodeRef::<html::Button>::new();
    let stream = StoredValue::new_local(None::<MediaStream>);
    let failed = RwSignal::new(None::<&'static str>);
    let live = RwSignal::new(false);

    spawn_local(async move {
        match open_camera().await {
            Ok(s) => {
                // Closed while the permission prompt was up.
                let Some(el) = video.get_untracked() else {
                    stop(&s);
                    return;
                };
                el.set_src_object(Some(&s));
                // iOS WeChat draws nothing until play() is called from here.
                if let Ok(p) = el.play() {
                    let _ = JsFuture::from(p).await;
                }
                stream.set_value(Some(s));
                live.set(true);
                if let Some(b) = shutter.get_untracked() {
                    let _ = b.focus();
                }
            }
            Err(name) => failed.set(Some(failure_text(&name))),
        }
    });
    on_cleanup(move || {
        if let Some(s) = stream.try_get_value().flatten() {
            stop(&s);
        }
    });

    let take = move |_| {
        if let Some(el) = video.get_untracked() {
            if el.video_width() > 0 {
                on_shot.run(el);
            }
        }
    };
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Escape" {
            on_close.run(());
        }
    };
    view! {
        <div class="viewfinder" role="dialog" aria-modal="true" aria-label=move || title.get() on:keydown=on_key>
            <video node_ref=video class="viewfinder__video" autoplay=true playsinline=true muted=true
                aria-hidden="true"></video>
            <div class="viewfinder__guide" aria-hidden="true">
                <span class="viewfinder__corner viewfinder__corner--tl"></span>
                <span class="viewfinder__corner viewfinder__corner--tr"></span>
                <span class="viewfinder__corner viewfinder__corner--bl"></span>
                <span class="viewfinder__corner viewfinder__corner--br"></span>
            </div>
            <p class="viewfinder__tip" role="status">
                {move || match failed.get() {
                    Some(text) => text,
                    None if live.get() => "请将证照完整置于框内，保持文字清晰、避免反光",
                    None => "正在打开相机…",
                }}
            </p>
            <Show when=move || failed.get().is_some()>
                <div class="viewfinder__fallback">
                    <button type="button" class="btn btn--primary" on:click=move |_| on_system_camera.run(())>"使用系统相机"</button>
                    <button type="button" class="btn btn--default" on:click=move |_| on_album.run(())>"从相册选择"</button>
                </div>
            </Show>
            <div class="viewfinder__bar">
                <button type="button" class="viewfinder__side" on:click=move |_| on_close.run(())>"取消"</button>
                <button type="button" class="viewfinder__shutter" node_ref=shutter aria-label="拍照"
                    disabled=move || !live.get() on:click=take></button>
                <button type="button" class="viewfinder__side" on:click=move |_| on_album.run(())>"相册"</button>
            </div>
        </div>
    }
}
