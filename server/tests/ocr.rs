//! The local business-license OCR engine on license images this project generates
//! (Noto CJK fonts from `fonts-noto-cjk`): clean, rotated + noisy, perspective.
//!
//! Needs the models: `scripts/ocr-models.sh` (the test fails, not skips, without them).
//! Models dir: `$OCR_MODELS_DIR`, default `<repo>/models/ocr`.

#[path = "support/license_image.rs"]
mod license_image;

use std::path::PathBuf;
use std::sync::OnceLock;

use license_image::{demo_licenses, report, score, Fonts, Layout, LicenseSpec, Variant};
use server::providers::ocr::{LicenseOcr, LocalOcr, OcrError};

/// At least this many of the eight fields must be right on every image.
const MIN_CORRECT: usize = 7;

fn models_dir() -> PathBuf {
    std::env::var_os("OCR_MODELS_DIR").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../models/ocr"),
        PathBuf::from,
    )
}

/// The engine, loaded once for all tests of this file.
fn engine() -> &'static LocalOcr {
    static ENGINE: OnceLock<LocalOcr> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let dir = models_dir();
        LocalOcr::load(&dir).unwrap_or_else(|e| {
            panic!(
                "the OCR engine is not installed in {}: {e}\n\
                 install it with: scripts/ocr-models.sh",
                dir.display()
            )
        })
    })
}

fn fonts() -> &'static Fonts {
    static FONTS: OnceLock<Fonts> = OnceLock::new();
    FONTS.get_or_init(Fonts::load)
}

fn spec(name: &str) -> LicenseSpec {
    demo_licenses()
        .into_iter()
        .find(|s| s.name == name)
        .expect("demo license")
}

/// Recognizes one generated image through the async trait and checks ≥ 7/8 fields.
async fn check(spec: &LicenseSpec, variant: Variant) {
    let bytes = license_image::render(spec, variant, fonts());
    let ocr = engine().clone();
    let started = std::time::Instant::now();
    let got = ocr.recognize(bytes).await.expect("recognize");
    let scores = score(spec, &got);
    let correct = scores.iter().filter(|s| s.ok).count();
    println!(
        "{} / {}: {correct}/8 fields in {:.2?}\n{}",
        spec.name,
        variant.name(),
        started.elapsed(),
        report(&scores)
    );
    assert!(
        correct >= MIN_CORRECT,
        "{} / {}: only {correct}/8 fields right\n{}",
        spec.name,
        variant.name(),
        report(&scores)
    );
}

#[tokio::test]
async fn enterprise_clean() {
    check(&spec("星河云图科技有限公司"), Variant::Clean).await;
}

#[tokio::test]
async fn enterprise_rotated_and_noisy() {
    check(&spec("星河云图科技有限公司"), Variant::RotatedNoisy).await;
}

#[tokio::test]
async fn enterprise_perspective() {
    check(&spec("星河云图科技有限公司"), Variant::Perspective).await;
}

#[tokio::test]
async fn second_enterprise_perspective() {
    check(&spec("蓝海文化传媒有限公司"), Variant::Perspective).await;
}

#[tokio::test]
async fn individual_business_rotated_and_noisy() {
    let s = spec("南山小满餐饮店（个体工商户）");
    assert_eq!(s.layout, Layout::Individual);
    check(&s, Variant::RotatedNoisy).await;
}

#[tokio::test]
async fn institution_clean() {
    let s = spec("青禾市数据资源局");
    assert_eq!(s.layout, Layout::Institution);
    check(&s, Variant::Clean).await;
}

#[tokio::test]
async fn undecodable_upload_is_an_image_error() {
    let err = engine()
        .recognize(b"not an image".to_vec())
        .await
        .expect_err("garbage must fail");
    assert!(matches!(err, OcrError::Image(_)), "{err:?}");
}

#[test]
fn missing_engine_says_which_file_and_how_to_install() {
    let dir = std::env::temp_dir().join("no-ocr-models-here");
    let err = LocalOcr::load(&dir).expect_err("no models there");
    assert!(matches!(err, OcrError::EngineMissing { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains("no-ocr-models-here"), "{msg}");
    assert!(msg.contains("scripts/ocr-models.sh"), "{msg}");
}
