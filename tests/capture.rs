//! Photo capture in headless Chromium: EXIF orientation, on-device preparation of a large
//! phone-sized photo, the refusals, and the widget from file choice to a failed upload.
#![cfg(target_arch = "wasm32")]

use app::components::capture::exif;
use app::components::capture::prepare::{self, PrepareError, Source};
use app::components::capture::PhotoCapture;
use leptos::prelude::*;
use wasm_bindgen::{Clamped, JsCast};
use wasm_bindgen_test::*;
use web_sys::{
    CanvasRenderingContext2d, HtmlCanvasElement, HtmlElement, HtmlInputElement, ImageData,
};

wasm_bindgen_test_configure!(run_in_browser);

/// SOI, JFIF APP0, a fake table, SOS: enough structure for the EXIF reader.
fn bare_jpeg() -> Vec<u8> {
    let mut j = vec![0xFF, 0xD8, 0xFF, 0xE0, 0, 16];
    j.extend(b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0");
    j.extend([0xFF, 0xDB, 0, 4, 0, 0, 0xFF, 0xDA, 0, 2, 0xFF, 0xD9]);
    j
}

#[wasm_bindgen_test]
fn exif_orientation_round_trips_every_value() {
    for o in 1..=8 {
        assert_eq!(
            exif::orientation(&exif::with_orientation(&bare_jpeg(), o)),
            o
        );
    }
}

#[wasm_bindgen_test]
fn missing_or_broken_exif_reads_as_upright() {
    assert_eq!(exif::orientation(&bare_jpeg()), 1);
    assert_eq!(exif::orientation(b"\x89PNG\r\n\x1a\n"), 1);
    assert_eq!(exif::orientation(&[]), 1);
    let mut cut = exif::with_orientation(&bare_jpeg(), 6);
    cut.truncate(30);
    assert_eq!(exif::orientation(&cut), 1);
}

#[wasm_bindgen_test]
fn reads_little_endian_exif_as_android_cameras_write_it() {
    let mut seg = b"Exif\0\0II\x2a\0\x08\0\0\0".to_vec();
    seg.extend([1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0]);
    let mut j = vec![0xFF, 0xD8, 0xFF, 0xE1];
    j.extend(u16::try_from(seg.len() + 2).unwrap().to_be_bytes());
    j.extend(seg);
    j.extend([0xFF, 0xDA, 0, 2]);
    assert_eq!(exif::orientation(&j), 8);
}

fn canvas(w: u32, h: u32) -> (HtmlCanvasElement, CanvasRenderingContext2d) {
    let c: HtmlCanvasElement = document()
        .create_element("canvas")
        .unwrap()
        .unchecked_into();
    c.set_width(w);
    c.set_height(h);
    let ctx = c.get_context("2d").unwrap().unwrap().unchecked_into();
    (c, ctx)
}

/// A JPEG the way a phone writes one: 4000×3000, sensor-like noise, quality 0.95.
async fn phone_photo() -> Vec<u8> {
    let (w, h) = (4000u32, 3000u32);
    let (c, ctx) = canvas(w, h);
    let mut px = vec![0u8; (w * h * 4) as usize];
    let mut s = 0x9E37_79B9u32;
    for (i, p) in px.chunks_exact_mut(4).enumerate() {
        s ^= s << 13;
        s ^= s >> 17;
        s ^= s << 5;
        let base = if (i as u32 % w) / 200 % 2 == 0 {
            200
        } else {
            90
        };
        let [a, b, c, _] = s.to_le_bytes();
        p.copy_from_slice(&[base - 40 + a / 5, base - 40 + b / 5, base - 40 + c / 5, 255]);
    }
    let data = ImageData::new_with_u8_clamped_array_and_sh(Clamped(&px), w, h).unwrap();
    ctx.put_image_data(&data, 0.0, 0.0).unwrap();
    let url = c
        .to_data_url_with_type_and_encoder_options("image/jpeg", &0.95.into())
        .unwrap();
    let binary = window().atob(url.split_once(',').unwrap().1).unwrap();
    binary.chars().map(|c| c as u32 as u8).collect()
}

#[wasm_bindgen_test]
async fn a_large_rotated_phone_photo_goes_up_upright_small_and_without_exif() {
    let raw = phone_photo().await;
    let tagged = exif::with_orientation(&raw, 6);
    assert!(
        tagged.len() > 4 * 1024 * 1024,
        "the fixture must be phone-sized, is {} B",
        tagged.len()
    );
    let file = prepare::blob_of(&tagged, "image/jpeg").unwrap();

    let out = prepare::prepare_file(&file).await.expect("prepared");

    // Orientation 6 means the stored 4000×3000 is shown 3000×4000: long side now 2000.
    assert_eq!((out.width, out.height), (1500, 2000));
    assert!(
        out.jpeg.size() < prepare::TARGET_BYTES,
        "{} B",
        out.jpeg.size()
    );
    assert_eq!(out.jpeg.type_(), "image/jpeg");
    let bytes = prepare::bytes_of(&out.jpeg).await.unwrap();
    assert_eq!(exif::orientation(&bytes), 1);
    assert!(
        !bytes.windows(6).any(|w| w == b"Exif\0\0"),
        "EXIF must be stripped"
    );
}

#[wasm_bindgen_test]
async fn this_browser_applies_exif_orientation_itself() {
    // Headless Chromium is current: the probe must say so (old WebViews get the manual path).
    assert!(prepare::browser_applies_orientation().await);
}

/// Pixel (x, y) of a prepared JPEG, decoded again.
async fn pixel(jpeg: &web_sys::Blob, x: f64, y: f64) -> [u8; 3] {
    let img = prepare::load_image(jpeg).await.unwrap();
    let (c, ctx) = canvas(img.natural_width(), img.natural_height());
    ctx.draw_image_with_html_image_element(&img, 0.0, 0.0)
        .unwrap();
    let d = ctx.get_image_data(x, y, 1.0, 1.0).unwrap().data().0;
    drop(c);
    [d[0], d[1], d[2]]
}

#[wasm_bindgen_test]
async fn the_manual_path_turns_every_orientation_upright() {
    // 400×300, red top-left corner: where the corner lands tells the transform.
    let (c, ctx) = canvas(400, 300);
    ctx.set_fill_style_str("#fff");
    ctx.fill_rect(0.0, 0.0, 400.0, 300.0);
    ctx.set_fill_style_str("#f00");
    ctx.fill_rect(0.0, 0.0, 60.0, 60.0);
    let url = c
        .to_data_url_with_type_and_encoder_options("image/png", &1.0.into())
        .unwrap();
    let img = web_sys::HtmlImageElement::new().unwrap();
    let loaded = web_sys::js_sys::Promise::new(&mut |ok, _| img.set_onload(Some(&ok)));
    img.set_src(&url);
    wasm_bindgen_futures::JsFuture::from(loaded).await.unwrap();

    // Where the stored top-left corner must be once shown upright, for each orientation.
    let expect = [
        (1, 400, 300, "tl"),
        (2, 400, 300, "tr"),
        (3, 400, 300, "br"),
        (4, 400, 300, "bl"),
        (5, 300, 400, "tl"),
        (6, 300, 400, "tr"),
        (7, 300, 400, "br"),
        (8, 300, 400, "bl"),
    ];
    for (o, w, h, corner) in expect {
        let out = prepare::encode(&Source::Image(&img), o).await.unwrap();
        assert_eq!((out.width, out.height), (w, h), "orientation {o}");
        let (x, y) = match corner {
            "tl" => (10.0, 10.0),
            "tr" => (f64::from(w) - 10.0, 10.0),
            "br" => (f64::from(w) - 10.0, f64::from(h) - 10.0),
            _ => (10.0, f64::from(h) - 10.0),
        };
        let [r, g, b] = pixel(&out.jpeg, x, y).await;
        assert!(
            r > 200 && g < 60 && b < 60,
            "orientation {o}: {corner} is {r},{g},{b}, not red"
        );
    }
}

#[wasm_bindgen_test]
async fn refuses_what_is_not_a_photo() {
    let pdf = prepare::blob_of(b"%PDF-1.7\n", "application/pdf").unwrap();
    assert_eq!(
        prepare::prepare_file(&pdf).await.err(),
        Some(PrepareError::NotImage)
    );

    let huge = prepare::blob_of(&vec![0u8; 16 * 1024 * 1024], "image/jpeg").unwrap();
    assert_eq!(
        prepare::prepare_file(&huge).await.err(),
        Some(PrepareError::TooLarge)
    );

    let broken = prepare::blob_of(b"\xFF\xD8\xFF not really", "image/jpeg").unwrap();
    assert_eq!(
        prepare::prepare_file(&broken).await.err(),
        Some(PrepareError::Unreadable)
    );
    for e in [
        PrepareError::NotImage,
        PrepareError::TooLarge,
        PrepareError::Unreadable,
    ] {
        assert!(
            e.to_string()
                .chars()
                .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "{e}"
        );
    }
}

fn container() -> HtmlElement {
    let el: HtmlElement = document().create_element("div").unwrap().unchecked_into();
    document().body().unwrap().append_child(&el).unwrap();
    el
}

fn one(root: &HtmlElement, selector: &str) -> HtmlElement {
    root.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("no {selector}"))
        .unchecked_into()
}

async fn until(root: &HtmlElement, what: &str, ok: impl Fn(&HtmlElement) -> bool) {
    for _ in 0..200 {
        if ok(root) {
            return;
        }
        gloo_timers::future::TimeoutFuture::new(25).await;
    }
    panic!("timed out waiting for {what}: {}", root.inner_html());
}

#[wasm_bindgen_test]
async fn the_widget_prepares_a_chosen_photo_and_offers_a_retry_when_the_upload_fails() {
    let root = container();
    let got = RwSignal::new(0);
    let _h = mount_to(root.clone(), move || {
        view! {
            <PhotoCapture<serde_json::Value>
                // Nothing listens here: the upload fails as it would offline.
                upload_path="/no-server-in-component-tests"
                on_uploaded=move |_v: serde_json::Value| got.update(|n| *n += 1)
                title="拍摄营业执照"
                hint="请拍摄证照原件"
            />
        }
    });
    assert_eq!(
        one(&root, ".capture")
            .get_attribute("data-state")
            .as_deref(),
        Some("idle")
    );
    assert!(one(&root, ".capture__box")
        .text_content()
        .unwrap()
        .contains("拍摄营业执照"));
    // Desktop Chromium is not Android: no `capture`, so the album stays reachable on iOS too.
    assert!(!one(&root, "#capture-camera").has_attribute("capture"));
    assert_eq!(
        one(&root, "#capture-album")
            .get_attribute("accept")
            .as_deref(),
        Some("image/*")
    );

    let photo = phone_photo().await;
    let file = web_sys::File::new_with_u8_array_sequence_and_options(
        &web_sys::js_sys::Array::of1(&web_sys::js_sys::Uint8Array::from(photo.as_slice())),
        "IMG_0001.jpg",
        &{
            let o = web_sys::FilePropertyBag::new();
            o.set_type("image/jpeg");
            o
        },
    )
    .unwrap();
    let transfer = web_sys::DataTransfer::new().unwrap();
    transfer.items().add_with_file(&file).unwrap();
    let input: HtmlInputElement = one(&root, "#capture-album").unchecked_into();
    input.set_files(transfer.files().as_ref());
    input
        .dispatch_event(&web_sys::Event::new("change").unwrap())
        .unwrap();

    until(&root, "the failed upload", |r| {
        one(r, ".capture").get_attribute("data-state").as_deref() == Some("failed")
    })
    .await;
    let cap = one(&root, ".capture");
    let bytes: f64 = cap.get_attribute("data-bytes").unwrap().parse().unwrap();
    assert!(bytes < prepare::TARGET_BYTES, "sent {bytes} B");
    assert_eq!(cap.get_attribute("data-width").as_deref(), Some("2000"));
    assert_eq!(cap.get_attribute("data-height").as_deref(), Some("1500"));
    assert!(one(&root, ".capture__img")
        .get_attribute("src")
        .unwrap()
        .starts_with("blob:"));
    assert!(!one(&root, ".field-error")
        .text_content()
        .unwrap()
        .is_empty());
    let buttons: Vec<String> = (0..root
        .query_selector_all(".capture__actions button")
        .unwrap()
        .length())
        .map(|i| {
            root.query_selector_all(".capture__actions button")
                .unwrap()
                .item(i)
                .unwrap()
                .text_content()
                .unwrap()
        })
        .collect();
    assert!(buttons.iter().any(|b| b == "重新上传"), "{buttons:?}");
    assert!(buttons.iter().any(|b| b == "重拍"), "{buttons:?}");
    assert_eq!(got.get_untracked(), 0);
}
