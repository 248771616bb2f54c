//! The photo set: license photos written by `scripts/bench/license-photos.mjs` (HTML/CSS
//! rendered by Chromium, with phone-photo degradations), beside a `truth.json`. Scores every
//! field exactly, per field, per layout and per degradation, and times each photo.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use server::providers::ocr::{millis, BizLicense, LocalOcr};

/// Budgets of the photo set (a benchmark, not a test: reported, never asserted on time).
const MIN_FIELDS: f64 = 0.97;
const MIN_NAME: f64 = 0.95;
const MEDIAN_BUDGET: Duration = Duration::from_millis(1200);
const P95_BUDGET: Duration = Duration::from_millis(2000);

#[derive(Debug, serde::Deserialize)]
struct Photo {
    file: String,
    layout: String,
    degradation: String,
    width: u32,
    height: u32,
    fields: BTreeMap<String, String>,
}

/// The field of a recognition that a truth key names.
fn field<'a>(got: &'a BizLicense, key: &str) -> Option<&'a str> {
    match key {
        "reg_num" => got.reg_num.as_deref(),
        "name" => got.name.as_deref(),
        "kind" => got.kind.as_deref(),
        "person" => got.person.as_deref(),
        "address" => got.address.as_deref(),
        "set_date" => got.set_date.as_deref(),
        "composing_form" => got.composing_form.as_deref(),
        other => panic!("truth.json names an unknown field {other:?}"),
    }
}

/// Exact fields out of all, per group key.
#[derive(Default)]
struct Tally(BTreeMap<String, (usize, usize)>);

impl Tally {
    fn add(&mut self, key: &str, ok: bool) {
        let e = self.0.entry(key.to_owned()).or_default();
        e.0 += usize::from(ok);
        e.1 += 1;
    }

    fn rate(&self, key: &str) -> f64 {
        self.0
            .get(key)
            .map_or(0.0, |(ok, n)| *ok as f64 / *n as f64)
    }

    fn print(&self, title: &str) {
        println!("\n{title:<16} {:>9} {:>8}", "exact", "%");
        for (key, (ok, n)) in &self.0 {
            println!(
                "{key:<16} {:>9} {:>7.1}%",
                format!("{ok}/{n}"),
                100.0 * *ok as f64 / *n as f64
            );
        }
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    // Nearest rank.
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

/// Benches the photo set in `dir`; `true` when every budget is met.
pub fn run(ocr: &LocalOcr, dir: &Path, runs: usize, show_lines: bool) -> bool {
    let truth = std::fs::read(dir.join("truth.json")).expect("truth.json in the photo dir");
    let photos: Vec<Photo> = serde_json::from_slice(&truth).expect("truth.json is readable");
    println!(
        "\nphoto set: {} photos from {}",
        photos.len(),
        dir.display()
    );
    println!("{:<32} {:>10} {:>8}  fields", "photo", "size", "ms");

    let (mut by_field, mut by_layout, mut by_degradation) =
        (Tally::default(), Tally::default(), Tally::default());
    let mut all = Tally::default();
    let mut times_2000: Vec<Duration> = Vec::new();
    let mut times_other: Vec<Duration> = Vec::new();
    let mut second_scales = 0;
    if let Some(first) = photos.first() {
        // Warm-up (first-run allocations, page cache), not timed.
        let bytes = std::fs::read(dir.join(&first.file)).expect("photo named in truth.json");
        ocr.recognize_blocking(&bytes).expect("warm-up");
    }
    for photo in &photos {
        let bytes = std::fs::read(dir.join(&photo.file)).expect("photo named in truth.json");
        let mut results = Vec::new();
        for _ in 0..runs {
            results.push(ocr.recognize_blocking(&bytes).expect("recognize"));
        }
        let mut totals: Vec<Duration> = results.iter().map(|r| r.timings.total).collect();
        totals.sort();
        let time = totals[totals.len() / 2];
        if photo.width.max(photo.height) >= 2000 {
            times_2000.push(time);
        } else {
            times_other.push(time);
        }
        let got = &results[0].license;
        let mut misses = String::new();
        let mut ok_count = 0;
        for (key, expected) in &photo.fields {
            let read = field(got, key);
            let ok = read == Some(expected.as_str());
            ok_count += usize::from(ok);
            by_field.add(key, ok);
            by_layout.add(&photo.layout, ok);
            by_degradation.add(&photo.degradation, ok);
            all.add("all", ok);
            if !ok {
                misses.push_str(&format!(
                    "    MISS {key:<14} expected {expected:?}\n{:24}got {:?}\n",
                    "",
                    read.unwrap_or("-")
                ));
            }
        }
        let second = results[0].timings.second_scale;
        second_scales += usize::from(second);
        println!(
            "{:<32} {:>10} {:>8.0}  {ok_count}/{}{}",
            photo.file,
            format!("{}x{}", photo.width, photo.height),
            millis(time),
            photo.fields.len(),
            if second { "  (second scale)" } else { "" }
        );
        print!("{misses}");
        if show_lines && !misses.is_empty() {
            for l in &results[0].lines {
                let q = l.quad;
                println!(
                    "      ({:5.0},{:5.0})-({:5.0},{:5.0}) {:.2} {}",
                    q[0].x, q[0].y, q[2].x, q[2].y, l.score, l.text
                );
            }
        }
    }
    by_field.print("field");
    by_layout.print("layout");
    by_degradation.print("degradation");
    all.print("all fields");

    println!(
        "\nsecond detection scale: {second_scales} of {} photos",
        photos.len()
    );
    times_2000.sort();
    times_other.sort();
    let (median, p95) = (percentile(&times_2000, 0.5), percentile(&times_2000, 0.95));
    println!(
        "\ntime per 2000 px photo ({}): median {:.0} ms, p95 {:.0} ms",
        times_2000.len(),
        millis(median),
        millis(p95)
    );
    if !times_other.is_empty() {
        println!(
            "time per smaller photo ({}): median {:.0} ms, p95 {:.0} ms",
            times_other.len(),
            millis(percentile(&times_other, 0.5)),
            millis(percentile(&times_other, 0.95))
        );
    }

    let checks = [
        ("fields exact ≥ 97 %", all.rate("all") >= MIN_FIELDS),
        ("统一社会信用代码 100 %", by_field.rate("reg_num") >= 1.0),
        ("name ≥ 95 %", by_field.rate("name") >= MIN_NAME),
        ("median ≤ 1.2 s", median <= MEDIAN_BUDGET),
        ("p95 ≤ 2 s", p95 <= P95_BUDGET),
    ];
    for (what, met) in &checks {
        println!("budget {what}: {}", if *met { "met" } else { "MISSED" });
    }
    checks.iter().all(|(_, met)| *met)
}
