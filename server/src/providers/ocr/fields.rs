//! Reading the license fields from recognized text lines and their geometry.
//!
//! 1. Deskew: the median angle of the long lines is rotated away.
//! 2. Glyphs: every character gets a position along its line (from the CTC step).
//! 3. Rows: lines are chained left to right into rows (a line joins the row whose last line,
//!    extended, passes closest to it), then rows are sorted top to bottom.
//! 4. Labels: at the start of a line (or after a wide gap), the row text is matched against
//!    the known labels, fuzzily (spaces ignored, `名 称` = `名称`, one wrong character allowed
//!    in labels of four or more).
//! 5. Columns: labels that are not the first of their row, or stand far right, are
//!    right-column labels; their left edges (fitted linearly in y, for perspective) split
//!    every row into a left and a right column. A label-less row whose text starts between a
//!    column's labels and its values holds a mangled label (`型…` of 类　　型), which still
//!    counts (`with_label_zone_labels`).
//! 6. Streams: in each column, characters after a label belong to it until the next label;
//!    lines below continue a field (名称, 经营范围, 住所, …) when they start at the value's x,
//!    stand closer than this license's field pitch, and hold nothing of the registration
//!    authority block (`BELOW_FIELDS`).
//! 7. Values are normalised (`clean`): （）, traditional-only characters (`t2s`),
//!    dates as `YYYY年MM月DD日`; the name loses a type read after its 公司.
//! 8. The USCC is taken from the 18-character runs and repaired by its checksum
//!    ([`api::validate::uscc_repair`]).

use std::collections::HashMap;

use super::db::{Point, Quad};
use super::BizLicense;

/// A recognized text line.
#[derive(Debug, Clone, PartialEq)]
pub struct TextLine {
    /// tl, tr, br, bl in image pixels.
    pub quad: Quad,
    pub text: String,
    /// Recognition confidence (0..1).
    pub score: f32,
    /// Per `char` of `text`: its centre along the line, 0 = left edge, 1 = right edge.
    /// Empty (or of another length) = spread evenly.
    pub positions: Vec<f32>,
}

impl TextLine {
    /// A line with evenly spread characters (tests, other engines).
    pub fn new(quad: Quad, text: &str) -> Self {
        Self {
            quad,
            text: text.to_owned(),
            score: 1.0,
            positions: Vec::new(),
        }
    }

    /// An axis-aligned line from its left, top, right and bottom edges.
    pub fn rect(x0: f32, y0: f32, x1: f32, y1: f32, text: &str) -> Self {
        Self::new(
            [
                Point::new(x0, y0),
                Point::new(x1, y0),
                Point::new(x1, y1),
                Point::new(x0, y1),
            ],
            text,
        )
    }
}

/// What a label introduces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    RegNum,
    Name,
    Kind,
    Person,
    Business,
    Capital,
    SetDate,
    Period,
    Address,
    ComposingForm,
    Authority,
    SerialNumber,
    /// A label whose value is not reported (经费来源, 举办单位, …); it still ends the field
    /// above it.
    Other,
}

impl Field {
    /// Values that may wrap onto following lines.
    fn multiline(self) -> bool {
        matches!(
            self,
            Field::Name
                | Field::Kind
                | Field::Business
                | Field::Address
                | Field::Period
                | Field::Other
        )
    }

    /// Labels that take part in the two-column layout.
    fn in_body(self) -> bool {
        !matches!(self, Field::RegNum | Field::SerialNumber | Field::Authority)
    }
}

/// Labels on 营业执照 (enterprise, individual business, partnership) and on institution
/// certificates (事业单位法人证书, 统一社会信用代码证书). Longer labels are tried first.
const LABELS: &[(&str, Field)] = &[
    ("统一社会信用代码", Field::RegNum),
    // 统一社会信用代码证书 of 机关 and 群团 organisations.
    ("机构名称", Field::Name),
    ("机构类型", Field::Kind),
    ("机构地址", Field::Address),
    ("颁发单位", Field::Authority),
    ("宗旨和业务范围", Field::Business),
    ("执行事务合伙人", Field::Person),
    ("主要经营场所", Field::Address),
    ("登记管理机关", Field::Authority),
    ("法定代表人", Field::Person),
    ("经营范围", Field::Business),
    ("业务范围", Field::Business),
    ("经营场所", Field::Address),
    ("注册资本", Field::Capital),
    ("开办资金", Field::Capital),
    ("出资数额", Field::Capital),
    ("成立日期", Field::SetDate),
    ("注册日期", Field::SetDate),
    ("营业期限", Field::Period),
    ("合伙期限", Field::Period),
    ("经营期限", Field::Period),
    ("组成形式", Field::ComposingForm),
    ("主体类型", Field::Kind),
    ("登记机关", Field::Authority),
    ("发证机关", Field::Authority),
    ("证照编号", Field::SerialNumber),
    ("经费来源", Field::Other),
    ("举办单位", Field::Other),
    ("负责人", Field::Person),
    ("经营者", Field::Person),
    ("投资人", Field::Person),
    ("出资额", Field::Capital),
    ("有效期", Field::Period),
    ("名称", Field::Name),
    ("类型", Field::Kind),
    ("住所", Field::Address),
    ("编号", Field::SerialNumber),
];

/// Titles, most specific first.
const TITLES: &[&str] = &[
    "统一社会信用代码证书",
    "事业单位法人证书",
    "民办非企业单位登记证书",
    "社会团体法人登记证书",
    "营业执照",
];

/// Characters OCR commonly confuses inside labels.
fn label_char(c: char) -> char {
    match c {
        '入' => '人',
        '狮' | '斫' => '所',
        _ => c,
    }
}

/// Parses the fields of a license from its recognized lines.
pub fn parse(lines: &[TextLine]) -> BizLicense {
    let mut out = BizLicense::default();
    let lines: Vec<&TextLine> = lines.iter().filter(|l| !l.text.trim().is_empty()).collect();
    if lines.is_empty() {
        return out;
    }
    let angle = skew_angle(&lines);
    out.angle = Some((f64::from(angle.to_degrees()) * 100.0).round() / 100.0);
    let geo: Vec<LineGeo> = lines.iter().map(|l| LineGeo::new(l, angle)).collect();
    let rows = group_rows(&lines, &geo);
    let labels = find_labels(&rows);
    let split = ColumnSplit::fit(&rows, &labels);
    let labels = with_label_zone_labels(&rows, labels, &split);
    let values = streams(&rows, &labels, &split);

    let get = |f: Field| values.get(&f).map(String::as_str).and_then(|v| clean(f, v));
    out.kind = get(Field::Kind);
    out.name = get(Field::Name)
        .map(|n| without_kind(&n, out.kind.as_deref()))
        .filter(|n| !n.is_empty());
    out.person = get(Field::Person);
    out.business = get(Field::Business);
    out.capital = get(Field::Capital);
    out.set_date = get(Field::SetDate);
    out.period = get(Field::Period);
    out.address = get(Field::Address);
    out.composing_form = get(Field::ComposingForm);
    out.registration_authority =
        get(Field::Authority).filter(|v| find_date(v).is_none() && v.chars().count() >= 4);
    out.serial_number = values
        .get(&Field::SerialNumber)
        .map(|v| {
            v.chars()
                .filter(char::is_ascii_alphanumeric)
                .collect::<String>()
        })
        .filter(|v| v.len() >= 6);
    out.reg_num = reg_num(&lines, &geo, &rows, &labels);
    out.registration_date = registration_date(&rows, &labels);

    let all_rows: Vec<String> = rows.iter().map(Row::text).collect();
    out.title = TITLES
        .iter()
        .find(|t| all_rows.iter().any(|r| r.contains(*t)))
        .map(|t| (*t).to_owned());
    if all_rows.iter().any(|r| r.contains("副本")) {
        out.is_duplication = Some(1);
    } else if all_rows.iter().any(|r| r.contains("正本")) {
        out.is_duplication = Some(-1);
    }
    out
}

/// Median angle (radians, clockwise positive) of the lines at least three times longer
/// than high.
fn skew_angle(lines: &[&TextLine]) -> f32 {
    let mut angles: Vec<f32> = lines
        .iter()
        .filter_map(|l| {
            let q = &l.quad;
            let w = q[0].dist(q[1]);
            let h = q[0].dist(q[3]);
            (w >= 3.0 * h && l.text.chars().count() >= 3).then(|| {
                let top = (q[1].y - q[0].y).atan2(q[1].x - q[0].x);
                let bottom = (q[2].y - q[3].y).atan2(q[2].x - q[3].x);
                (top + bottom) / 2.0
            })
        })
        .collect();
    if angles.is_empty() {
        return 0.0;
    }
    angles.sort_by(f32::total_cmp);
    angles[angles.len() / 2]
}

fn rotate(p: Point, angle: f32) -> Point {
    let (s, c) = angle.sin_cos();
    Point::new(p.x * c + p.y * s, -p.x * s + p.y * c)
}

/// A line in deskewed coordinates.
#[derive(Debug, Clone)]
struct LineGeo {
    /// Middle of the left and right edges.
    l: Point,
    r: Point,
    /// Box height (about 1.1× the text height).
    h: f32,
}

impl LineGeo {
    fn new(line: &TextLine, angle: f32) -> Self {
        let q = line.quad.map(|p| rotate(p, angle));
        let mid = |a: Point, b: Point| Point::new((a.x + b.x) / 2.0, (a.y + b.y) / 2.0);
        Self {
            l: mid(q[0], q[3]),
            r: mid(q[1], q[2]),
            h: (q[0].dist(q[3]) + q[1].dist(q[2])) / 2.0,
        }
    }

    fn width(&self) -> f32 {
        self.r.x - self.l.x
    }

    /// The line's y at `x`, extended along its own slope when it is long enough to have one.
    fn y_at(&self, x: f32) -> f32 {
        let w = self.width();
        if w > 2.0 * self.h {
            self.l.y + (x - self.l.x) * (self.r.y - self.l.y) / w
        } else {
            (self.l.y + self.r.y) / 2.0
        }
    }
}

/// One character of a row.
#[derive(Debug, Clone)]
struct Glyph {
    ch: char,
    x: f32,
    y: f32,
    /// First character of its line, or after a gap much wider than the line's spacing.
    starts_chunk: bool,
    /// The only character of its line (spaced labels: 名　　称 → 名, 称).
    alone: bool,
    /// Whitespace preceded it in the recognized text.
    space_before: bool,
}

#[derive(Debug, Clone, Default)]
struct Row {
    lines: Vec<usize>,
    glyphs: Vec<Glyph>,
    y: f32,
    /// Median box height of its lines.
    h: f32,
}

impl Row {
    fn text(&self) -> String {
        self.glyphs.iter().map(|g| g.ch).collect()
    }
}

fn glyphs_of(line: &TextLine, g: &LineGeo) -> Vec<Glyph> {
    let n = line.text.chars().count();
    let even = line.positions.len() != n;
    let mut out: Vec<Glyph> = Vec::with_capacity(n);
    let mut space = false;
    for (i, ch) in line.text.chars().enumerate() {
        if ch.is_whitespace() {
            space = true;
            continue;
        }
        let f = if even {
            (i as f32 + 0.5) / n as f32
        } else {
            line.positions[i].clamp(0.0, 1.0)
        };
        out.push(Glyph {
            ch: fold_width(ch),
            x: g.l.x + f * (g.r.x - g.l.x),
            y: g.l.y + f * (g.r.y - g.l.y),
            starts_chunk: out.is_empty(),
            alone: false,
            space_before: space && !out.is_empty(),
        });
        space = false;
    }
    if let [only] = out.as_mut_slice() {
        only.alone = true;
    }
    // Wide gaps inside one detected box (label and value merged) start a new chunk.
    if out.len() >= 4 {
        let mut gaps: Vec<f32> = out.windows(2).map(|w| w[1].x - w[0].x).collect();
        gaps.sort_by(f32::total_cmp);
        let typical = gaps[gaps.len() / 2].max(1.0);
        for i in 1..out.len() {
            if out[i].x - out[i - 1].x > 3.0 * typical.max(g.h * 0.3) {
                out[i].starts_chunk = true;
            }
        }
    }
    out
}

/// Full-width digits and letters folded to ASCII (Chinese punctuation is kept).
fn fold_width(c: char) -> char {
    match c {
        '０'..='９' | 'Ａ'..='Ｚ' | 'ａ'..='ｚ' => {
            char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
        }
        _ => c,
    }
}

fn group_rows(lines: &[&TextLine], geo: &[LineGeo]) -> Vec<Row> {
    let mut order: Vec<usize> = (0..lines.len()).collect();
    order.sort_by(|&a, &b| geo[a].l.x.total_cmp(&geo[b].l.x));
    let mut rows: Vec<Row> = Vec::new();
    for &i in &order {
        let g = &geo[i];
        let mut best: Option<(usize, f32)> = None;
        for (ri, row) in rows.iter().enumerate() {
            let last = &geo[*row.lines.last().expect("rows are never empty")];
            // Detection boxes are unclipped beyond their text: neighbours on one row overlap by
            // up to about a text height, more when the photo is turned.
            if g.l.x < last.r.x - 1.0 * g.h.min(last.h) {
                continue; // overlaps horizontally: another row
            }
            let dy = (last.y_at(g.l.x) - g.l.y).abs();
            if dy < 0.4 * g.h.min(last.h) && best.is_none_or(|(_, d)| dy < d) {
                best = Some((ri, dy));
            }
        }
        match best {
            Some((ri, _)) => rows[ri].lines.push(i),
            None => rows.push(Row {
                lines: vec![i],
                ..Row::default()
            }),
        }
    }
    for row in &mut rows {
        let mut hs: Vec<f32> = row.lines.iter().map(|&i| geo[i].h).collect();
        hs.sort_by(f32::total_cmp);
        row.h = hs[hs.len() / 2];
        for &i in &row.lines {
            for (k, g) in glyphs_of(lines[i], &geo[i]).into_iter().enumerate() {
                // Two overlapping boxes both read the character they share (广广场): where one
                // line meets the next, never inside a line (500, 22).
                let repeat = k == 0
                    && row
                        .glyphs
                        .last()
                        .is_some_and(|p| p.ch == g.ch && g.x - p.x < 0.35 * geo[i].h);
                if !repeat {
                    row.glyphs.push(g);
                }
            }
        }
        row.y = if row.glyphs.is_empty() {
            geo[row.lines[0]].l.y
        } else {
            row.glyphs.iter().map(|g| g.y).sum::<f32>() / row.glyphs.len() as f32
        };
    }
    rows.retain(|r| !r.glyphs.is_empty());
    rows.sort_by(|a, b| a.y.total_cmp(&b.y));
    rows
}

/// A label found in a row: glyphs `start..end` of row `row`.
#[derive(Debug, Clone)]
struct Label {
    field: Field,
    row: usize,
    start: usize,
    end: usize,
    x0: f32,
    right: bool,
}

fn matches_label(glyphs: &[Glyph], label: &str) -> bool {
    let want: Vec<char> = label.chars().collect();
    if glyphs.len() < want.len() {
        return false;
    }
    let wrong = want
        .iter()
        .zip(glyphs)
        .filter(|(w, g)| label_char(g.ch) != **w)
        .count();
    // The first character must be right; one more slip allowed in long labels.
    label_char(glyphs[0].ch) == want[0] && (wrong == 0 || (want.len() >= 4 && wrong == 1))
}

/// A two-character label spaced so wide that its characters are detected separately, with
/// one of them lost: a line holding only 名 or 称 still labels the name.
fn alone_half_label(g: &Glyph) -> Option<Field> {
    g.alone.then(|| half_label(g.ch)).flatten()
}

/// The label of which `c` is one half, for the two-character labels printed spaced wide.
fn half_label(c: char) -> Option<Field> {
    const SPACED: [(&str, Field); 3] = [
        ("名称", Field::Name),
        ("类型", Field::Kind),
        ("住所", Field::Address),
    ];
    SPACED
        .iter()
        .find(|(text, _)| text.contains(label_char(c)))
        .map(|(_, f)| *f)
}

fn find_labels(rows: &[Row]) -> Vec<Label> {
    let mut labels = Vec::new();
    for (ri, row) in rows.iter().enumerate() {
        let g = &row.glyphs;
        let mut i = 0;
        while i < g.len() {
            if !g[i].starts_chunk {
                i += 1;
                continue;
            }
            let found = LABELS
                .iter()
                .find(|(text, _)| matches_label(&g[i..], text))
                .map(|(text, field)| (text.chars().count(), *field))
                .or_else(|| alone_half_label(&g[i]).map(|f| (1, f)));
            match found {
                Some((len, field)) => {
                    let mut end = i + len;
                    while end < g.len() && matches!(g[end].ch, ':' | '：' | '·' | '.') {
                        end += 1;
                    }
                    labels.push(Label {
                        field,
                        row: ri,
                        start: i,
                        end,
                        x0: g[i].x,
                        right: false,
                    });
                    i = end;
                }
                None => i += 1,
            }
        }
    }
    // Right-column labels: not first among the body labels of their row, or far right.
    let body: Vec<&Label> = labels.iter().filter(|l| l.field.in_body()).collect();
    if body.is_empty() {
        return labels;
    }
    let left_margin = body.iter().map(|l| l.x0).fold(f32::MAX, f32::min);
    let (min_x, max_x) = rows
        .iter()
        .flat_map(|r| r.glyphs.iter().map(|g| g.x))
        .fold((f32::MAX, f32::MIN), |(a, b), x| (a.min(x), b.max(x)));
    let width = (max_x - min_x).max(1.0);
    let firsts: HashMap<usize, usize> = body.iter().fold(HashMap::new(), |mut m, l| {
        m.entry(l.row)
            .and_modify(|s: &mut usize| *s = (*s).min(l.start))
            .or_insert(l.start);
        m
    });
    for l in &mut labels {
        if l.field.in_body() {
            l.right = firsts.get(&l.row).is_some_and(|&s| s < l.start)
                || l.x0 > left_margin + 0.35 * width;
        }
    }
    labels
}

/// Where the right column starts, as a function of y (linear: perspective skews it).
#[derive(Debug)]
struct ColumnSplit {
    a: f32,
    b: f32,
}

impl ColumnSplit {
    fn fit(rows: &[Row], labels: &[Label]) -> Self {
        let pts: Vec<(f32, f32)> = labels
            .iter()
            .filter(|l| l.right && l.field.in_body())
            .map(|l| (rows[l.row].y, l.x0 - 0.3 * rows[l.row].h))
            .collect();
        match pts.len() {
            0 => Self {
                a: 0.0,
                b: f32::INFINITY,
            },
            _ => {
                let (a, b) = fit_line(&pts);
                Self { a, b }
            }
        }
    }

    fn column(&self, x: f32, y: f32) -> usize {
        usize::from(x >= self.x_at(y))
    }

    fn x_at(&self, y: f32) -> f32 {
        self.a * y + self.b
    }
}

/// Least-squares `x = a·y + b` through `(y, x)` points; the slope is bounded (perspective
/// tilts a column's edge, it never lays it down).
fn fit_line(pts: &[(f32, f32)]) -> (f32, f32) {
    let n = pts.len().max(1) as f32;
    let my = pts.iter().map(|p| p.0).sum::<f32>() / n;
    let mx = pts.iter().map(|p| p.1).sum::<f32>() / n;
    let vy = pts.iter().map(|p| (p.0 - my).powi(2)).sum::<f32>();
    let cov = pts.iter().map(|p| (p.0 - my) * (p.1 - mx)).sum::<f32>();
    let a = if pts.len() >= 2 && vy > 1.0 {
        (cov / vy).clamp(-0.3, 0.3)
    } else {
        0.0
    };
    (a, mx - a * my)
}

/// The body labels of column `col` (0 left, 1 right).
fn body_labels_in<'a>(
    col: usize,
    rows: &'a [Row],
    labels: &'a [Label],
    split: &'a ColumnSplit,
) -> impl Iterator<Item = &'a Label> {
    labels
        .iter()
        .filter(move |l| l.field.in_body() && split.column(l.x0, rows[l.row].y) == col)
}

/// Where a label's value starts: its first glyph after the label, in the label's column.
fn value_start(rows: &[Row], l: &Label, split: &ColumnSplit) -> Option<f32> {
    let row = &rows[l.row];
    let g = row.glyphs.get(l.end)?;
    (split.column(g.x, row.y) == split.column(l.x0, row.y)).then_some(g.x)
}

/// Labels recognised by where they stand. In each column, labels start at one x and values at
/// another; a row with no label whose text begins between the two holds a label that
/// recognition mangled: `类` lost and `型` read into the value's box (`型股份有限公司…`), one
/// half of a spaced 名　　称. Such a half becomes its label, so the field above ends there
/// and does not swallow the next one.
fn with_label_zone_labels(rows: &[Row], mut labels: Vec<Label>, split: &ColumnSplit) -> Vec<Label> {
    let mut found = Vec::new();
    for col in 0..2 {
        let in_col: Vec<&Label> = body_labels_in(col, rows, &labels, split).collect();
        let starts: Vec<(f32, f32)> = in_col.iter().map(|l| (rows[l.row].y, l.x0)).collect();
        let values: Vec<(f32, f32)> = in_col
            .iter()
            .filter_map(|l| value_start(rows, l, split).map(|x| (rows[l.row].y, x)))
            .collect();
        if values.len() < 2 {
            continue;
        }
        let (la, lb) = fit_line(&starts);
        let (va, vb) = fit_line(&values);
        for (ri, row) in rows.iter().enumerate() {
            if labels.iter().any(|l| l.row == ri) {
                continue;
            }
            let (label_x, value_x) = (la * row.y + lb, va * row.y + vb);
            if value_x - label_x < 2.0 * row.h {
                continue; // no room for a label between them: not a label column
            }
            let zone: Vec<usize> = (0..row.glyphs.len())
                .filter(|&i| {
                    let g = &row.glyphs[i];
                    split.column(g.x, row.y) == col
                        && g.x > label_x - row.h
                        && g.x < value_x - 0.6 * row.h
                })
                .collect();
            let Some(&start) = zone.first() else {
                continue;
            };
            let found_label = LABELS
                .iter()
                .find(|(text, _)| matches_label(&row.glyphs[start..], text))
                .map(|(text, f)| (*f, text.chars().count()))
                .or_else(|| half_label(row.glyphs[start].ch).map(|f| (f, 1)));
            if let Some((field, len)) = found_label {
                found.push(Label {
                    field,
                    row: ri,
                    start,
                    end: start + len,
                    x0: row.glyphs[start].x.min(label_x),
                    right: col == 1,
                });
            }
        }
    }
    labels.extend(found);
    labels
}

/// The distance between two fields' first lines on this license: the shortest usual step from
/// one body label down to the next in its column (the lower quartile, so that fields wrapping
/// onto more lines do not stretch it). `None` with too few labels to tell.
fn field_pitch(rows: &[Row], labels: &[Label], split: &ColumnSplit) -> Option<f32> {
    let mut steps: Vec<f32> = Vec::new();
    for col in 0..2 {
        let mut ys: Vec<f32> = body_labels_in(col, rows, labels, split)
            .map(|l| rows[l.row].y)
            .collect();
        ys.sort_by(f32::total_cmp);
        steps.extend(ys.windows(2).map(|w| w[1] - w[0]).filter(|d| *d > 0.0));
    }
    if steps.len() < 3 {
        return None;
    }
    steps.sort_by(f32::total_cmp);
    Some(steps[steps.len() / 4])
}

/// Printed below a license's fields: the registration authority, its seal and the footer. A
/// field's continuation never reaches them.
const BELOW_FIELDS: &[&str] = &[
    "登记机关",
    "登记管理机关",
    "颁发单位",
    "发证机关",
    "监督管理局",
    "登记管理局",
    "监制",
    "公示系统",
];

#[derive(Debug)]
struct Open {
    field: Field,
    label_x0: f32,
    /// x of the value's first glyph: wrapped lines start there, not under the label.
    value_x0: Option<f32>,
    last_row_y: f32,
    last_row: usize,
    text: String,
    last_ascii_alnum: bool,
}

/// Collects each label's value, column by column (see the module docs). The first
/// non-empty value of a field wins.
fn streams(rows: &[Row], labels: &[Label], split: &ColumnSplit) -> HashMap<Field, String> {
    let pitch = field_pitch(rows, labels, split);
    let mut values: HashMap<Field, String> = HashMap::new();
    let mut open: [Option<Open>; 2] = [None, None];
    let close = |o: Option<Open>, values: &mut HashMap<Field, String>| {
        if let Some(o) = o {
            let v = o.text.trim().to_owned();
            if !v.is_empty() && o.field != Field::Other {
                values.entry(o.field).or_insert(v);
            }
        }
    };
    for (ri, row) in rows.iter().enumerate() {
        let row_labels: Vec<&Label> = labels.iter().filter(|l| l.row == ri).collect();
        let mut row_text = [String::new(), String::new()];
        for g in &row.glyphs {
            row_text[split.column(g.x, row.y)].push(g.ch);
        }
        let mut i = 0;
        while i < row.glyphs.len() {
            if let Some(l) = row_labels.iter().find(|l| l.start == i) {
                let col = split.column(l.x0, row.y);
                close(open[col].take(), &mut values);
                open[col] = Some(Open {
                    field: l.field,
                    label_x0: l.x0,
                    value_x0: None,
                    last_row_y: row.y,
                    last_row: ri,
                    text: String::new(),
                    last_ascii_alnum: false,
                });
                i = l.end;
                continue;
            }
            let g = &row.glyphs[i];
            i += 1;
            let col = split.column(g.x, row.y);
            let Some(o) = open[col].as_mut() else {
                continue;
            };
            if o.last_row != ri {
                // Wrapped lines are ~1.2 box heights apart, fields ~2 (or what this
                // license's own label rows say): the line between is halfway.
                let dy = row.y - o.last_row_y;
                let near = dy <= 2.0 * row.h && pitch.is_none_or(|p| dy < (1.2 * row.h + p) / 2.0);
                let aligned = g.x >= o.value_x0.unwrap_or(o.label_x0) - 0.8 * row.h;
                let below = BELOW_FIELDS.iter().any(|m| row_text[col].contains(m));
                if !(o.field.multiline() && near && aligned && !below) {
                    // Not a continuation: the field is over.
                    close(open[col].take(), &mut values);
                    continue;
                }
                o.last_row = ri;
                o.last_row_y = row.y;
            }
            o.value_x0.get_or_insert(g.x);
            let alnum = g.ch.is_ascii_alphanumeric();
            if g.space_before && alnum && o.last_ascii_alnum {
                o.text.push(' ');
            }
            o.text.push(g.ch);
            o.last_ascii_alnum = alnum;
        }
    }
    for o in open {
        close(o, &mut values);
    }
    values
}

/// Where a 类型 value begins, read into the name when its label was lost.
const KIND_STARTS: &[&str] = &[
    "型",
    "类型",
    "有限责任公司",
    "股份有限公司",
    "其他有限责任公司",
    "其他股份有限公司",
    "个体工商户",
    "个人独资企业",
    "普通合伙",
    "有限合伙",
    "全民所有制",
    "集体所有制",
    "农民专业合作社",
];

/// The name without the type's text (`…制造股份有限公司型股份有限公司（上市…）`): a company
/// name ends at its 公司, and what follows it there is a type, never more of the name.
fn without_kind(name: &str, kind: Option<&str>) -> String {
    if let Some(k) = kind.filter(|k| name.len() > k.len() && name.ends_with(k)) {
        return name[..name.len() - k.len()].to_owned();
    }
    for (i, _) in name.match_indices("公司") {
        let end = i + "公司".len();
        if KIND_STARTS.iter().any(|s| name[end..].starts_with(s)) {
            return name[..end].to_owned();
        }
    }
    name.to_owned()
}

/// Normalises a field value; `None` when nothing useful is left.
fn clean(field: Field, raw: &str) -> Option<String> {
    let mut v: String = raw
        .trim_start_matches(|c: char| {
            matches!(c, ':' | '：' | '·' | '.' | ',' | '、') || c.is_whitespace()
        })
        .trim_end()
        .to_owned();
    if matches!(
        field,
        Field::Name | Field::Kind | Field::Address | Field::Person | Field::ComposingForm
    ) {
        v = v.replace('(', "（").replace(')', "）");
    }
    if field == Field::Person {
        v.retain(|c| !c.is_ascii_punctuation());
    }
    if field == Field::SetDate {
        // Only the date itself; a value without one is not guessed at.
        return find_date(&v);
    }
    v = v.chars().map(super::t2s::simplified).collect();
    (!v.is_empty()).then_some(v)
}

/// The first `YYYY年M月D日` in `s`, written `YYYY年MM月DD日` (as licenses print it since 2016;
/// older ones drop the zeros).
fn find_date(s: &str) -> Option<String> {
    let chars: Vec<char> = s.chars().collect();
    (0..chars.len()).find_map(|start| {
        let mut i = start;
        let mut parts = [0u32; 3];
        for (k, (min, max, unit)) in [(4, 4, '年'), (1, 2, '月'), (1, 2, '日')]
            .into_iter()
            .enumerate()
        {
            let digits = chars[i..].iter().take_while(|c| c.is_ascii_digit()).count();
            if digits < min || digits > max || chars.get(i + digits) != Some(&unit) {
                return None;
            }
            parts[k] = chars[i..i + digits]
                .iter()
                .collect::<String>()
                .parse()
                .ok()?;
            i += digits + 1;
        }
        let [y, m, d] = parts;
        ((1..=12).contains(&m) && (1..=31).contains(&d)).then(|| format!("{y}年{m:02}月{d:02}日"))
    })
}

/// The date printed under 登记机关 (the registration date).
fn registration_date(rows: &[Row], labels: &[Label]) -> Option<String> {
    let l = labels.iter().find(|l| l.field == Field::Authority)?;
    let label_row = &rows[l.row];
    rows.iter()
        .skip(l.row)
        .take_while(|r| r.y - label_row.y <= 4.0 * label_row.h)
        .find_map(|r| {
            let text: String = r
                .glyphs
                .iter()
                .filter(|g| g.x >= l.x0 - 4.0 * label_row.h)
                .map(|g| g.ch)
                .collect();
            find_date(&text)
        })
}

/// The USCC: every run of 17–20 ASCII letters/digits in a line is a candidate (18-char
/// windows); one that passes the checksum as read, or after the usual OCR confusions
/// (`uscc_repair`), wins, nearest to the 统一社会信用代码 label first. Without such a
/// candidate, the 18-char run nearest the label is returned as read.
fn reg_num(lines: &[&TextLine], geo: &[LineGeo], rows: &[Row], labels: &[Label]) -> Option<String> {
    let anchor = labels
        .iter()
        .find(|l| l.field == Field::RegNum)
        .map(|l| Point::new(l.x0, rows[l.row].y));
    let mut valid: Vec<(f32, String)> = Vec::new();
    let mut raw: Vec<(f32, String)> = Vec::new();
    for (line, g) in lines.iter().zip(geo) {
        let dist = anchor.map_or(0.0, |a| a.dist(g.l));
        let compact: String = line
            .text
            .chars()
            .map(fold_width)
            .filter(|c| !c.is_whitespace())
            .collect();
        for run in compact
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|r| (17..=20).contains(&r.len()))
        {
            if run.len() == 18 {
                raw.push((dist, run.to_owned()));
            }
            for w in 0..=run.len().saturating_sub(18) {
                let window = &run[w..(w + 18).min(run.len())];
                if let Some(ok) = api::validate::uscc_repair(window) {
                    valid.push((dist, ok));
                }
            }
        }
    }
    let nearest = |mut v: Vec<(f32, String)>| {
        v.sort_by(|a, b| a.0.total_cmp(&b.0));
        v.into_iter().next().map(|(_, s)| s)
    };
    nearest(valid).or_else(|| nearest(raw).map(|s| s.to_ascii_uppercase()))
}

/// The label and value text of one field, for tests and diagnostics.
pub fn repair_reg_num(recognized: &str) -> Option<String> {
    api::validate::uscc_repair(recognized)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Text at (x, y) with 40-px glyphs (box height 44, as the detector's unclipped boxes).
    fn at(x: f32, y: f32, text: &str) -> TextLine {
        let n = text.chars().count() as f32;
        TextLine::rect(x, y - 22.0, x + 40.0 * n, y + 22.0, text)
    }

    fn enterprise_lines(code: &str) -> Vec<TextLine> {
        vec![
            at(100.0, 100.0, "统一社会信用代码"),
            at(100.0, 160.0, code),
            at(700.0, 150.0, "营业执照"),
            at(800.0, 260.0, "（副本）"),
            at(1500.0, 100.0, "证照编号：33010600012345"),
            at(100.0, 400.0, "名"),
            at(220.0, 400.0, "称"),
            at(350.0, 400.0, "星河云图科技有限公司"),
            at(1100.0, 400.0, "注册资本"),
            at(1300.0, 400.0, "壹仟万元整"),
            at(100.0, 520.0, "类"),
            at(220.0, 520.0, "型"),
            at(350.0, 520.0, "有限责任公司(自然人投资或控股)"),
            at(1100.0, 520.0, "成立日期"),
            at(1300.0, 520.0, "2016年03月15日"),
            at(100.0, 640.0, "法定代表人"),
            at(350.0, 640.0, "王建国"),
            at(1100.0, 640.0, "营业期限"),
            at(1300.0, 640.0, "2016年03月15日至长期"),
            at(100.0, 760.0, "经营范围"),
            at(350.0, 760.0, "软件开发；信息系统集成服务；"),
            at(350.0, 830.0, "数据处理和存储支持服务。"),
            at(1100.0, 760.0, "住所"),
            at(1300.0, 760.0, "浙江省杭州市西湖区"),
            at(1300.0, 830.0, "文三路90号"),
            at(1100.0, 1100.0, "登记机关"),
            at(1250.0, 1200.0, "2021年03月15日"),
            at(
                100.0,
                1300.0,
                "国家企业信用信息公示系统网址：http://www.gsxt.gov.cn",
            ),
        ]
    }

    #[test]
    fn reads_a_two_column_enterprise_license() {
        let b = parse(&enterprise_lines("91330106MA2KX7Q890"));
        assert_eq!(b.name.as_deref(), Some("星河云图科技有限公司"));
        assert_eq!(b.reg_num.as_deref(), Some("91330106MA2KX7Q890"));
        assert_eq!(b.kind.as_deref(), Some("有限责任公司（自然人投资或控股）"));
        assert_eq!(b.person.as_deref(), Some("王建国"));
        assert_eq!(b.capital.as_deref(), Some("壹仟万元整"));
        assert_eq!(b.set_date.as_deref(), Some("2016年03月15日"));
        assert_eq!(b.period.as_deref(), Some("2016年03月15日至长期"));
        assert_eq!(b.address.as_deref(), Some("浙江省杭州市西湖区文三路90号"));
        assert_eq!(
            b.business.as_deref(),
            Some("软件开发；信息系统集成服务；数据处理和存储支持服务。")
        );
        assert_eq!(b.title.as_deref(), Some("营业执照"));
        assert_eq!(b.is_duplication, Some(1));
        assert_eq!(b.serial_number.as_deref(), Some("33010600012345"));
        assert_eq!(b.registration_date.as_deref(), Some("2021年03月15日"));
        assert_eq!(b.angle, Some(0.0));
    }

    /// A one-column license (the older portrait layout): labels at x 100, values at x 350,
    /// fields 120 apart, wrapped lines 60.
    fn portrait(rows: &[(f32, &str, &str)]) -> Vec<TextLine> {
        let mut lines = vec![
            at(100.0, 100.0, "统一社会信用代码"),
            at(100.0, 160.0, "91330106MA2KX7Q890"),
        ];
        for (y, label, value) in rows {
            if !label.is_empty() {
                lines.push(at(100.0, *y, label));
            }
            if !value.is_empty() {
                lines.push(at(350.0, *y, value));
            }
        }
        lines
    }

    #[test]
    fn a_wrapped_value_keeps_its_second_line() {
        let b = parse(&portrait(&[
            (400.0, "名称", "武汉东湖新技术开发区光谷赟泰生物医药"),
            (460.0, "", "科技研究院有限公司"),
            (580.0, "类型", "股份有限公司（非上市、自然人投资或控"),
            (640.0, "", "股）"),
            (760.0, "住所", "武汉市东湖新技术开发区高新大道666号"),
            (880.0, "法定代表人", "孙喆"),
        ]));
        assert_eq!(
            b.name.as_deref(),
            Some("武汉东湖新技术开发区光谷赟泰生物医药科技研究院有限公司")
        );
        assert_eq!(
            b.kind.as_deref(),
            Some("股份有限公司（非上市、自然人投资或控股）")
        );
    }

    #[test]
    fn a_mangled_type_label_still_ends_the_name() {
        // 类 lost, 型 read into the value's box, starting in the label zone.
        let mut lines = portrait(&[
            (400.0, "名称", "苏州工业园区昇腾精密智能制造股份有"),
            (460.0, "", "限公司"),
            (760.0, "住所", "苏州工业园区星湖街328号"),
            (880.0, "法定代表人", "赵堃"),
        ]);
        lines.push(at(220.0, 580.0, "型股份有限公司（上市、自然人投资或控股）"));
        let b = parse(&lines);
        assert_eq!(
            b.name.as_deref(),
            Some("苏州工业园区昇腾精密智能制造股份有限公司")
        );
        assert_eq!(
            b.kind.as_deref(),
            Some("股份有限公司（上市、自然人投资或控股）")
        );
    }

    #[test]
    fn a_lost_type_label_leaves_the_type_empty_not_in_the_name() {
        // Both halves of 类　　型 lost under glare: the value row stands a field below the
        // name, not a wrapped line below it.
        let b = parse(&portrait(&[
            (400.0, "名称", "广州市天河区燚记粥粉面店"),
            (520.0, "", "个体工商户"),
            (640.0, "经营者", "陈燚"),
            (760.0, "经营场所", "广州市天河区石牌街道"),
            (880.0, "注册日期", "2020年9月1日"),
        ]));
        assert_eq!(b.name.as_deref(), Some("广州市天河区燚记粥粉面店"));
        assert_eq!(b.kind, None);
        assert_eq!(b.set_date.as_deref(), Some("2020年09月01日"));
    }

    #[test]
    fn the_address_stops_at_the_registration_authority() {
        let mut lines = portrait(&[
            (400.0, "名称", "北京堃元科技有限公司"),
            (520.0, "法定代表人", "张伟"),
            (640.0, "住所", "苏州工业园区星湖街328号创意产业园12幢"),
            (700.0, "", "2-3"),
        ]);
        // The seal's text and 登记机关 stamped just below, aligned with the value.
        lines.push(at(400.0, 760.0, "北区市场监督管理局登记机关"));
        lines.push(at(400.0, 820.0, "2025年01月15日"));
        lines.push(at(350.0, 880.0, "国家市场监督管理总局监制"));
        let b = parse(&lines);
        assert_eq!(
            b.address.as_deref(),
            Some("苏州工业园区星湖街328号创意产业园12幢2-3")
        );
    }

    #[test]
    fn a_value_whose_box_overlaps_its_label_stays_on_its_row() {
        // Unclipped boxes on a turned photo: 成立日期's box runs 30 px into its value's, and
        // the value sits a few px higher. It must not become a row of its own, sorted above
        // the label and appended to the field before.
        let mut lines = portrait(&[
            (400.0, "名称", "杭州西溪湿地燚火餐饮管理有限公司"),
            (520.0, "法定代表人", "钱昇"),
        ]);
        lines.push(at(100.0, 640.0, "成立日期"));
        lines.push(at(230.0, 636.0, "2015年6月8日"));
        lines.push(at(100.0, 760.0, "营业期限"));
        lines.push(at(350.0, 760.0, "2015年6月8日至2035年6月7日"));
        let b = parse(&lines);
        assert_eq!(b.set_date.as_deref(), Some("2015年06月08日"));
        assert_eq!(b.person.as_deref(), Some("钱昇"));
    }

    #[test]
    fn the_name_never_takes_the_type() {
        assert_eq!(
            without_kind("智能制造股份有限公司型股份有限公司（上市）", None),
            "智能制造股份有限公司"
        );
        assert_eq!(
            without_kind("喆诚建筑工程有限公司有限责任公司", Some("有限责任公司")),
            "喆诚建筑工程有限公司"
        );
        assert_eq!(
            without_kind("中国银行股份有限公司北京分公司", None),
            "中国银行股份有限公司北京分公司"
        );
        assert_eq!(
            without_kind("南山小满餐饮店（个体工商户）", Some("个体工商户")),
            "南山小满餐饮店（个体工商户）"
        );
    }

    #[test]
    fn repairs_the_uscc_by_its_checksum() {
        // O read for 0 in the check character.
        let b = parse(&enterprise_lines("91330106MA2KX7Q89O"));
        assert_eq!(b.reg_num.as_deref(), Some("91330106MA2KX7Q890"));
        // S for 5 and O for 0 in the middle.
        let b = parse(&enterprise_lines("9144O3O5MAS G3N2R3N"));
        assert_eq!(b.reg_num.as_deref(), Some("91440305MA5G3N2R3N"));
        // Unrepairable: returned as read, upper-cased.
        let b = parse(&enterprise_lines("91330106MA2KX7Q891"));
        assert_eq!(b.reg_num.as_deref(), Some("91330106MA2KX7Q891"));
        assert_eq!(
            repair_reg_num("91330106MA2KX7Q89O").as_deref(),
            Some("91330106MA2KX7Q890")
        );
    }

    #[test]
    fn survives_rotation_and_merged_label_boxes() {
        let mut lines = enterprise_lines("91330106MA2KX7Q890");
        // The detector merged 法定代表人 with its value, and the name label's two characters.
        lines.retain(|l| !matches!(l.text.as_str(), "法定代表人" | "王建国" | "名" | "称"));
        lines.push(at(100.0, 640.0, "法定代表入 王建国"));
        lines.push(at(100.0, 400.0, "名 称"));
        let (s, c) = 4f32.to_radians().sin_cos();
        for l in &mut lines {
            for p in &mut l.quad {
                *p = Point::new(p.x * c - p.y * s + 200.0, p.x * s + p.y * c);
            }
        }
        let b = parse(&lines);
        assert_eq!(b.name.as_deref(), Some("星河云图科技有限公司"));
        assert_eq!(b.person.as_deref(), Some("王建国"));
        assert_eq!(b.address.as_deref(), Some("浙江省杭州市西湖区文三路90号"));
        assert_eq!(b.period.as_deref(), Some("2016年03月15日至长期"));
        assert_eq!(b.reg_num.as_deref(), Some("91330106MA2KX7Q890"));
        assert!((b.angle.unwrap() - 4.0).abs() < 0.1, "{:?}", b.angle);
    }

    #[test]
    fn individual_business_maps_operator_and_premises() {
        let lines = vec![
            at(100.0, 100.0, "统一社会信用代码"),
            at(100.0, 160.0, "92440305MA5HJ8WL2G"),
            at(700.0, 150.0, "营业执照"),
            at(100.0, 400.0, "名称"),
            at(350.0, 400.0, "南山小满餐饮店(个体工商户)"),
            at(1100.0, 400.0, "组成形式"),
            at(1300.0, 400.0, "个人经营"),
            at(100.0, 520.0, "类型"),
            at(350.0, 520.0, "个体工商户"),
            at(1100.0, 520.0, "注册日期"),
            at(1300.0, 520.0, "2020年08月18日"),
            at(100.0, 640.0, "经营者"),
            at(350.0, 640.0, "郑芳"),
            at(1100.0, 640.0, "经营场所"),
            at(1300.0, 640.0, "深圳市南山区桃源街道"),
            at(1300.0, 710.0, "龙珠大道88号103"),
            at(100.0, 760.0, "经营范围"),
            at(350.0, 760.0, "餐饮服务；食品销售。"),
        ];
        let b = parse(&lines);
        assert_eq!(b.name.as_deref(), Some("南山小满餐饮店（个体工商户）"));
        assert_eq!(b.person.as_deref(), Some("郑芳"));
        assert_eq!(b.kind.as_deref(), Some("个体工商户"));
        assert_eq!(b.composing_form.as_deref(), Some("个人经营"));
        assert_eq!(b.set_date.as_deref(), Some("2020年08月18日"));
        assert_eq!(
            b.address.as_deref(),
            Some("深圳市南山区桃源街道龙珠大道88号103")
        );
        assert_eq!(b.capital, None);
        assert_eq!(b.period, None);
    }

    #[test]
    fn institution_certificate_single_column_with_responsible_person() {
        let lines = vec![
            at(600.0, 100.0, "事业单位法人证书"),
            at(100.0, 300.0, "统一社会信用代码"),
            at(500.0, 300.0, "11510107MB1C4D5E7K"),
            at(100.0, 420.0, "名称"),
            at(500.0, 420.0, "青禾市数据资源局"),
            at(100.0, 540.0, "宗旨和业务范围"),
            at(500.0, 540.0, "负责全市数据资源统筹管理，推进"),
            at(500.0, 610.0, "数字政府建设。"),
            at(100.0, 730.0, "住所"),
            at(500.0, 730.0, "青禾市锦城大道1000号"),
            at(100.0, 850.0, "负责人"),
            at(500.0, 850.0, "周敏"),
            at(100.0, 970.0, "开办资金"),
            at(500.0, 970.0, "人民币500万元"),
            at(100.0, 1090.0, "举办单位"),
            at(500.0, 1090.0, "青禾市人民政府"),
            at(100.0, 1210.0, "有效期"),
            at(500.0, 1210.0, "自2021年06月01日至2026年06月01日"),
        ];
        let b = parse(&lines);
        assert_eq!(b.title.as_deref(), Some("事业单位法人证书"));
        assert_eq!(b.name.as_deref(), Some("青禾市数据资源局"));
        assert_eq!(b.reg_num.as_deref(), Some("11510107MB1C4D5E7K"));
        assert_eq!(b.person.as_deref(), Some("周敏"));
        assert_eq!(b.address.as_deref(), Some("青禾市锦城大道1000号"));
        assert_eq!(b.capital.as_deref(), Some("人民币500万元"));
        assert_eq!(
            b.period.as_deref(),
            Some("自2021年06月01日至2026年06月01日")
        );
        assert_eq!(
            b.business.as_deref(),
            Some("负责全市数据资源统筹管理，推进数字政府建设。")
        );
        assert_eq!(b.kind, None);
    }

    #[test]
    fn perspective_skewed_columns_still_split() {
        // Right column drifts right going down (as under perspective).
        let lines = vec![
            at(100.0, 400.0, "名称"),
            at(350.0, 400.0, "蓝海文化传媒有限公司"),
            at(1100.0, 400.0, "注册资本"),
            at(1300.0, 400.0, "伍佰万元整"),
            at(110.0, 520.0, "类型"),
            at(360.0, 520.0, "有限责任公司"),
            at(1140.0, 520.0, "成立日期"),
            at(1340.0, 520.0, "2018年11月02日"),
            at(120.0, 640.0, "法定代表人"),
            at(370.0, 640.0, "赵磊"),
            at(1180.0, 640.0, "营业期限"),
            at(1380.0, 640.0, "长期"),
            at(130.0, 760.0, "经营范围"),
            at(380.0, 760.0, "文化艺术交流活动；广告设计、代理；"),
            at(1220.0, 760.0, "住所"),
            at(1420.0, 760.0, "深圳市南山区"),
        ];
        let b = parse(&lines);
        assert_eq!(b.name.as_deref(), Some("蓝海文化传媒有限公司"));
        assert_eq!(b.capital.as_deref(), Some("伍佰万元整"));
        assert_eq!(b.kind.as_deref(), Some("有限责任公司"));
        assert_eq!(b.set_date.as_deref(), Some("2018年11月02日"));
        assert_eq!(b.person.as_deref(), Some("赵磊"));
        assert_eq!(b.period.as_deref(), Some("长期"));
        assert_eq!(b.address.as_deref(), Some("深圳市南山区"));
    }

    #[test]
    fn dates_and_labels() {
        assert_eq!(
            find_date("至2021年3月5日止").as_deref(),
            Some("2021年03月05日")
        );
        assert_eq!(
            clean(Field::Address, "：深圳市南山區粵海街道").as_deref(),
            Some("深圳市南山区粤海街道")
        );
        assert_eq!(
            clean(Field::Name, "小满餐饮店(个体工商户)").as_deref(),
            Some("小满餐饮店（个体工商户）")
        );
        assert_eq!(find_date("21年3月5日"), None);
        assert_eq!(find_date("2021年13月5日"), None);
        assert_eq!(
            clean(Field::SetDate, "2015年6月8日").as_deref(),
            Some("2015年06月08日")
        );
        assert_eq!(clean(Field::SetDate, "2015年6月"), None);
        let g = |s: &str| -> Vec<Glyph> {
            s.chars()
                .map(|ch| Glyph {
                    ch,
                    x: 0.0,
                    y: 0.0,
                    starts_chunk: true,
                    alone: false,
                    space_before: false,
                })
                .collect()
        };
        assert!(matches_label(&g("法定代表入王"), "法定代表人"));
        assert!(matches_label(&g("统一社会信用代玛"), "统一社会信用代码"));
        assert!(!matches_label(&g("名秋"), "名称"));
        assert!(!matches_label(&g("营业期"), "营业期限"));
    }

    #[test]
    fn nothing_read_gives_empty_license() {
        assert_eq!(parse(&[]), BizLicense::default());
    }
}
