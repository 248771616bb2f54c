//! Image preprocessing for the PaddleOCR models, following RapidOCR: decode (with EXIF
//! orientation), bound the working size, detection input (multiple of 32, BGR, mean/std 0.5,
//! CHW), perspective crops of the detected boxes, recognition input (height 48, width padded).

use image::imageops::FilterType;
use image::{DynamicImage, RgbImage};

use super::db::{Point, Quad};

/// Decodes a JPEG/PNG under the upload limits and applies its EXIF orientation (phone
/// photos).
pub fn decode(bytes: &[u8]) -> Result<RgbImage, String> {
    crate::imaging::decode_oriented(bytes).map(DynamicImage::into_rgb8)
}

/// Downscales so that the longer side is at most `max_side` (never upscales).
pub fn limit_side(img: RgbImage, max_side: u32) -> RgbImage {
    let (w, h) = img.dimensions();
    let long = w.max(h);
    if long <= max_side {
        return img;
    }
    let r = max_side as f32 / long as f32;
    let nw = ((w as f32 * r).round() as u32).max(1);
    let nh = ((h as f32 * r).round() as u32).max(1);
    image::imageops::resize(&img, nw, nh, FilterType::Triangle)
}

/// Detection input size for a `w`×`h` image: the longer side brought to at most
/// `max_side`, then each side rounded to a multiple of 32 (at least 32).
pub fn det_size(w: u32, h: u32, max_side: u32) -> (u32, u32) {
    let long = w.max(h) as f32;
    let r = if long > max_side as f32 {
        max_side as f32 / long
    } else {
        1.0
    };
    let round32 = |v: f32| (((v / 32.0).round() as u32) * 32).max(32);
    (round32(w as f32 * r), round32(h as f32 * r))
}

/// The detection tensor (`1×3×h×w`, BGR, `(v/255 − 0.5)/0.5`) and its width and height.
pub fn det_input(img: &RgbImage, max_side: u32) -> (Vec<f32>, u32, u32) {
    let (w, h) = det_size(img.width(), img.height(), max_side);
    let resized;
    let src = if (w, h) == img.dimensions() {
        img
    } else {
        resized = image::imageops::resize(img, w, h, FilterType::Triangle);
        &resized
    };
    let plane = (w * h) as usize;
    let mut data = vec![0f32; 3 * plane];
    write_chw_bgr(src, &mut data, w as usize, plane);
    (data, w, h)
}

/// Writes `img` normalised to `[-1, 1]`, BGR planes, into `out` whose rows are `stride`
/// wide and planes `plane` long (zeros elsewhere are the padding).
fn write_chw_bgr(img: &RgbImage, out: &mut [f32], stride: usize, plane: usize) {
    let (w, h) = (img.width() as usize, img.height() as usize);
    let raw = img.as_raw();
    for y in 0..h {
        for x in 0..w {
            let i = (y * w + x) * 3;
            let o = y * stride + x;
            // BGR: the models were trained on OpenCV images.
            out[o] = raw[i + 2] as f32 / 127.5 - 1.0;
            out[plane + o] = raw[i + 1] as f32 / 127.5 - 1.0;
            out[2 * plane + o] = raw[i] as f32 / 127.5 - 1.0;
        }
    }
}

/// Solves the 3×3 homography `H` with `H·src[i] ~ dst[i]` (`cv2.getPerspectiveTransform`).
pub fn perspective_transform(src: &[Point; 4], dst: &[Point; 4]) -> Option<[f64; 9]> {
    let mut a = [[0f64; 9]; 8];
    for i in 0..4 {
        let (x, y) = (f64::from(src[i].x), f64::from(src[i].y));
        let (u, v) = (f64::from(dst[i].x), f64::from(dst[i].y));
        a[2 * i] = [x, y, 1.0, 0.0, 0.0, 0.0, -u * x, -u * y, u];
        a[2 * i + 1] = [0.0, 0.0, 0.0, x, y, 1.0, -v * x, -v * y, v];
    }
    // Gaussian elimination with partial pivoting on the 8×8 system.
    for col in 0..8 {
        let pivot = (col..8).max_by(|&r, &s| a[r][col].abs().total_cmp(&a[s][col].abs()))?;
        if a[pivot][col].abs() < 1e-12 {
            return None;
        }
        a.swap(col, pivot);
        for r in 0..8 {
            if r != col {
                let f = a[r][col] / a[col][col];
                if f != 0.0 {
                    for c in col..9 {
                        a[r][c] -= f * a[col][c];
                    }
                }
            }
        }
    }
    let mut h = [0f64; 9];
    for (i, row) in a.iter().enumerate() {
        h[i] = row[8] / row[i];
    }
    h[8] = 1.0;
    Some(h)
}

/// Applies a homography.
pub fn apply(h: &[f64; 9], x: f64, y: f64) -> (f64, f64) {
    let d = h[6] * x + h[7] * y + h[8];
    (
        (h[0] * x + h[1] * y + h[2]) / d,
        (h[3] * x + h[4] * y + h[5]) / d,
    )
}

/// Bilinear sample with replicated borders.
fn sample(img: &RgbImage, x: f64, y: f64) -> [u8; 3] {
    let (w, h) = (img.width() as i64, img.height() as i64);
    let x = x.clamp(0.0, (w - 1) as f64);
    let y = y.clamp(0.0, (h - 1) as f64);
    let (x0, y0) = (x.floor() as i64, y.floor() as i64);
    let (x1, y1) = ((x0 + 1).min(w - 1), (y0 + 1).min(h - 1));
    let (fx, fy) = (x - x0 as f64, y - y0 as f64);
    let raw = img.as_raw();
    let px = |xx: i64, yy: i64| ((yy * w + xx) * 3) as usize;
    let (a, b, c, d) = (px(x0, y0), px(x1, y0), px(x0, y1), px(x1, y1));
    let mut out = [0u8; 3];
    for (k, o) in out.iter_mut().enumerate() {
        let top = f64::from(raw[a + k]) * (1.0 - fx) + f64::from(raw[b + k]) * fx;
        let bot = f64::from(raw[c + k]) * (1.0 - fx) + f64::from(raw[d + k]) * fx;
        *o = (top * (1.0 - fy) + bot * fy).round().clamp(0.0, 255.0) as u8;
    }
    out
}

/// RapidOCR's `get_rotate_crop_image`: the quad warped to an upright rectangle of its own
/// size (longest opposite sides), turned 90° counter-clockwise when it is tall (h/w ≥ 1.5).
pub fn crop_quad(img: &RgbImage, quad: &Quad) -> Option<RgbImage> {
    let cw = quad[0].dist(quad[1]).max(quad[2].dist(quad[3])) as u32;
    let ch = quad[0].dist(quad[3]).max(quad[1].dist(quad[2])) as u32;
    if cw == 0 || ch == 0 {
        return None;
    }
    let rect = [
        Point::new(0.0, 0.0),
        Point::new(cw as f32, 0.0),
        Point::new(cw as f32, ch as f32),
        Point::new(0.0, ch as f32),
    ];
    // Maps crop pixels back into the image.
    let h = perspective_transform(&rect, quad)?;
    let mut out = RgbImage::new(cw, ch);
    for y in 0..ch {
        for x in 0..cw {
            let (sx, sy) = apply(&h, f64::from(x), f64::from(y));
            out.put_pixel(x, y, image::Rgb(sample(img, sx, sy)));
        }
    }
    if ch as f32 / cw as f32 >= 1.5 {
        out = image::imageops::rotate270(&out);
    }
    Some(out)
}

/// Recognition height of PP-OCR models.
pub const REC_HEIGHT: u32 = 48;
/// Narrowest recognition input (PaddleOCR's 3×48×320).
pub const REC_MIN_WIDTH: u32 = 320;

/// Resizes a crop to height 48 keeping its aspect ratio (width at most `max_width`).
pub fn rec_resize(crop: &RgbImage, max_width: u32) -> RgbImage {
    let (w, h) = crop.dimensions();
    let nw = ((REC_HEIGHT as f32 * w as f32 / h as f32).ceil() as u32).clamp(1, max_width);
    image::imageops::resize(crop, nw, REC_HEIGHT, FilterType::Triangle)
}

/// Fills one `3×48×padded_w` slot of a recognition batch (padding stays 0).
pub fn write_rec_input(resized: &RgbImage, slot: &mut [f32], padded_w: usize) {
    let plane = padded_w * REC_HEIGHT as usize;
    assert_eq!(slot.len(), 3 * plane, "rec slot size");
    assert!(resized.width() as usize <= padded_w);
    write_chw_bgr(resized, slot, padded_w, plane);
}

/// Splits crops sorted by width (ascending) into consecutive batches, each padded to its
/// widest crop (at least `min_width`), minimising the padded columns processed plus
/// `overhead` columns per model run, with at most `max_batch` crops per batch.
pub fn plan_batches(
    sorted_widths: &[u32],
    min_width: u32,
    max_batch: usize,
    overhead: u32,
) -> Vec<std::ops::Range<usize>> {
    let n = sorted_widths.len();
    let max_batch = max_batch.max(1);
    let mut best = vec![u64::MAX; n + 1];
    let mut from = vec![0usize; n + 1];
    best[0] = 0;
    for j in 1..=n {
        let widest = u64::from(sorted_widths[j - 1].max(min_width));
        for i in j.saturating_sub(max_batch)..j {
            let cost = best[i] + (j - i) as u64 * widest + u64::from(overhead);
            if cost < best[j] {
                best[j] = cost;
                from[j] = i;
            }
        }
    }
    let mut out = Vec::new();
    let mut j = n;
    while j > 0 {
        out.push(from[j]..j);
        j = from[j];
    }
    out.reverse();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_group_similar_widths() {
        let w = [50, 52, 55, 60, 400, 410, 420, 900, 910];
        let plan = plan_batches(&w, 0, 8, 100);
        assert_eq!(plan, vec![0..4, 4..7, 7..9]);
        // Everything covered, in order, within the batch limit.
        let plan = plan_batches(&w, 0, 2, 0);
        assert_eq!(plan.iter().map(|r| r.len()).sum::<usize>(), w.len());
        assert!(plan.iter().all(|r| r.len() <= 2));
        assert!(plan_batches(&[], 0, 8, 100).is_empty());
        // A huge per-run overhead puts everything in one batch.
        assert_eq!(plan_batches(&w, 0, 16, 100_000), vec![0..9]);
    }

    #[test]
    fn det_size_is_multiple_of_32_within_limit() {
        assert_eq!(det_size(2000, 1414, 1024), (1024, 736));
        assert_eq!(det_size(500, 300, 1024), (512, 288));
        assert_eq!(det_size(10, 10, 1024), (32, 32));
    }

    #[test]
    fn homography_maps_corners() {
        let src = [
            Point::new(0.0, 0.0),
            Point::new(100.0, 0.0),
            Point::new(100.0, 20.0),
            Point::new(0.0, 20.0),
        ];
        let dst = [
            Point::new(10.0, 5.0),
            Point::new(120.0, 15.0),
            Point::new(118.0, 40.0),
            Point::new(8.0, 28.0),
        ];
        let h = perspective_transform(&src, &dst).unwrap();
        for (s, d) in src.iter().zip(&dst) {
            let (x, y) = apply(&h, f64::from(s.x), f64::from(s.y));
            assert!((x - f64::from(d.x)).abs() < 1e-6 && (y - f64::from(d.y)).abs() < 1e-6);
        }
    }

    #[test]
    fn crop_of_axis_aligned_box_copies_pixels_and_tall_crops_turn() {
        let mut img = RgbImage::new(50, 40);
        for (x, y, p) in img.enumerate_pixels_mut() {
            *p = image::Rgb([x as u8, y as u8, 7]);
        }
        let quad = [
            Point::new(10.0, 5.0),
            Point::new(30.0, 5.0),
            Point::new(30.0, 15.0),
            Point::new(10.0, 15.0),
        ];
        let c = crop_quad(&img, &quad).unwrap();
        assert_eq!(c.dimensions(), (20, 10));
        assert_eq!(c.get_pixel(0, 0).0, [10, 5, 7]);
        assert_eq!(c.get_pixel(19, 9).0, [29, 14, 7]);

        let tall = [
            Point::new(10.0, 5.0),
            Point::new(20.0, 5.0),
            Point::new(20.0, 35.0),
            Point::new(10.0, 35.0),
        ];
        let t = crop_quad(&img, &tall).unwrap();
        assert_eq!(t.dimensions(), (30, 10));
        // Counter-clockwise: the crop's top-right corner ends up top-left.
        assert_eq!(t.get_pixel(0, 0).0, [19, 5, 7]);
    }

    #[test]
    fn rec_input_is_bgr_normalised_and_padded() {
        let mut img = RgbImage::new(2, REC_HEIGHT);
        img.put_pixel(0, 0, image::Rgb([255, 0, 51]));
        let mut slot = vec![9f32; 3 * 4 * REC_HEIGHT as usize];
        slot.iter_mut().for_each(|v| *v = 0.0);
        write_rec_input(&img, &mut slot, 4);
        let plane = 4 * REC_HEIGHT as usize;
        assert!((slot[0] - (51.0 / 127.5 - 1.0)).abs() < 1e-6); // B plane first
        assert!((slot[plane] + 1.0).abs() < 1e-6); // G = 0 → -1
        assert!((slot[2 * plane] - 1.0).abs() < 1e-6); // R = 255 → 1
        assert_eq!(slot[2], 0.0); // padding column
    }
}
