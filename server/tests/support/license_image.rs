//! Generated business-license images for the OCR tests and the OCR bench.
//!
//! Renders a 营业执照-like page (title, USCC top-left, QR block, two label/value columns,
//! red border, seal, footer) — or the single-column 事业单位法人证书 layout — with Debian's
//! Noto CJK fonts (`apt-get install fonts-noto-cjk`), then makes phone-photo-like variants:
//! clean, rotated with noise and blur, perspective with uneven lighting. Everything is
//! deterministic (fixed seeds).
//!
//! Used by `server/tests/ocr.rs` and `server/examples/ocr_bench.rs` via
//! `#[path = "support/license_image.rs"] mod license_image;`.

#![allow(dead_code)]

use std::io::Cursor;
use std::path::Path;

use ab_glyph::{Font, FontVec, PxScale, ScaleFont};
use image::codecs::jpeg::JpegEncoder;
use image::{ImageFormat, Rgb, RgbImage};
use server::providers::ocr::BizLicense;

/// Where `fonts-noto-cjk` puts its collections; face 2 of each is Simplified Chinese.
pub const FONT_DIR: &str = "/usr/share/fonts/opentype/noto";
const SC_FACE: u32 = 2;

/// Which certificate layout to draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// 营业执照 of a company: 法定代表人, 注册资本, 成立日期, 营业期限, 住所.
    Enterprise,
    /// 营业执照 of an individual business (个体工商户): 经营者, 组成形式, 注册日期, 经营场所.
    Individual,
    /// 事业单位法人证书 / 统一社会信用代码证书 of an institution: one column, 负责人.
    Institution,
}

/// The values printed on a license.
#[derive(Debug, Clone)]
pub struct LicenseSpec {
    pub layout: Layout,
    pub reg_num: &'static str,
    pub name: &'static str,
    /// 类型 (absent on institution certificates).
    pub kind: Option<&'static str>,
    /// 法定代表人 / 经营者 / 负责人.
    pub person: &'static str,
    /// 注册资本 / 开办资金.
    pub capital: Option<&'static str>,
    /// 成立日期 / 注册日期.
    pub set_date: Option<&'static str>,
    /// 营业期限 / 有效期.
    pub period: Option<&'static str>,
    /// 住所 / 经营场所.
    pub address: &'static str,
    /// 经营范围 / 宗旨和业务范围.
    pub business: &'static str,
    pub composing_form: Option<&'static str>,
    /// More label/value rows (institutions: 经费来源, 举办单位).
    pub extra: &'static [(&'static str, &'static str)],
    /// Date under 登记机关.
    pub registration_date: &'static str,
    pub serial: &'static str,
}

/// The demo subjects of the project.
pub fn demo_licenses() -> Vec<LicenseSpec> {
    vec![
        LicenseSpec {
            layout: Layout::Enterprise,
            reg_num: "91330106MA2KX7Q890",
            name: "星河云图科技有限公司",
            kind: Some("有限责任公司（自然人投资或控股）"),
            person: "王建国",
            capital: Some("壹仟万元整"),
            set_date: Some("2016年03月15日"),
            period: Some("2016年03月15日至长期"),
            address: "浙江省杭州市西湖区文三路90号东部软件园科技大厦A座1201室",
            business: "一般项目：技术服务、技术开发、技术咨询、技术交流、技术转让、技术推广；软件开发；信息系统集成服务；数据处理和存储支持服务；人工智能应用软件开发。（除依法须经批准的项目外，凭营业执照依法自主开展经营活动）。",
            composing_form: None,
            extra: &[],
            registration_date: "2021年03月15日",
            serial: "33010620210315",
        },
        LicenseSpec {
            layout: Layout::Institution,
            reg_num: "11510107MB1C4D5E7K",
            name: "青禾市数据资源局",
            kind: None,
            person: "郑芳",
            capital: Some("人民币500万元"),
            set_date: None,
            period: Some("自2021年06月01日至2026年06月01日"),
            address: "四川省青禾市锦城大道1000号市政务服务中心5楼",
            business: "负责全市数据资源统筹管理和开发利用，推进数字政府建设，承担政务数据共享交换平台的建设和运行维护。",
            composing_form: None,
            extra: &[("经费来源", "财政补助"), ("举办单位", "青禾市人民政府")],
            registration_date: "2021年06月01日",
            serial: "51010720210601",
        },
        LicenseSpec {
            layout: Layout::Individual,
            reg_num: "92440305MA5HJ8WL2G",
            name: "南山小满餐饮店（个体工商户）",
            kind: Some("个体工商户"),
            person: "郑芳",
            capital: None,
            set_date: Some("2020年08月18日"),
            period: None,
            address: "深圳市南山区粤海街道科技南路18号101",
            business: "餐饮服务；食品销售；小餐饮、小食杂、食品小作坊经营。",
            composing_form: Some("个人经营"),
            extra: &[],
            registration_date: "2020年08月18日",
            serial: "44030520200818",
        },
        LicenseSpec {
            layout: Layout::Enterprise,
            reg_num: "91440305MA5G3N2R3N",
            name: "蓝海文化传媒有限公司",
            kind: Some("有限责任公司"),
            person: "赵磊",
            capital: Some("伍佰万元整"),
            set_date: Some("2018年11月02日"),
            period: Some("2018年11月02日至2048年11月01日"),
            address: "深圳市南山区沙河街道华侨城创意文化园北区C2栋301",
            business: "组织文化艺术交流活动；广告设计、代理；广告制作；会议及展览服务；数字内容制作服务；文艺创作。",
            composing_form: None,
            extra: &[],
            registration_date: "2018年11月02日",
            serial: "44030520181102",
        },
    ]
}

/// How the license was photographed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    /// A flat, clean scan (2000×1414, PNG).
    Clean,
    /// On a desk, rotated 3.5°, blurred and noisy (2000×1500, JPEG).
    RotatedNoisy,
    /// Taken at an angle (keystone), lit unevenly, slightly noisy (2000×1500, JPEG).
    Perspective,
}

impl Variant {
    pub const ALL: [Variant; 3] = [Variant::Clean, Variant::RotatedNoisy, Variant::Perspective];

    pub fn name(self) -> &'static str {
        match self {
            Variant::Clean => "clean",
            Variant::RotatedNoisy => "rotated+noisy",
            Variant::Perspective => "perspective",
        }
    }
}

/// The eight scored fields.
pub const FIELD_NAMES: [&str; 8] = [
    "Name", "RegNum", "Person", "Type", "Address", "SetDate", "Capital", "Period",
];

impl LicenseSpec {
    /// Expected values of the eight scored fields.
    pub fn expected(&self) -> [Option<String>; 8] {
        let s = |v: &str| Some(v.to_owned());
        [
            s(self.name),
            s(self.reg_num),
            s(self.person),
            self.kind.map(str::to_owned),
            s(self.address),
            self.set_date.map(str::to_owned),
            self.capital.map(str::to_owned),
            self.period.map(str::to_owned),
        ]
    }
}

/// The eight scored fields of a recognition.
pub fn recognized(b: &BizLicense) -> [Option<String>; 8] {
    [
        b.name.clone(),
        b.reg_num.clone(),
        b.person.clone(),
        b.kind.clone(),
        b.address.clone(),
        b.set_date.clone(),
        b.capital.clone(),
        b.period.clone(),
    ]
}

/// Whitespace removed, full-width ASCII and parentheses folded.
pub fn normalize(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .collect()
}

/// One field's outcome.
#[derive(Debug, Clone)]
pub struct FieldScore {
    pub field: &'static str,
    pub expected: Option<String>,
    pub got: Option<String>,
    pub ok: bool,
}

/// Compares a recognition with the spec, field by field (absent = absent counts as right).
pub fn score(spec: &LicenseSpec, got: &BizLicense) -> Vec<FieldScore> {
    FIELD_NAMES
        .iter()
        .zip(spec.expected())
        .zip(recognized(got))
        .map(|((field, expected), got)| FieldScore {
            field,
            ok: expected.as_deref().map(normalize) == got.as_deref().map(normalize),
            expected,
            got,
        })
        .collect()
}

/// A printable table of a score.
pub fn report(scores: &[FieldScore]) -> String {
    scores
        .iter()
        .map(|s| {
            format!(
                "  {} {:8} expected {:?} got {:?}\n",
                if s.ok { "ok  " } else { "MISS" },
                s.field,
                s.expected.as_deref().unwrap_or("-"),
                s.got.as_deref().unwrap_or("-"),
            )
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// Fonts and drawing
// ---------------------------------------------------------------------------------------

/// The Noto CJK faces used.
pub struct Fonts {
    sans: FontVec,
    sans_bold: FontVec,
    serif: FontVec,
    serif_bold: FontVec,
}

impl Fonts {
    /// Loads the Simplified Chinese faces from [`FONT_DIR`]; panics with the install
    /// command when the package is missing.
    pub fn load() -> Fonts {
        let load = |file: &str| {
            let path = Path::new(FONT_DIR).join(file);
            let bytes = std::fs::read(&path).unwrap_or_else(|e| {
                panic!(
                    "{}: {e}; install Debian's CJK fonts: apt-get install fonts-noto-cjk",
                    path.display()
                )
            });
            FontVec::try_from_vec_and_index(bytes, SC_FACE)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        };
        Fonts {
            sans: load("NotoSansCJK-Regular.ttc"),
            sans_bold: load("NotoSansCJK-Bold.ttc"),
            serif: load("NotoSerifCJK-Regular.ttc"),
            serif_bold: load("NotoSerifCJK-Bold.ttc"),
        }
    }
}

fn blend(img: &mut RgbImage, x: i32, y: i32, color: [u8; 3], alpha: f32) {
    if x < 0 || y < 0 || x >= img.width() as i32 || y >= img.height() as i32 || alpha <= 0.0 {
        return;
    }
    let a = alpha.min(1.0);
    let p = img.get_pixel_mut(x as u32, y as u32);
    for k in 0..3 {
        p.0[k] = (f32::from(p.0[k]) * (1.0 - a) + f32::from(color[k]) * a).round() as u8;
    }
}

/// Advance width of `text` at `size` px (no letter spacing).
fn text_width(font: &FontVec, size: f32, text: &str) -> f32 {
    let sf = font.as_scaled(PxScale::from(size));
    text.chars().map(|c| sf.h_advance(font.glyph_id(c))).sum()
}

/// Draws `text` with its baseline at `y`, starting at `x`, `spacing` px between
/// characters. Returns the x after the last character.
fn draw_text(
    img: &mut RgbImage,
    font: &FontVec,
    size: f32,
    x: f32,
    y: f32,
    text: &str,
    color: [u8; 3],
    spacing: f32,
) -> f32 {
    let scale = PxScale::from(size);
    let sf = font.as_scaled(scale);
    let mut pen = x;
    for c in text.chars() {
        let id = font.glyph_id(c);
        let glyph = id.with_scale_and_position(scale, ab_glyph::point(pen, y));
        if let Some(outlined) = font.outline_glyph(glyph) {
            let b = outlined.px_bounds();
            outlined.draw(|gx, gy, cov| {
                blend(
                    img,
                    b.min.x as i32 + gx as i32,
                    b.min.y as i32 + gy as i32,
                    color,
                    cov,
                );
            });
        }
        pen += sf.h_advance(id) + spacing;
    }
    pen
}

/// Draws a label spread over `width` px (名　　称 style).
fn draw_label(
    img: &mut RgbImage,
    font: &FontVec,
    size: f32,
    x: f32,
    y: f32,
    label: &str,
    width: f32,
) {
    let n = label.chars().count();
    let used = text_width(font, size, label);
    let spacing = if n > 1 {
        ((width - used) / (n - 1) as f32).max(0.0)
    } else {
        0.0
    };
    draw_text(img, font, size, x, y, label, INK, spacing);
}

/// Splits `text` into lines no wider than `width`.
fn wrap(font: &FontVec, size: f32, text: &str, width: f32) -> Vec<String> {
    let sf = font.as_scaled(PxScale::from(size));
    let mut lines = vec![String::new()];
    let mut w = 0.0;
    for c in text.chars() {
        let adv = sf.h_advance(font.glyph_id(c));
        if w + adv > width && !lines.last().is_some_and(String::is_empty) {
            lines.push(String::new());
            w = 0.0;
        }
        lines.last_mut().expect("non-empty").push(c);
        w += adv;
    }
    lines
}

fn fill_rect(img: &mut RgbImage, x0: i32, y0: i32, x1: i32, y1: i32, color: [u8; 3], alpha: f32) {
    for y in y0..y1 {
        for x in x0..x1 {
            blend(img, x, y, color, alpha);
        }
    }
}

fn ring(img: &mut RgbImage, cx: f32, cy: f32, r: f32, thick: f32, color: [u8; 3], alpha: f32) {
    let r_out = r.ceil() as i32 + 1;
    for dy in -r_out..=r_out {
        for dx in -r_out..=r_out {
            let d = ((dx * dx + dy * dy) as f32).sqrt();
            let cover = (d - (r - thick)).clamp(0.0, 1.0) * (r - d + 1.0).clamp(0.0, 1.0);
            blend(img, cx as i32 + dx, cy as i32 + dy, color, alpha * cover);
        }
    }
}

fn star(img: &mut RgbImage, cx: f32, cy: f32, r: f32, color: [u8; 3], alpha: f32) {
    let pts: Vec<(f32, f32)> = (0..10)
        .map(|i| {
            let a = -std::f32::consts::FRAC_PI_2 + i as f32 * std::f32::consts::PI / 5.0;
            let rr = if i % 2 == 0 { r } else { r * 0.4 };
            (cx + rr * a.cos(), cy + rr * a.sin())
        })
        .collect();
    let ri = r.ceil() as i32;
    for y in (cy as i32 - ri)..=(cy as i32 + ri) {
        for x in (cx as i32 - ri)..=(cx as i32 + ri) {
            // Even-odd point in polygon.
            let (px, py) = (x as f32 + 0.5, y as f32 + 0.5);
            let mut inside = false;
            for i in 0..pts.len() {
                let (a, b) = (pts[i], pts[(i + 1) % pts.len()]);
                if (a.1 > py) != (b.1 > py) && px < (b.0 - a.0) * (py - a.1) / (b.1 - a.1) + a.0 {
                    inside = !inside;
                }
            }
            if inside {
                blend(img, x, y, color, alpha);
            }
        }
    }
}

/// Deterministic pseudo-random numbers (xorshift64*).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f32 {
        (self.next_u64() >> 40) as f32 / (1u64 << 24) as f32
    }

    /// Approximately normal, mean 0, deviation 1 (Irwin–Hall of 4).
    pub fn normal(&mut self) -> f32 {
        ((0..4).map(|_| self.unit()).sum::<f32>() - 2.0) * 3f32.sqrt()
    }
}

fn qr_block(img: &mut RgbImage, x0: i32, y0: i32, module: i32, rng: &mut Rng) {
    const N: i32 = 25;
    let finder = |x: i32, y: i32| -> Option<bool> {
        for (fx, fy) in [(0, 0), (N - 7, 0), (0, N - 7)] {
            let (dx, dy) = (x - fx, y - fy);
            if (0..7).contains(&dx) && (0..7).contains(&dy) {
                let ring = dx.min(dy).min(6 - dx).min(6 - dy);
                return Some(ring != 1);
            }
        }
        None
    };
    for y in 0..N {
        for x in 0..N {
            let dark = finder(x, y).unwrap_or_else(|| rng.unit() < 0.5);
            if dark {
                let (px, py) = (x0 + x * module, y0 + y * module);
                fill_rect(img, px, py, px + module, py + module, INK, 1.0);
            }
        }
    }
}

const INK: [u8; 3] = [25, 22, 20];
const RED: [u8; 3] = [196, 48, 40];
const PAPER: [u8; 3] = [250, 247, 240];

/// Page size of the flat document.
pub const PAGE_W: u32 = 2000;
pub const PAGE_H: u32 = 1414;

/// Renders the flat document (2000×1414).
pub fn render_page(spec: &LicenseSpec, fonts: &Fonts) -> RgbImage {
    let mut img = RgbImage::from_pixel(PAGE_W, PAGE_H, Rgb(PAPER));
    let (w, h) = (PAGE_W as i32, PAGE_H as i32);

    // Light guilloche background.
    for k in 0..36 {
        let base = 60.0 + k as f32 * 38.0;
        for x in 0..w {
            let y = base + 9.0 * ((x as f32) / 57.0 + k as f32).sin();
            blend(&mut img, x, y as i32, [228, 214, 205], 0.6);
        }
    }
    // Border: a wide red-brown band and a thin inner line.
    for (inset, thick) in [(28, 16), (58, 3)] {
        fill_rect(
            &mut img,
            inset,
            inset,
            w - inset,
            inset + thick,
            [170, 70, 55],
            1.0,
        );
        fill_rect(
            &mut img,
            inset,
            h - inset - thick,
            w - inset,
            h - inset,
            [170, 70, 55],
            1.0,
        );
        fill_rect(
            &mut img,
            inset,
            inset,
            inset + thick,
            h - inset,
            [170, 70, 55],
            1.0,
        );
        fill_rect(
            &mut img,
            w - inset - thick,
            inset,
            w - inset,
            h - inset,
            [170, 70, 55],
            1.0,
        );
    }

    let body = 34.0;
    let mut rng = Rng::new(spec.reg_num.bytes().map(u64::from).sum());
    match spec.layout {
        Layout::Enterprise | Layout::Individual => {
            // Emblem, title, 副本.
            ring(&mut img, 1000.0, 135.0, 58.0, 58.0, [200, 40, 35], 0.9);
            ring(&mut img, 1000.0, 135.0, 40.0, 5.0, [235, 190, 80], 1.0);
            star(&mut img, 1000.0, 132.0, 26.0, [240, 200, 90], 1.0);
            let title = "营业执照";
            let tw = text_width(&fonts.serif_bold, 100.0, title) + 3.0 * 60.0;
            draw_text(
                &mut img,
                &fonts.serif_bold,
                100.0,
                1000.0 - tw / 2.0,
                300.0,
                title,
                INK,
                60.0,
            );
            let dup = "（副 本）";
            let dw = text_width(&fonts.sans, 32.0, dup);
            draw_text(
                &mut img,
                &fonts.sans,
                32.0,
                1000.0 - dw / 2.0,
                360.0,
                dup,
                INK,
                0.0,
            );
            // USCC and serial, top left.
            draw_text(
                &mut img,
                &fonts.sans,
                30.0,
                130.0,
                190.0,
                "统一社会信用代码",
                INK,
                0.0,
            );
            draw_text(
                &mut img,
                &fonts.sans,
                36.0,
                130.0,
                240.0,
                spec.reg_num,
                INK,
                1.0,
            );
            draw_text(
                &mut img,
                &fonts.sans,
                22.0,
                130.0,
                290.0,
                &format!("证照编号：{}", spec.serial),
                INK,
                0.0,
            );
            // QR block top right with its caption.
            qr_block(&mut img, 1640, 110, 8, &mut rng);
            for (i, line) in wrap(
                &fonts.sans,
                17.0,
                "扫描市场主体身份码了解更多登记、备案、许可、监管信息，体验更多应用服务。",
                230.0,
            )
            .iter()
            .enumerate()
            {
                draw_text(
                    &mut img,
                    &fonts.sans,
                    17.0,
                    1625.0,
                    345.0 + 24.0 * i as f32,
                    line,
                    INK,
                    0.0,
                );
            }

            let (left, right): (Vec<(&str, &str)>, Vec<(&str, &str)>) =
                if spec.layout == Layout::Enterprise {
                    (
                        vec![
                            ("名称", spec.name),
                            ("类型", spec.kind.unwrap_or("")),
                            ("法定代表人", spec.person),
                            ("经营范围", spec.business),
                        ],
                        vec![
                            ("注册资本", spec.capital.unwrap_or("")),
                            ("成立日期", spec.set_date.unwrap_or("")),
                            ("营业期限", spec.period.unwrap_or("")),
                            ("住所", spec.address),
                        ],
                    )
                } else {
                    (
                        vec![
                            ("名称", spec.name),
                            ("类型", spec.kind.unwrap_or("")),
                            ("经营者", spec.person),
                            ("经营范围", spec.business),
                        ],
                        vec![
                            ("组成形式", spec.composing_form.unwrap_or("")),
                            ("注册日期", spec.set_date.unwrap_or("")),
                            ("经营场所", spec.address),
                        ],
                    )
                };
            draw_column(&mut img, fonts, body, 130.0, 330.0, 1000.0, 480.0, &left);
            draw_column(&mut img, fonts, body, 1060.0, 1260.0, 1880.0, 480.0, &right);

            // 登记机关 with seal and date, bottom right.
            draw_text(
                &mut img,
                &fonts.sans,
                32.0,
                1290.0,
                1170.0,
                "登记机关",
                INK,
                6.0,
            );
            draw_text(
                &mut img,
                &fonts.serif,
                body,
                1400.0,
                1262.0,
                spec.registration_date,
                INK,
                0.0,
            );
            ring(&mut img, 1560.0, 1160.0, 112.0, 8.0, RED, 0.75);
            star(&mut img, 1560.0, 1160.0, 36.0, RED, 0.75);
            // Footer.
            draw_text(
                &mut img,
                &fonts.sans,
                19.0,
                130.0,
                1312.0,
                "市场主体应当于每年1月1日至6月30日通过国家企业信用信息公示系统报送公示年度报告。",
                INK,
                0.0,
            );
            draw_text(
                &mut img,
                &fonts.sans,
                19.0,
                130.0,
                1342.0,
                "国家企业信用信息公示系统网址：http://www.gsxt.gov.cn",
                INK,
                0.0,
            );
            draw_text(
                &mut img,
                &fonts.sans,
                19.0,
                1620.0,
                1342.0,
                "国家市场监督管理总局监制",
                INK,
                0.0,
            );
        }
        Layout::Institution => {
            ring(&mut img, 1000.0, 135.0, 58.0, 58.0, [200, 40, 35], 0.9);
            star(&mut img, 1000.0, 132.0, 26.0, [240, 200, 90], 1.0);
            let title = "事业单位法人证书";
            let tw = text_width(&fonts.serif_bold, 84.0, title) + 7.0 * 24.0;
            draw_text(
                &mut img,
                &fonts.serif_bold,
                84.0,
                1000.0 - tw / 2.0,
                290.0,
                title,
                INK,
                24.0,
            );
            let dup = "（副 本）";
            let dw = text_width(&fonts.sans, 32.0, dup);
            draw_text(
                &mut img,
                &fonts.sans,
                32.0,
                1000.0 - dw / 2.0,
                350.0,
                dup,
                INK,
                0.0,
            );
            draw_text(
                &mut img,
                &fonts.sans,
                22.0,
                1500.0,
                190.0,
                &format!("证书编号：{}", spec.serial),
                INK,
                0.0,
            );
            qr_block(&mut img, 150, 110, 7, &mut rng);

            let mut rows: Vec<(&str, &str)> = vec![
                ("统一社会信用代码", spec.reg_num),
                ("名称", spec.name),
                ("宗旨和业务范围", spec.business),
                ("住所", spec.address),
                ("负责人", spec.person),
            ];
            rows.extend(spec.extra.iter().copied());
            rows.push(("开办资金", spec.capital.unwrap_or("")));
            rows.push(("有效期", spec.period.unwrap_or("")));
            draw_column(&mut img, fonts, body, 250.0, 620.0, 1760.0, 450.0, &rows);

            draw_text(
                &mut img,
                &fonts.sans,
                32.0,
                1290.0,
                1190.0,
                "登记管理机关",
                INK,
                4.0,
            );
            draw_text(
                &mut img,
                &fonts.serif,
                body,
                1400.0,
                1270.0,
                spec.registration_date,
                INK,
                0.0,
            );
            ring(&mut img, 1580.0, 1170.0, 112.0, 8.0, RED, 0.75);
            star(&mut img, 1580.0, 1170.0, 36.0, RED, 0.75);
            draw_text(
                &mut img,
                &fonts.sans,
                19.0,
                130.0,
                1342.0,
                "国家事业单位登记管理局监制",
                INK,
                0.0,
            );
        }
    }
    img
}

/// Draws label/value rows from baseline `y`: labels at `label_x` (spread over five
/// characters, or their own width when longer), values from `value_x` wrapped at `max_x`.
#[allow(clippy::too_many_arguments)]
fn draw_column(
    img: &mut RgbImage,
    fonts: &Fonts,
    size: f32,
    label_x: f32,
    value_x: f32,
    max_x: f32,
    mut y: f32,
    rows: &[(&str, &str)],
) {
    let pitch = size * 2.65;
    let line_pitch = size * 1.5;
    for (label, value) in rows {
        let n = label.chars().count().max(5) as f32;
        let label_w = text_width(&fonts.sans, size, "字") * n;
        draw_label(img, &fonts.sans, size, label_x, y, label, label_w);
        let value_x = value_x.max(label_x + label_w + size);
        let lines = wrap(&fonts.serif, size, value, max_x - value_x);
        for (i, line) in lines.iter().enumerate() {
            draw_text(
                img,
                &fonts.serif,
                size,
                value_x,
                y + line_pitch * i as f32,
                line,
                INK,
                0.0,
            );
        }
        y += pitch + line_pitch * (lines.len() - 1) as f32;
    }
}

// ---------------------------------------------------------------------------------------
// Photo variants
// ---------------------------------------------------------------------------------------

/// Homography with `H·src[i] ~ dst[i]`.
fn homography(src: [(f64, f64); 4], dst: [(f64, f64); 4]) -> [f64; 9] {
    let mut a = [[0f64; 9]; 8];
    for i in 0..4 {
        let ((x, y), (u, v)) = (src[i], dst[i]);
        a[2 * i] = [x, y, 1.0, 0.0, 0.0, 0.0, -u * x, -u * y, u];
        a[2 * i + 1] = [0.0, 0.0, 0.0, x, y, 1.0, -v * x, -v * y, v];
    }
    for col in 0..8 {
        let p = (col..8)
            .max_by(|&r, &s| a[r][col].abs().total_cmp(&a[s][col].abs()))
            .expect("rows");
        a.swap(col, p);
        for r in 0..8 {
            if r != col {
                let f = a[r][col] / a[col][col];
                for c in col..9 {
                    a[r][c] -= f * a[col][c];
                }
            }
        }
    }
    let mut h = [0f64; 9];
    for i in 0..8 {
        h[i] = a[i][8] / a[i][i];
    }
    h[8] = 1.0;
    h
}

/// Warps the page into a `w`×`h` frame, its corners landing on `corners` (tl, tr, br, bl),
/// over a desk-coloured background; `light(x, y)` multiplies every pixel.
fn photograph(
    page: &RgbImage,
    w: u32,
    h: u32,
    corners: [(f64, f64); 4],
    light: impl Fn(f32, f32) -> f32,
) -> RgbImage {
    let (pw, ph) = (f64::from(page.width()), f64::from(page.height()));
    // Frame → page.
    let inv = homography(corners, [(0.0, 0.0), (pw, 0.0), (pw, ph), (0.0, ph)]);
    let mut out = RgbImage::new(w, h);
    let raw = page.as_raw();
    let (iw, ih) = (page.width() as i64, page.height() as i64);
    for y in 0..h {
        for x in 0..w {
            let (fx, fy) = (f64::from(x) + 0.5, f64::from(y) + 0.5);
            let d = inv[6] * fx + inv[7] * fy + inv[8];
            let sx = (inv[0] * fx + inv[1] * fy + inv[2]) / d - 0.5;
            let sy = (inv[3] * fx + inv[4] * fy + inv[5]) / d - 0.5;
            let mut px = if sx >= -0.5 && sy >= -0.5 && sx < pw - 0.5 && sy < ph - 0.5 {
                let (x0, y0) = (sx.floor() as i64, sy.floor() as i64);
                let (ax, ay) = ((sx - x0 as f64) as f32, (sy - y0 as f64) as f32);
                let at = |xx: i64, yy: i64, k: usize| {
                    let xx = xx.clamp(0, iw - 1);
                    let yy = yy.clamp(0, ih - 1);
                    f32::from(raw[((yy * iw + xx) * 3) as usize + k])
                };
                let mut v = [0f32; 3];
                for (k, vk) in v.iter_mut().enumerate() {
                    let top = at(x0, y0, k) * (1.0 - ax) + at(x0 + 1, y0, k) * ax;
                    let bot = at(x0, y0 + 1, k) * (1.0 - ax) + at(x0 + 1, y0 + 1, k) * ax;
                    *vk = top * (1.0 - ay) + bot * ay;
                }
                v
            } else {
                // Wooden desk.
                let grain = 8.0 * ((y as f32) / 23.0 + (x as f32) / 400.0).sin();
                [128.0 + grain, 104.0 + grain, 80.0 + grain]
            };
            let l = light(x as f32 / w as f32, y as f32 / h as f32);
            for v in &mut px {
                *v *= l;
            }
            out.put_pixel(x, y, Rgb(px.map(|v| v.round().clamp(0.0, 255.0) as u8)));
        }
    }
    out
}

fn add_noise(img: &mut RgbImage, sigma: f32, rng: &mut Rng) {
    for p in img.pixels_mut() {
        let n = rng.normal() * sigma; // luminance noise, plus a little chroma
        for v in &mut p.0 {
            let c = rng.normal() * sigma * 0.3;
            *v = (f32::from(*v) + n + c).round().clamp(0.0, 255.0) as u8;
        }
    }
}

/// [1 2 1]/4 blur in both directions (slight defocus).
fn blur(img: &RgbImage) -> RgbImage {
    let (w, h) = (img.width() as i64, img.height() as i64);
    let pass = |src: &RgbImage, dx: i64, dy: i64| {
        let mut out = RgbImage::new(w as u32, h as u32);
        for y in 0..h {
            for x in 0..w {
                let at = |xx: i64, yy: i64| {
                    src.get_pixel(xx.clamp(0, w - 1) as u32, yy.clamp(0, h - 1) as u32)
                        .0
                };
                let (a, b, c) = (at(x - dx, y - dy), at(x, y), at(x + dx, y + dy));
                let mut v = [0u8; 3];
                for k in 0..3 {
                    v[k] =
                        ((u16::from(a[k]) + 2 * u16::from(b[k]) + u16::from(c[k]) + 2) / 4) as u8;
                }
                out.put_pixel(x as u32, y as u32, Rgb(v));
            }
        }
        out
    };
    pass(&pass(img, 1, 0), 0, 1)
}

/// Renders `spec` as photographed in `variant`.
pub fn render_image(spec: &LicenseSpec, variant: Variant, fonts: &Fonts) -> RgbImage {
    let page = render_page(spec, fonts);
    let seed = spec.reg_num.bytes().map(u64::from).sum::<u64>() * 31 + variant as u64;
    let mut rng = Rng::new(seed);
    match variant {
        Variant::Clean => page,
        Variant::RotatedNoisy => {
            let (w, h) = (2000u32, 1500u32);
            let s = 0.88f64;
            let (a_s, a_c) = 3.5f64.to_radians().sin_cos();
            let (cx, cy) = (f64::from(w) / 2.0, f64::from(h) / 2.0);
            let (hw, hh) = (f64::from(PAGE_W) * s / 2.0, f64::from(PAGE_H) * s / 2.0);
            let rot = |x: f64, y: f64| (cx + x * a_c - y * a_s, cy + x * a_s + y * a_c);
            let corners = [rot(-hw, -hh), rot(hw, -hh), rot(hw, hh), rot(-hw, hh)];
            let mut img = blur(&photograph(&page, w, h, corners, |_, _| 0.97));
            add_noise(&mut img, 9.0, &mut rng);
            img
        }
        Variant::Perspective => {
            let (w, h) = (2000u32, 1500u32);
            let corners = [
                (250.0, 170.0),
                (1770.0, 120.0),
                (1890.0, 1390.0),
                (120.0, 1330.0),
            ];
            let mut img = photograph(&page, w, h, corners, |x, y| {
                // Brighter top right, darker bottom left, a soft vignette.
                let grad = 0.62 + 0.4 * (0.6 * x + 0.4 * (1.0 - y));
                let r2 = (x - 0.55).powi(2) + (y - 0.45).powi(2);
                grad * (1.0 - 0.35 * r2)
            });
            add_noise(&mut img, 5.0, &mut rng);
            img
        }
    }
}

/// Encodes an image as the upload would be: PNG for clean scans, JPEG (quality 85) for
/// photos.
pub fn encode(img: &RgbImage, variant: Variant) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    match variant {
        Variant::Clean => img
            .write_to(&mut out, ImageFormat::Png)
            .expect("PNG encode"),
        _ => JpegEncoder::new_with_quality(&mut out, 85)
            .encode_image(img)
            .expect("JPEG encode"),
    }
    out.into_inner()
}

/// Renders and encodes.
pub fn render(spec: &LicenseSpec, variant: Variant, fonts: &Fonts) -> Vec<u8> {
    encode(&render_image(spec, variant, fonts), variant)
}

/// The license as a phone camera would save it: 4000×3000, sensor noise, JPEG quality 95
/// (several MB). The e2e tests upload it to prove the device shrinks it before sending.
pub fn phone_photo(spec: &LicenseSpec, fonts: &Fonts) -> Vec<u8> {
    let shot = render_image(spec, Variant::Perspective, fonts);
    let mut big = image::imageops::resize(&shot, 4000, 3000, image::imageops::FilterType::Triangle);
    add_noise(&mut big, 7.0, &mut Rng::new(7));
    let mut out = Cursor::new(Vec::new());
    JpegEncoder::new_with_quality(&mut out, 95)
        .encode_image(&big)
        .expect("JPEG encode");
    out.into_inner()
}
