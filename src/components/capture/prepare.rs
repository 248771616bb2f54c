//! Turns a phone photo (4–12 MB, any orientation) into an upright JPEG under 1 MB, on the
//! device: EXIF orientation applied, then dropped (a canvas re-encode carries no EXIF), long
//! side at most 2000 px, quality about 0.85.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::js_sys::{Array, Promise, Uint8Array};
use web_sys::{
    Blob, BlobPropertyBag, CanvasRenderingContext2d, HtmlCanvasElement, HtmlImageElement,
    HtmlVideoElement, Url,
};

use super::exif;

/// Larger than any phone photo, so that a wrong file (a video, a scan) is refused early.
pub const MAX_SOURCE_BYTES: f64 = 15.0 * 1024.0 * 1024.0;
/// What the server's recognition needs; more only costs upload time.
pub const MAX_SIDE: u32 = 2000;
/// Every upload should stay under this on a weak network.
pub const TARGET_BYTES: f64 = 1024.0 * 1024.0;

/// Long side and JPEG quality, tried in order until the photo fits [`TARGET_BYTES`].
const ATTEMPTS: [(u32, f64); 5] = [
    (MAX_SIDE, 0.85),
    (MAX_SIDE, 0.75),
    (MAX_SIDE, 0.65),
    (1600, 0.7),
    (1280, 0.7),
];

/// A photo ready to upload.
#[derive(Clone)]
pub struct Prepared {
    pub jpeg: Blob,
    pub width: u32,
    pub height: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PrepareError {
    #[error("请选择照片（JPG或PNG格式），不支持PDF等文件")]
    NotImage,
    #[error("照片不能超过15MB，请重新拍摄或选择")]
    TooLarge,
    #[error("无法读取这张图片，请重新拍摄或选择JPG、PNG格式的照片")]
    Unreadable,
    #[error("照片处理失败，请重试")]
    Encode,
}

/// What is drawn: a chosen file (decoded in an `<img>`) or a viewfinder frame.
pub enum Source<'a> {
    Image(&'a HtmlImageElement),
    Video(&'a HtmlVideoElement),
}

impl Source<'_> {
    fn size(&self) -> (u32, u32) {
        match self {
            Source::Image(i) => (i.natural_width(), i.natural_height()),
            Source::Video(v) => (v.video_width(), v.video_height()),
        }
    }
}

/// A chosen file: checked, decoded, turned upright, scaled and encoded.
pub async fn prepare_file(file: &Blob) -> Result<Prepared, PrepareError> {
    let kind = file.type_();
    // An empty type happens for some album apps; the decoder then decides.
    if !kind.is_empty() && !kind.starts_with("image/") {
        return Err(PrepareError::NotImage);
    }
    if file.size() > MAX_SOURCE_BYTES {
        return Err(PrepareError::TooLarge);
    }
    let head = file
        .slice_with_f64_and_f64(0.0, 256.0 * 1024.0)
        .map_err(|_| PrepareError::Unreadable)?;
    let orientation = exif::orientation(&bytes_of(&head).await.ok_or(PrepareError::Unreadable)?);
    let image = load_image(file).await.ok_or(PrepareError::Unreadable)?;
    // Browsers since 2020 apply EXIF orientation when decoding; older WebViews leave it to us.
    let manual = if orientation > 1 && !browser_applies_orientation().await {
        orientation
    } else {
        1
    };
    encode(&Source::Image(&image), manual).await
}

/// Scales, orients and encodes, retrying smaller until it fits [`TARGET_BYTES`].
pub async fn encode(source: &Source<'_>, orientation: u8) -> Result<Prepared, PrepareError> {
    let (w, h) = source.size();
    if w == 0 || h == 0 {
        return Err(PrepareError::Unreadable);
    }
    let canvas: HtmlCanvasElement = leptos::prelude::document()
        .create_element("canvas")
        .map_err(|_| PrepareError::Encode)?
        .unchecked_into();
    let mut best = None;
    let mut drawn_side = 0;
    for (side, quality) in ATTEMPTS {
        if side != drawn_side {
            draw(&canvas, source, (w, h), orientation, side)?;
            drawn_side = side;
        }
        let jpeg = to_jpeg(&canvas, quality)
            .await
            .ok_or(PrepareError::Encode)?;
        let fits = jpeg.size() <= TARGET_BYTES;
        best = Some(Prepared {
            jpeg,
            width: canvas.width(),
            height: canvas.height(),
        });
        if fits {
            break;
        }
    }
    // Free the pixels now: WebViews keep few canvases' memory before they crash.
    canvas.set_width(0);
    canvas.set_height(0);
    best.ok_or(PrepareError::Encode)
}

/// Draws `source` (stored `w`×`h`) upright on `canvas`, its long side at most `side`.
fn draw(
    canvas: &HtmlCanvasElement,
    source: &Source<'_>,
    (w, h): (u32, u32),
    orientation: u8,
    side: u32,
) -> Result<(), PrepareError> {
    let scale = (f64::from(side) / f64::from(w.max(h))).min(1.0);
    let (dw, dh) = (
        (f64::from(w) * scale).round().max(1.0),
        (f64::from(h) * scale).round().max(1.0),
    );
    let turned = orientation >= 5;
    let (cw, ch) = if turned { (dh, dw) } else { (dw, dh) };
    canvas.set_width(cw as u32);
    canvas.set_height(ch as u32);
    let ctx: CanvasRenderingContext2d = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .ok_or(PrepareError::Encode)?
        .unchecked_into();
    // A transparent PNG would turn black in a JPEG.
    ctx.set_fill_style_str("#fff");
    ctx.fill_rect(0.0, 0.0, cw, ch);
    let (a, b, c, d, e, f) = match orientation {
        2 => (-1.0, 0.0, 0.0, 1.0, dw, 0.0),
        3 => (-1.0, 0.0, 0.0, -1.0, dw, dh),
        4 => (1.0, 0.0, 0.0, -1.0, 0.0, dh),
        5 => (0.0, 1.0, 1.0, 0.0, 0.0, 0.0),
        6 => (0.0, 1.0, -1.0, 0.0, dh, 0.0),
        7 => (0.0, -1.0, -1.0, 0.0, dh, dw),
        8 => (0.0, -1.0, 1.0, 0.0, 0.0, dw),
        _ => (1.0, 0.0, 0.0, 1.0, 0.0, 0.0),
    };
    let _ = ctx.transform(a, b, c, d, e, f);
    let drawn = match source {
        Source::Image(i) => {
            ctx.draw_image_with_html_image_element_and_dw_and_dh(i, 0.0, 0.0, dw, dh)
        }
        Source::Video(v) => {
            ctx.draw_image_with_html_video_element_and_dw_and_dh(v, 0.0, 0.0, dw, dh)
        }
    };
    drawn.map_err(|_| PrepareError::Encode)
}

/// `canvas.toBlob`, or `toDataURL` where an old WebView lacks it.
async fn to_jpeg(canvas: &HtmlCanvasElement, quality: f64) -> Option<Blob> {
    let has_to_blob =
        web_sys::js_sys::Reflect::has(canvas, &JsValue::from_str("toBlob")).unwrap_or(false);
    if has_to_blob {
        let promise = Promise::new(&mut |resolve, _| {
            let settle = resolve.clone();
            let cb = Closure::once_into_js(move |blob: JsValue| {
                let _ = settle.call1(&JsValue::NULL, &blob);
            });
            if canvas
                .to_blob_with_type_and_encoder_options(
                    cb.unchecked_ref(),
                    "image/jpeg",
                    &JsValue::from_f64(quality),
                )
                .is_err()
            {
                let _ = resolve.call1(&JsValue::NULL, &JsValue::NULL);
            }
        });
        return JsFuture::from(promise).await.ok()?.dyn_into::<Blob>().ok();
    }
    let url = canvas
        .to_data_url_with_type_and_encoder_options("image/jpeg", &JsValue::from_f64(quality))
        .ok()?;
    let binary = leptos::prelude::window()
        .atob(url.split_once(',')?.1)
        .ok()?;
    let bytes: Vec<u8> = binary.chars().map(|c| c as u32 as u8).collect();
    blob_of(&bytes, "image/jpeg")
}

/// A Blob of `bytes` with the given MIME type.
pub fn blob_of(bytes: &[u8], kind: &str) -> Option<Blob> {
    let parts = Array::of1(&Uint8Array::from(bytes));
    let options = BlobPropertyBag::new();
    options.set_type(kind);
    Blob::new_with_u8_array_sequence_and_options(&parts, &options).ok()
}

/// The bytes of a Blob. Through `Response`, which old WebViews have, unlike `Blob.arrayBuffer`.
pub async fn bytes_of(blob: &Blob) -> Option<Vec<u8>> {
    let response = web_sys::Response::new_with_opt_blob(Some(blob)).ok()?;
    let buffer = JsFuture::from(response.array_buffer().ok()?).await.ok()?;
    Some(Uint8Array::new(&buffer).to_vec())
}

/// Decodes a Blob in an `<img>`; `None` when the browser cannot (HEIC on Android, a PDF).
pub async fn load_image(blob: &Blob) -> Option<HtmlImageElement> {
    let url = Url::create_object_url_with_blob(blob).ok()?;
    let image = HtmlImageElement::new().ok()?;
    let loaded = Promise::new(&mut |resolve, reject| {
        image.set_onload(Some(&resolve));
        image.set_onerror(Some(&reject));
    });
    image.set_src(&url);
    let result = JsFuture::from(loaded).await;
    image.set_onload(None);
    image.set_onerror(None);
    let _ = Url::revoke_object_url(&url);
    result
        .ok()
        .filter(|_| image.natural_width() > 0)
        .map(|_| image)
}

thread_local! {
    static APPLIES_ORIENTATION: std::cell::Cell<Option<bool>> = const { std::cell::Cell::new(None) };
}

/// Whether `<img>` decoding already turns EXIF-rotated photos upright (Chrome 81+, Safari
/// 13.1+). Asked once, with a 2×1 JPEG tagged "rotate 90°": if it decodes as 1×2, it does.
pub async fn browser_applies_orientation() -> bool {
    if let Some(known) = APPLIES_ORIENTATION.with(std::cell::Cell::get) {
        return known;
    }
    let answer = probe_orientation().await.unwrap_or(false);
    APPLIES_ORIENTATION.with(|c| c.set(Some(answer)));
    answer
}

async fn probe_orientation() -> Option<bool> {
    let canvas: HtmlCanvasElement = leptos::prelude::document()
        .create_element("canvas")
        .ok()?
        .unchecked_into();
    canvas.set_width(2);
    canvas.set_height(1);
    let plain = bytes_of(&to_jpeg(&canvas, 0.9).await?).await?;
    let tagged = blob_of(&exif::with_orientation(&plain, 6), "image/jpeg")?;
    let image = load_image(&tagged).await?;
    Some(image.natural_width() == 1 && image.natural_height() == 2)
}
