//! DB (Differentiable Binarization) postprocess: the detection model's probability map →
//! text boxes, as RapidOCR / PaddleOCR do it (threshold, 2×2 dilation, contours, minimum-area
//! rectangle, mean-score filter, unclip, scale back), without OpenCV.
//!
//! Contours are replaced by 8-connected components (the outer contour of a component has
//! the same convex hull as its pixels), `cv2.minAreaRect` by rotating calipers on that hull,
//! and pyclipper's rounded offset of a rectangle by the rectangle grown by the offset
//! distance on every side (which is what `minAreaRect` of the rounded polygon gives back).

/// A point in pixels.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Point {
    pub x: f32,
    pub y: f32,
}

impl Point {
    pub const fn new(x: f32, y: f32) -> Self {
        Self { x, y }
    }

    pub fn dist(self, o: Point) -> f32 {
        ((self.x - o.x).powi(2) + (self.y - o.y).powi(2)).sqrt()
    }
}

/// Four corners: top-left, top-right, bottom-right, bottom-left.
pub type Quad = [Point; 4];

/// DB postprocess parameters (RapidOCR defaults).
#[derive(Debug, Clone, Copy)]
pub struct DbParams {
    /// Pixel threshold on the probability map.
    pub thresh: f32,
    /// Minimum mean probability inside a box.
    pub box_thresh: f32,
    /// Box growth: distance = area × ratio / perimeter.
    pub unclip_ratio: f32,
    pub max_candidates: usize,
    /// Minimum short side (map pixels) before unclip; after unclip it is `min_size + 2`.
    pub min_size: f32,
    /// 2×2 dilation of the binary map.
    pub dilate: bool,
}

impl Default for DbParams {
    fn default() -> Self {
        Self {
            thresh: 0.3,
            box_thresh: 0.5,
            unclip_ratio: 1.6,
            max_candidates: 1000,
            min_size: 3.0,
            dilate: true,
        }
    }
}

/// A detected text box in destination (image) coordinates.
#[derive(Debug, Clone, PartialEq)]
pub struct DetBox {
    pub quad: Quad,
    pub score: f32,
}

/// Boxes from a `width`×`height` probability map, scaled to a `dest_w`×`dest_h` image,
/// sorted top to bottom, then left to right.
pub fn boxes_from_prob(
    prob: &[f32],
    width: usize,
    height: usize,
    dest_w: u32,
    dest_h: u32,
    p: &DbParams,
) -> Vec<DetBox> {
    assert_eq!(prob.len(), width * height, "probability map size");
    let mut mask: Vec<u8> = prob.iter().map(|&v| u8::from(v > p.thresh)).collect();
    if p.dilate {
        mask = dilate2x2(&mask, width, height);
    }
    let mut boxes = Vec::new();
    for component in components(&mut mask, width, height)
        .into_iter()
        .take(p.max_candidates)
    {
        let hull = convex_hull(&component);
        let Some((rect, sside)) = mini_box(&hull) else {
            continue;
        };
        if sside < p.min_size {
            continue;
        }
        let score = box_score_fast(prob, width, height, &rect);
        if score < p.box_thresh {
            continue;
        }
        let grown = unclip(&rect, p.unclip_ratio);
        let Some((grown, sside)) = mini_box(&grown) else {
            continue;
        };
        if sside < p.min_size + 2.0 {
            continue;
        }
        let sx = dest_w as f32 / width as f32;
        let sy = dest_h as f32 / height as f32;
        let scaled = grown.map(|q| {
            Point::new(
                (q.x * sx).round().clamp(0.0, dest_w as f32),
                (q.y * sy).round().clamp(0.0, dest_h as f32),
            )
        });
        // filter_det_res: order, clip to the image, drop slivers.
        let mut quad = order_clockwise(scaled);
        for q in &mut quad {
            q.x = q.x.clamp(0.0, dest_w.saturating_sub(1) as f32).trunc();
            q.y = q.y.clamp(0.0, dest_h.saturating_sub(1) as f32).trunc();
        }
        let rect_w = quad[0].dist(quad[1]) as i32;
        let rect_h = quad[0].dist(quad[3]) as i32;
        if rect_w <= 3 || rect_h <= 3 {
            continue;
        }
        boxes.push(DetBox { quad, score });
    }
    sort_boxes(&mut boxes);
    boxes
}

/// `cv2.dilate` with a 2×2 kernel (anchor at its centre): each pixel takes the max of
/// itself and its left, upper and upper-left neighbours.
pub fn dilate2x2(mask: &[u8], w: usize, h: usize) -> Vec<u8> {
    let mut out = vec![0u8; mask.len()];
    for y in 0..h {
        for x in 0..w {
            let i = y * w + x;
            let mut v = mask[i];
            if x > 0 {
                v |= mask[i - 1];
            }
            if y > 0 {
                v |= mask[i - w];
                if x > 0 {
                    v |= mask[i - w - 1];
                }
            }
            out[i] = v;
        }
    }
    out
}

/// 8-connected components of the non-zero pixels, each as the leftmost and rightmost pixel
/// of every row it spans (enough for the convex hull). Clears `mask`.
fn components(mask: &mut [u8], w: usize, h: usize) -> Vec<Vec<Point>> {
    let mut out = Vec::new();
    let mut stack: Vec<usize> = Vec::new();
    // Per row of the current component: (min x, max x); reset after each component.
    let mut row_min = vec![usize::MAX; h];
    let mut row_max = vec![0usize; h];
    for start in 0..mask.len() {
        if mask[start] == 0 {
            continue;
        }
        mask[start] = 0;
        stack.push(start);
        let (mut y_lo, mut y_hi) = (usize::MAX, 0usize);
        while let Some(i) = stack.pop() {
            let (x, y) = (i % w, i / w);
            row_min[y] = row_min[y].min(x);
            row_max[y] = row_max[y].max(x);
            y_lo = y_lo.min(y);
            y_hi = y_hi.max(y);
            let x0 = x.saturating_sub(1);
            let x1 = (x + 1).min(w - 1);
            let y0 = y.saturating_sub(1);
            let y1 = (y + 1).min(h - 1);
            for ny in y0..=y1 {
                for nx in x0..=x1 {
                    let j = ny * w + nx;
                    if mask[j] != 0 {
                        mask[j] = 0;
                        stack.push(j);
                    }
                }
            }
        }
        let mut pts = Vec::with_capacity(2 * (y_hi - y_lo + 1));
        for y in y_lo..=y_hi {
            if row_min[y] != usize::MAX {
                pts.push(Point::new(row_min[y] as f32, y as f32));
                if row_max[y] != row_min[y] {
                    pts.push(Point::new(row_max[y] as f32, y as f32));
                }
            }
            row_min[y] = usize::MAX;
            row_max[y] = 0;
        }
        out.push(pts);
    }
    out
}

fn cross(o: Point, a: Point, b: Point) -> f32 {
    (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x)
}

/// Convex hull (Andrew's monotone chain), counter-clockwise in image coordinates.
pub fn convex_hull(points: &[Point]) -> Vec<Point> {
    let mut pts = points.to_vec();
    pts.sort_by(|a, b| a.x.total_cmp(&b.x).then(a.y.total_cmp(&b.y)));
    pts.dedup();
    if pts.len() < 3 {
        return pts;
    }
    let mut hull: Vec<Point> = Vec::with_capacity(pts.len() * 2);
    for &p in &pts {
        while hull.len() >= 2 && cross(hull[hull.len() - 2], hull[hull.len() - 1], p) <= 0.0 {
            hull.pop();
        }
        hull.push(p);
    }
    let lower = hull.len() + 1;
    for &p in pts.iter().rev().skip(1) {
        while hull.len() >= lower && cross(hull[hull.len() - 2], hull[hull.len() - 1], p) <= 0.0 {
            hull.pop();
        }
        hull.push(p);
    }
    hull.pop();
    hull
}

/// `cv2.minAreaRect` by rotating calipers: the four corners (unordered) and the two sides.
pub fn min_area_rect(points: &[Point]) -> Option<([Point; 4], f32, f32)> {
    let hull = convex_hull(points);
    match hull.len() {
        0 => return None,
        1 => return Some(([hull[0]; 4], 0.0, 0.0)),
        _ => {}
    }
    let mut best: Option<(f32, [Point; 4], f32, f32)> = None;
    for i in 0..hull.len() {
        let a = hull[i];
        let b = hull[(i + 1) % hull.len()];
        let len = a.dist(b);
        if len == 0.0 {
            continue;
        }
        let u = Point::new((b.x - a.x) / len, (b.y - a.y) / len);
        let v = Point::new(-u.y, u.x);
        let (mut u_lo, mut u_hi, mut v_lo, mut v_hi) = (f32::MAX, f32::MIN, f32::MAX, f32::MIN);
        for p in &hull {
            let pu = p.x * u.x + p.y * u.y;
            let pv = p.x * v.x + p.y * v.y;
            u_lo = u_lo.min(pu);
            u_hi = u_hi.max(pu);
            v_lo = v_lo.min(pv);
            v_hi = v_hi.max(pv);
        }
        let (w, h) = (u_hi - u_lo, v_hi - v_lo);
        let area = w * h;
        if best.as_ref().is_none_or(|b| area < b.0) {
            let at = |s: f32, t: f32| Point::new(u.x * s + v.x * t, u.y * s + v.y * t);
            best = Some((
                area,
                [
                    at(u_lo, v_lo),
                    at(u_hi, v_lo),
                    at(u_hi, v_hi),
                    at(u_lo, v_hi),
                ],
                w,
                h,
            ));
        }
    }
    best.map(|(_, c, w, h)| (c, w, h))
}

/// RapidOCR's `get_mini_boxes`: the min-area rectangle ordered tl, tr, br, bl, and its short
/// side.
fn mini_box(points: &[Point]) -> Option<(Quad, f32)> {
    let (corners, w, h) = min_area_rect(points)?;
    let mut pts = corners;
    pts.sort_by(|a, b| a.x.total_cmp(&b.x));
    let (tl, bl) = if pts[1].y > pts[0].y {
        (pts[0], pts[1])
    } else {
        (pts[1], pts[0])
    };
    let (tr, br) = if pts[3].y > pts[2].y {
        (pts[2], pts[3])
    } else {
        (pts[3], pts[2])
    };
    Some(([tl, tr, br, bl], w.min(h)))
}

/// Mean probability inside the (convex) quad ("fast" score mode).
pub fn box_score_fast(prob: &[f32], w: usize, h: usize, quad: &Quad) -> f32 {
    let clampi = |v: f32, hi: usize| (v.max(0.0) as usize).min(hi - 1);
    let xmin = clampi(quad.iter().map(|p| p.x).fold(f32::MAX, f32::min).floor(), w);
    let xmax = clampi(quad.iter().map(|p| p.x).fold(f32::MIN, f32::max).ceil(), w);
    let ymin = clampi(quad.iter().map(|p| p.y).fold(f32::MAX, f32::min).floor(), h);
    let ymax = clampi(quad.iter().map(|p| p.y).fold(f32::MIN, f32::max).ceil(), h);
    // Orientation of the quad, so that "inside" is the same side of every edge.
    let area2: f32 = (0..4)
        .map(|i| {
            let (a, b) = (quad[i], quad[(i + 1) % 4]);
            a.x * b.y - b.x * a.y
        })
        .sum();
    let sign = if area2 >= 0.0 { 1.0 } else { -1.0 };
    let (mut sum, mut n) = (0.0f64, 0usize);
    for y in ymin..=ymax {
        for x in xmin..=xmax {
            let p = Point::new(x as f32, y as f32);
            let inside = (0..4).all(|i| {
                let (a, b) = (quad[i], quad[(i + 1) % 4]);
                let c = cross(a, b, p) * sign;
                // Within half a pixel of an edge counts (fillPoly draws the outline too).
                c >= -0.5 * a.dist(b)
            });
            if inside {
                sum += f64::from(prob[y * w + x]);
                n += 1;
            }
        }
    }
    if n == 0 {
        0.0
    } else {
        (sum / n as f64) as f32
    }
}

/// Grows a rectangle by `area × ratio / perimeter` on every side (pyclipper's rounded
/// offset, then its min-area rectangle).
pub fn unclip(rect: &Quad, ratio: f32) -> Vec<Point> {
    let w = rect[0].dist(rect[1]);
    let h = rect[0].dist(rect[3]);
    let perimeter = 2.0 * (w + h);
    if perimeter == 0.0 {
        return rect.to_vec();
    }
    let d = w * h * ratio / perimeter;
    let c = Point::new(
        rect.iter().map(|p| p.x).sum::<f32>() / 4.0,
        rect.iter().map(|p| p.y).sum::<f32>() / 4.0,
    );
    let unit = |a: Point, b: Point, len: f32| {
        if len > 0.0 {
            Point::new((b.x - a.x) / len, (b.y - a.y) / len)
        } else {
            Point::default()
        }
    };
    let mut u = unit(rect[0], rect[1], w);
    let mut v = unit(rect[0], rect[3], h);
    if w == 0.0 {
        u = Point::new(v.y, -v.x);
    }
    if h == 0.0 {
        v = Point::new(-u.y, u.x);
    }
    let (hw, hh) = (w / 2.0 + d, h / 2.0 + d);
    let at = |s: f32, t: f32| Point::new(c.x + u.x * s + v.x * t, c.y + u.y * s + v.y * t);
    vec![at(-hw, -hh), at(hw, -hh), at(hw, hh), at(-hw, hh)]
}

/// RapidOCR's `order_points_clockwise`: the two leftmost points (by x) sorted by y give tl,
/// bl; the two rightmost give tr, br.
pub fn order_clockwise(pts: Quad) -> Quad {
    let mut s = pts;
    s.sort_by(|a, b| a.x.total_cmp(&b.x));
    let (tl, bl) = if s[0].y <= s[1].y {
        (s[0], s[1])
    } else {
        (s[1], s[0])
    };
    let (tr, br) = if s[2].y <= s[3].y {
        (s[2], s[3])
    } else {
        (s[3], s[2])
    };
    [tl, tr, br, bl]
}

/// Top to bottom by the top-left corner; boxes within 10 px of each other in y form a line,
/// sorted left to right (RapidOCR's `sorted_boxes`).
pub fn sort_boxes(boxes: &mut [DetBox]) {
    boxes.sort_by(|a, b| a.quad[0].y.total_cmp(&b.quad[0].y));
    let mut line = 0u32;
    let mut keyed: Vec<(u32, f32, DetBox)> = Vec::with_capacity(boxes.len());
    for (i, b) in boxes.iter().enumerate() {
        if i > 0 && b.quad[0].y - boxes[i - 1].quad[0].y >= 10.0 {
            line += 1;
        }
        keyed.push((line, b.quad[0].x, b.clone()));
    }
    keyed.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
    for (slot, (_, _, b)) in boxes.iter_mut().zip(keyed) {
        *slot = b;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn approx(a: f32, b: f32, tol: f32) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn hull_of_square_with_inner_points() {
        let mut pts = vec![];
        for y in 0..5 {
            for x in 0..5 {
                pts.push(Point::new(x as f32, y as f32));
            }
        }
        let hull = convex_hull(&pts);
        assert_eq!(hull.len(), 4, "{hull:?}");
    }

    #[test]
    fn min_area_rect_axis_aligned_and_rotated() {
        let pts = [
            Point::new(10.0, 10.0),
            Point::new(30.0, 10.0),
            Point::new(30.0, 15.0),
            Point::new(10.0, 15.0),
            Point::new(20.0, 12.0),
        ];
        let (_, w, h) = min_area_rect(&pts).unwrap();
        assert!(
            approx(w.max(h), 20.0, 1e-3) && approx(w.min(h), 5.0, 1e-3),
            "{w} {h}"
        );

        // A 40×6 rectangle rotated by 30°.
        let (s, c) = 30f32.to_radians().sin_cos();
        let rot = |x: f32, y: f32| Point::new(100.0 + x * c - y * s, 50.0 + x * s + y * c);
        let pts = [
            rot(0.0, 0.0),
            rot(40.0, 0.0),
            rot(40.0, 6.0),
            rot(0.0, 6.0),
            rot(20.0, 3.0),
        ];
        let (_, w, h) = min_area_rect(&pts).unwrap();
        assert!(
            approx(w.max(h), 40.0, 1e-2) && approx(w.min(h), 6.0, 1e-2),
            "{w} {h}"
        );
    }

    #[test]
    fn unclip_grows_every_side_by_area_ratio_over_perimeter() {
        let rect = [
            Point::new(0.0, 0.0),
            Point::new(100.0, 0.0),
            Point::new(100.0, 10.0),
            Point::new(0.0, 10.0),
        ];
        // d = 100·10·1.6 / 220
        let d = 1000.0 * 1.6 / 220.0;
        let g = unclip(&rect, 1.6);
        assert!(
            approx(g[0].x, -d, 1e-3) && approx(g[0].y, -d, 1e-3),
            "{g:?}"
        );
        assert!(
            approx(g[2].x, 100.0 + d, 1e-3) && approx(g[2].y, 10.0 + d, 1e-3),
            "{g:?}"
        );
    }

    #[test]
    fn dilation_extends_right_and_down() {
        let mut m = vec![0u8; 9];
        m[4] = 1; // centre of 3×3
        let d = dilate2x2(&m, 3, 3);
        assert_eq!(d, vec![0, 0, 0, 0, 1, 1, 0, 1, 1]);
    }

    #[test]
    fn order_clockwise_orders_a_shuffled_rectangle() {
        let q = order_clockwise([
            Point::new(50.0, 20.0),
            Point::new(0.0, 0.0),
            Point::new(0.0, 20.0),
            Point::new(50.0, 0.0),
        ]);
        assert_eq!(
            q,
            [
                Point::new(0.0, 0.0),
                Point::new(50.0, 0.0),
                Point::new(50.0, 20.0),
                Point::new(0.0, 20.0)
            ]
        );
    }

    /// Paints a filled rectangle of probability `v` on a map.
    fn paint(map: &mut [f32], w: usize, x0: usize, y0: usize, x1: usize, y1: usize, v: f32) {
        for y in y0..y1 {
            for x in x0..x1 {
                map[y * w + x] = v;
            }
        }
    }

    #[test]
    fn two_text_blobs_become_two_scaled_unclipped_boxes() {
        let (w, h) = (200usize, 100usize);
        let mut map = vec![0.0f32; w * h];
        paint(&mut map, w, 20, 20, 120, 30, 0.9); // a text line: 100×10
        paint(&mut map, w, 20, 60, 60, 70, 0.8); // a shorter one below
        paint(&mut map, w, 150, 60, 152, 62, 0.9); // speck: too small
        paint(&mut map, w, 150, 20, 190, 30, 0.35); // above thresh, below box_thresh
        let boxes = boxes_from_prob(&map, w, h, 400, 200, &DbParams::default());
        assert_eq!(boxes.len(), 2, "{boxes:?}");
        let b = &boxes[0];
        // Pixels 20..=120 (with dilation), 20..=30; grown by d≈7.4 then scaled ×2.
        assert!(b.quad[0].x < 40.0 && b.quad[0].x > 20.0, "{b:?}");
        assert!(b.quad[1].x > 250.0 && b.quad[1].x < 270.0, "{b:?}");
        assert!(b.quad[0].y < 40.0 && b.quad[3].y > 60.0, "{b:?}");
        // The dilated rim (probability 0) is inside the box too.
        assert!(b.score > 0.75 && b.score <= 0.9, "{b:?}");
        assert!(boxes[1].quad[0].y > boxes[0].quad[0].y);
    }

    #[test]
    fn rotated_blob_gives_rotated_box() {
        let (w, h) = (300usize, 200usize);
        let mut map = vec![0.0f32; w * h];
        let (s, c) = 5f32.to_radians().sin_cos();
        for y in 0..h {
            for x in 0..w {
                // Inverse-rotate about (150, 100); inside a 200×12 bar?
                let (dx, dy) = (x as f32 - 150.0, y as f32 - 100.0);
                let (u, v) = (dx * c + dy * s, -dx * s + dy * c);
                if u.abs() < 100.0 && v.abs() < 6.0 {
                    map[y * w + x] = 0.9;
                }
            }
        }
        let boxes = boxes_from_prob(&map, w, h, w as u32, h as u32, &DbParams::default());
        assert_eq!(boxes.len(), 1);
        let q = boxes[0].quad;
        let angle = (q[1].y - q[0].y).atan2(q[1].x - q[0].x).to_degrees();
        assert!(approx(angle, 5.0, 1.0), "angle {angle} {q:?}");
    }
}
