//! The ONNX Runtime side: library and sessions loaded once, detection and batched
//! recognition. Everything here blocks; [`super::LocalOcr`] runs it on the blocking pool.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use image::RgbImage;
use ort::environment::Environment;
use ort::session::builder::GraphOptimizationLevel;
use ort::session::Session;
use ort::value::TensorRef;

use super::ctc::{self, Charset};
use super::db::{self, DbParams};
use super::fields::{self, TextLine};
use super::imageops::{self, REC_HEIGHT, REC_MIN_WIDTH};
use super::{BizLicense, LocalOcr, OcrError};

/// The fixed cost of one recognition run, in padded input columns (≈ 10 ms here).
const REC_RUN_OVERHEAD_COLUMNS: u32 = 160;

/// Tuning of the local engine.
#[derive(Debug, Clone)]
pub struct EngineOptions {
    /// ONNX Runtime intra-op threads per session; 0 = all cores.
    pub threads: usize,
    /// Photos are first brought down to this longer side (RapidOCR's `max_side_len`); crops
    /// for recognition come from this image.
    pub max_side: u32,
    /// Longer side of the detection input (rounded to multiples of 32). Detection cost
    /// grows with its square; license text stays well detectable at 1024.
    pub det_max_side: u32,
    /// Most crops per recognition run (crops are sorted by width and split into batches
    /// that minimise padding, see [`imageops::plan_batches`]).
    pub rec_batch: usize,
    /// Narrowest padded recognition input. PaddleOCR pads to 320; the models read short
    /// crops as well without it, and padding costs time linearly.
    pub rec_min_width: u32,
    /// Widest recognition input.
    pub rec_max_width: u32,
    /// Lines read with a lower mean confidence are dropped (RapidOCR's `text_score`).
    pub min_text_score: f32,
    pub db: DbParams,
}

impl Default for EngineOptions {
    fn default() -> Self {
        Self {
            threads: 0,
            max_side: 2000,
            det_max_side: 1024,
            rec_batch: 16,
            rec_min_width: REC_MIN_WIDTH,
            rec_max_width: 3200,
            min_text_score: 0.5,
            db: DbParams::default(),
        }
    }
}

/// Where the time went in one recognition.
#[derive(Debug, Clone, Default)]
pub struct Timings {
    pub decode: Duration,
    /// Detection: resize, model, DB postprocess.
    pub detect: Duration,
    /// Recognition: crops, batched model runs, CTC decode.
    pub recognize: Duration,
    /// Field parsing.
    pub parse: Duration,
    pub total: Duration,
    /// Text boxes found by the detection pass whose result was kept.
    pub boxes: usize,
    /// Detection input size (w, h) of the pass whose result was kept.
    pub det_size: (u32, u32),
    /// Detection ran a second time, on a finer scale (see `needs_second_scale`).
    pub second_scale: bool,
}

/// A license was read (its code or its title) but not its name: the name's line was lost at
/// the first detection scale, or merged with its neighbours.
pub fn needs_second_scale(first: &BizLicense) -> bool {
    first.name.is_none() && (first.reg_num.is_some() || first.title.is_some())
}

/// One detection scale's reading.
struct Pass {
    license: BizLicense,
    lines: Vec<TextLine>,
    boxes: usize,
    det_size: (u32, u32),
}

/// A recognition with its intermediate results.
#[derive(Debug, Clone)]
pub struct Recognition {
    pub license: BizLicense,
    /// Recognized lines in working-image coordinates (see [`EngineOptions::max_side`]).
    pub lines: Vec<TextLine>,
    pub timings: Timings,
}

pub(super) struct Engine {
    dir: PathBuf,
    det: Mutex<Session>,
    rec: Mutex<Session>,
    charset: Charset,
    options: EngineOptions,
}

/// ONNX Runtime allows one environment per process; it must outlive every session.
static ENVIRONMENT: Mutex<Option<Environment>> = Mutex::new(None);

fn environment(library: &Path) -> Result<Environment, OcrError> {
    let mut env = lock(&ENVIRONMENT);
    if let Some(e) = env.as_ref() {
        return Ok(e.clone());
    }
    let load_err = |message: String| OcrError::EngineLoad {
        path: library.to_path_buf(),
        message,
    };
    let built = ort::init_from(library)
        .map_err(|e| load_err(e.to_string()))?
        .with_name("license-ocr")
        .with_telemetry(false)
        .build()
        .map_err(|e| load_err(e.to_string()))?;
    *env = Some(built.clone());
    Ok(built)
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock leaves nothing half-written that we rely on.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn session(env: &Environment, model: &Path, threads: usize) -> Result<Session, OcrError> {
    fn err<R>(model: &Path) -> impl Fn(ort::Error<R>) -> OcrError + '_ {
        move |e| OcrError::EngineLoad {
            path: model.to_path_buf(),
            message: e.to_string(),
        }
    }
    Session::builder(env)
        .map_err(err(model))?
        .with_optimization_level(GraphOptimizationLevel::All)
        .map_err(err(model))?
        .with_intra_threads(threads)
        .map_err(err(model))?
        .with_inter_threads(1)
        .map_err(err(model))?
        .commit_from_file(model)
        .map_err(err(model))
}

fn inference(e: ort::Error) -> OcrError {
    OcrError::Inference(e.to_string())
}

impl Engine {
    pub(super) fn load(dir: &Path, options: EngineOptions) -> Result<Self, OcrError> {
        let library = dir.join(LocalOcr::ORT_LIBRARY);
        let det_path = dir.join(LocalOcr::DET_MODEL);
        let rec_path = dir.join(LocalOcr::REC_MODEL);
        for path in [&library, &det_path, &rec_path] {
            if !path.is_file() {
                return Err(OcrError::EngineMissing { path: path.clone() });
            }
        }
        // ort resolves relative library paths against the executable's dir: be explicit.
        let library = std::path::absolute(&library).unwrap_or(library);
        let env = environment(&library)?;
        let threads = if options.threads == 0 {
            std::thread::available_parallelism().map_or(1, |n| n.get())
        } else {
            options.threads
        };
        let det = session(&env, &det_path, threads)?;
        let rec = session(&env, &rec_path, threads)?;
        let character = rec
            .metadata()
            .ok()
            .and_then(|m| m.custom("character"))
            .ok_or_else(|| OcrError::EngineLoad {
                path: rec_path.clone(),
                message: "no `character` dictionary in the model metadata".to_owned(),
            })?;
        let charset = Charset::from_metadata(&character);
        if charset.is_empty() {
            return Err(OcrError::EngineLoad {
                path: rec_path,
                message: "empty `character` dictionary".to_owned(),
            });
        }
        let engine = Self {
            dir: dir.to_path_buf(),
            det: Mutex::new(det),
            rec: Mutex::new(rec),
            charset,
            options,
        };
        engine.warm_up()?;
        Ok(engine)
    }

    pub(super) fn dir(&self) -> &Path {
        &self.dir
    }

    /// One tiny run of each model, so that the first request does not pay for lazy
    /// initialisation (and a broken model fails at load, not at the first upload).
    fn warm_up(&self) -> Result<(), OcrError> {
        let img = RgbImage::from_pixel(64, 64, image::Rgb([255, 255, 255]));
        self.detect(&img, self.options.det_max_side)?;
        let crop = RgbImage::from_pixel(96, REC_HEIGHT, image::Rgb([255, 255, 255]));
        self.rec_batch(&[&crop])?;
        Ok(())
    }

    pub(super) fn recognize(&self, bytes: &[u8]) -> Result<Recognition, OcrError> {
        let t0 = Instant::now();
        let img = imageops::decode(bytes).map_err(OcrError::Image)?;
        let (w, h) = img.dimensions();
        if w < 32 || h < 32 {
            return Err(OcrError::ImageTooSmall {
                width: w,
                height: h,
            });
        }
        let img = imageops::limit_side(img, self.options.max_side);
        let mut timings = Timings {
            decode: t0.elapsed(),
            ..Timings::default()
        };
        let first = self.pass(&img, self.options.det_max_side, &mut timings)?;
        let kept = if needs_second_scale(&first.license) {
            // Small or blurred text the first scale merged or missed: detection on a finer
            // scale, kept only if it reads the name.
            let second = self.pass(&img, self.options.det_max_side * 3 / 2, &mut timings)?;
            timings.second_scale = true;
            if second.license.name.is_some() {
                second
            } else {
                first
            }
        } else {
            first
        };
        timings.boxes = kept.boxes;
        timings.det_size = kept.det_size;
        timings.total = t0.elapsed();
        Ok(Recognition {
            license: kept.license,
            lines: kept.lines,
            timings,
        })
    }

    /// Detection at `det_side`, recognition, fields; adds its times to `timings`.
    fn pass(&self, img: &RgbImage, det_side: u32, timings: &mut Timings) -> Result<Pass, OcrError> {
        let t1 = Instant::now();
        let (boxes, det_size) = self.detect(img, det_side)?;
        let t2 = Instant::now();
        let lines = self.read_lines(img, &boxes)?;
        let t3 = Instant::now();
        let license = fields::parse(&lines);
        timings.detect += t2 - t1;
        timings.recognize += t3 - t2;
        timings.parse += t3.elapsed();
        Ok(Pass {
            license,
            lines,
            boxes: boxes.len(),
            det_size,
        })
    }

    fn detect(
        &self,
        img: &RgbImage,
        det_side: u32,
    ) -> Result<(Vec<db::DetBox>, (u32, u32)), OcrError> {
        let (data, w, h) = imageops::det_input(img, det_side);
        let input = TensorRef::from_array_view(([1usize, 3, h as usize, w as usize], &data[..]))
            .map_err(inference)?;
        let mut det = lock(&self.det);
        let outputs = det.run(ort::inputs![input]).map_err(inference)?;
        let (shape, prob) = outputs[0].try_extract_tensor::<f32>().map_err(inference)?;
        let dims: Vec<i64> = shape.iter().copied().collect();
        let (mh, mw) = match dims.as_slice() {
            [1, 1, mh, mw] => (*mh as usize, *mw as usize),
            other => {
                return Err(OcrError::Inference(format!(
                    "unexpected detection output shape {other:?}"
                )))
            }
        };
        let boxes = db::boxes_from_prob(prob, mw, mh, img.width(), img.height(), &self.options.db);
        Ok((boxes, (w, h)))
    }

    fn read_lines(&self, img: &RgbImage, boxes: &[db::DetBox]) -> Result<Vec<TextLine>, OcrError> {
        let mut crops: Vec<(usize, RgbImage)> = Vec::with_capacity(boxes.len());
        for (i, b) in boxes.iter().enumerate() {
            if let Some(c) = imageops::crop_quad(img, &b.quad) {
                crops.push((i, imageops::rec_resize(&c, self.options.rec_max_width)));
            }
        }
        // Narrow to wide, then batches of similar widths: each is padded to its widest crop.
        crops.sort_by_key(|(_, c)| c.width());
        let widths: Vec<u32> = crops.iter().map(|(_, c)| c.width()).collect();
        let plan = imageops::plan_batches(
            &widths,
            self.options.rec_min_width,
            self.options.rec_batch,
            REC_RUN_OVERHEAD_COLUMNS,
        );
        let mut lines = Vec::with_capacity(crops.len());
        for range in plan {
            let batch = &crops[range];
            let imgs: Vec<&RgbImage> = batch.iter().map(|(_, c)| c).collect();
            let decoded = self.rec_batch(&imgs)?;
            for ((i, _), (d, padded_w, resized_w)) in batch.iter().zip(decoded) {
                if d.score < self.options.min_text_score || d.text.trim().is_empty() {
                    continue;
                }
                // Step positions are fractions of the padded input; make them fractions of
                // the text box.
                let scale = padded_w as f32 / resized_w as f32;
                lines.push(TextLine {
                    quad: boxes[*i].quad,
                    positions: d.positions.iter().map(|p| (p * scale).min(1.0)).collect(),
                    text: d.text,
                    score: d.score,
                });
            }
        }
        Ok(lines)
    }

    /// Recognizes crops already resized to height 48; returns each decoded line with the
    /// padded and actual widths.
    fn rec_batch(&self, crops: &[&RgbImage]) -> Result<Vec<(ctc::Decoded, u32, u32)>, OcrError> {
        let padded_w = crops
            .iter()
            .map(|c| c.width())
            .max()
            .unwrap_or(0)
            .max(self.options.rec_min_width)
            .max(8);
        let slot = 3 * REC_HEIGHT as usize * padded_w as usize;
        let mut data = vec![0f32; slot * crops.len()];
        for (c, chunk) in crops.iter().zip(data.chunks_mut(slot)) {
            imageops::write_rec_input(c, chunk, padded_w as usize);
        }
        let shape = [crops.len(), 3, REC_HEIGHT as usize, padded_w as usize];
        let input = TensorRef::from_array_view((shape, &data[..])).map_err(inference)?;
        let mut rec = lock(&self.rec);
        let outputs = rec.run(ort::inputs![input]).map_err(inference)?;
        let (shape, probs) = outputs[0].try_extract_tensor::<f32>().map_err(inference)?;
        let dims: Vec<i64> = shape.iter().copied().collect();
        let (n, steps, classes) = match dims.as_slice() {
            [n, t, c] if *n as usize == crops.len() => (*n as usize, *t as usize, *c as usize),
            other => {
                return Err(OcrError::Inference(format!(
                    "unexpected recognition output shape {other:?}"
                )))
            }
        };
        if classes != self.charset.len() {
            return Err(OcrError::Inference(format!(
                "recognition model has {classes} classes, dictionary {}",
                self.charset.len()
            )));
        }
        let per = steps * classes;
        Ok((0..n)
            .map(|i| {
                let d = ctc::decode(
                    &probs[i * per..(i + 1) * per],
                    steps,
                    classes,
                    &self.charset,
                );
                (d, padded_w, crops[i].width())
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_scale_only_when_a_license_was_read_without_its_name() {
        let license = |name: Option<&str>, code: Option<&str>, title: Option<&str>| BizLicense {
            name: name.map(str::to_owned),
            reg_num: code.map(str::to_owned),
            title: title.map(str::to_owned),
            ..BizLicense::default()
        };
        assert!(needs_second_scale(&license(
            None,
            Some("91330106MA2KX7Q890"),
            None
        )));
        assert!(needs_second_scale(&license(None, None, Some("营业执照"))));
        assert!(!needs_second_scale(&license(
            Some("星河云图科技有限公司"),
            Some("91330106MA2KX7Q890"),
            None
        )));
        // Not a license at all: a finer scale would not make it one.
        assert!(!needs_second_scale(&license(None, None, None)));
    }
}
