//! OCR bench. The old set: generates the demo license images (clean, rotated + noisy,
//! perspective; long side 2000 px), loads the local engine once, warms it up, then reports per
//! image the median recognition time (detection / recognition split) and the fields read
//! right. The photo set (`--photos DIR`, see [`photos`]): another generator's phone photos.
//!
//! ```text
//! cargo run --release -p server --example ocr_bench -- [models dir] [--runs N] [--all] [--save DIR] [--lines]
//!     [--photos DIR] [--photos-only] [--det-side PX] [--rec-min-width PX] [--rec-batch N] [--threads N]
//! ```
//! Models dir default: `<repo>/models/ocr` (install: `scripts/ocr-models.sh`). `--all`
//! benches every demo license (default: one enterprise in every variant and one of each
//! other kind); `--save` writes the images; `--lines` prints the recognized lines.
//! Exits 1 if an old-set image takes more than 3 s or gets fewer than 7/8 fields, or the photo
//! set misses one of its budgets.

#[path = "../../tests/support/license_image.rs"]
mod license_image;
mod photos;

use std::path::PathBuf;
use std::time::Duration;

use license_image::{demo_licenses, report, score, Fonts, Layout, Variant};
use server::providers::ocr::{millis, EngineOptions, LocalOcr, Timings};

const BUDGET: Duration = Duration::from_secs(3);
const MIN_CORRECT: usize = 7;

fn num<T: std::str::FromStr>(v: Option<String>) -> T {
    v.and_then(|v| v.parse().ok())
        .expect("a number after the flag")
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let mut dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../models/ocr");
    let mut runs = 5usize;
    let mut all = false;
    let mut save: Option<PathBuf> = None;
    let mut show_lines = false;
    let mut photo_dir: Option<PathBuf> = None;
    let mut photos_only = false;
    let mut options = EngineOptions::default();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--runs" => runs = args.next().and_then(|v| v.parse().ok()).expect("--runs N"),
            "--all" => all = true,
            "--lines" => show_lines = true,
            "--photos" => photo_dir = Some(args.next().expect("--photos DIR").into()),
            "--photos-only" => photos_only = true,
            "--det-side" => options.det_max_side = num(args.next()),
            "--rec-min-width" => options.rec_min_width = num(args.next()),
            "--rec-batch" => options.rec_batch = num(args.next()),
            "--threads" => options.threads = num(args.next()),
            "--save" => save = Some(args.next().expect("--save DIR").into()),
            other => dir = PathBuf::from(other),
        }
    }
    let runs = runs.max(1);

    let fonts = Fonts::load();
    let t = std::time::Instant::now();
    let ocr = match LocalOcr::load_with(&dir, options) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("ocr_bench: {e}");
            std::process::exit(2);
        }
    };
    println!(
        "engine loaded from {} in {:.0} ms",
        dir.display(),
        millis(t.elapsed())
    );

    let mut failed = false;
    if !photos_only {
        failed |= !old_set(&ocr, &fonts, all, runs, save.as_deref(), show_lines);
    }
    if let Some(dir) = &photo_dir {
        failed |= !photos::run(&ocr, dir, runs, show_lines);
    }
    if failed {
        eprintln!("ocr_bench: budget missed (see above)");
        std::process::exit(1);
    }
}

/// The old set, generated here; `true` when every image is within ≤ 3 s and ≥ 7/8 fields.
fn old_set(
    ocr: &LocalOcr,
    fonts: &Fonts,
    all: bool,
    runs: usize,
    save: Option<&std::path::Path>,
    show_lines: bool,
) -> bool {
    let mut cases = Vec::new();
    for spec in demo_licenses() {
        for variant in Variant::ALL {
            let keep = all
                || match spec.layout {
                    Layout::Enterprise => spec.name.starts_with("星河"),
                    Layout::Individual => variant == Variant::RotatedNoisy,
                    Layout::Institution => variant == Variant::Perspective,
                };
            if keep {
                cases.push((spec.clone(), variant));
            }
        }
    }

    // Warm-up on the first image (first-run allocations, page cache).
    let first = license_image::render(&cases[0].0, cases[0].1, fonts);
    ocr.recognize_blocking(&first).expect("warm-up");

    let mut failed = false;
    println!(
        "{:<34} {:<14} {:>9} {:>9} {:>9} {:>9} {:>6}  fields",
        "license", "variant", "total ms", "det ms", "rec ms", "other ms", "boxes"
    );
    for (spec, variant) in &cases {
        let img = license_image::render_image(spec, *variant, fonts);
        let bytes = license_image::encode(&img, *variant);
        if let Some(d) = save {
            std::fs::create_dir_all(d).expect("save dir");
            let ext = if *variant == Variant::Clean {
                "png"
            } else {
                "jpg"
            };
            let file = d.join(format!(
                "{}-{}.{ext}",
                spec.reg_num,
                variant.name().replace('+', "-")
            ));
            std::fs::write(&file, &bytes).expect("save image");
        }
        let mut results = Vec::new();
        for _ in 0..runs {
            results.push(ocr.recognize_blocking(&bytes).expect("recognize"));
        }
        let timings: Vec<&Timings> = results.iter().map(|r| &r.timings).collect();
        let total = median(timings.iter().map(|t| t.total).collect());
        let det = median(timings.iter().map(|t| t.detect).collect());
        let rec = median(timings.iter().map(|t| t.recognize).collect());
        let other = median(timings.iter().map(|t| t.decode + t.parse).collect());
        let scores = score(spec, &results[0].license);
        let correct = scores.iter().filter(|s| s.ok).count();
        println!(
            "{:<30} {:<14} {:>9.0} {:>9.0} {:>9.0} {:>9.0} {:>6}  {correct}/8  ({}x{}, det input {}x{})",
            spec.name,
            variant.name(),
            millis(total),
            millis(det),
            millis(rec),
            millis(other),
            timings[0].boxes,
            img.width(),
            img.height(),
            timings[0].det_size.0,
            timings[0].det_size.1,
        );
        if correct < 8 {
            print!("{}", report(&scores));
        }
        if show_lines {
            for l in &results[0].lines {
                let q = l.quad;
                println!(
                    "    ({:5.0},{:5.0})-({:5.0},{:5.0}) {:.2} {}",
                    q[0].x, q[0].y, q[2].x, q[2].y, l.score, l.text
                );
            }
        }
        if total > BUDGET || correct < MIN_CORRECT {
            failed = true;
        }
    }
    !failed
}
