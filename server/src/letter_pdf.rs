//! The 授权书 template (超级管理员授权书) as a one-page PDF, written here: the institution's
//! name and 统一社会信用代码 and the applicant's details filled in, blanks for the rest.
//!
//! The text uses Adobe's standard Chinese font STSong-Light (Adobe-GB1), which every PDF reader
//! provides, so no font is embedded and the file stays a few KB. The wording is the project's.

/// What the template is filled with.
pub struct LetterFields<'a> {
    pub institution: &'a str,
    pub uscc: &'a str,
    pub applicant: &'a str,
    /// Masked (`3301**********0410`): the applicant writes the full number by hand.
    pub applicant_id_masked: &'a str,
    pub applicant_phone_masked: &'a str,
}

/// UCS-2 big-endian hex, as the UniGB-UCS2-H encoding expects.
fn ucs2(text: &str) -> String {
    text.encode_utf16().map(|u| format!("{u:04X}")).collect()
}

/// One line of text at (x, y), size pt.
fn line(out: &mut String, x: u32, y: u32, size: u32, text: &str) {
    out.push_str(&format!(
        "BT /F1 {size} Tf {x} {y} Td <{}> Tj ET\n",
        ucs2(text)
    ));
}

/// Wraps at `width` characters (CJK text has no spaces to break at).
fn paragraph(out: &mut String, x: u32, mut y: u32, size: u32, width: usize, text: &str) -> u32 {
    let chars: Vec<char> = text.chars().collect();
    for chunk in chars.chunks(width) {
        line(out, x, y, size, &chunk.iter().collect::<String>());
        y -= size + 8;
    }
    y
}

pub fn render(f: &LetterFields<'_>) -> Vec<u8> {
    let mut c = String::new();
    line(&mut c, 212, 770, 22, "超级管理员授权书");
    let mut y = 720;
    y = paragraph(&mut c, 60, y, 12, 39, "致：腾讯电子签");
    y -= 6;
    let body = format!(
        "兹授权{}（身份证号：{}，手机号：{}）作为本单位在腾讯电子签的超级管理员，代表本单位办理企业认证、管理电子印章与成员、发起和签署电子合同等事宜。本单位对超级管理员在授权范围内的行为承担责任。",
        f.applicant, f.applicant_id_masked, f.applicant_phone_masked
    );
    y = paragraph(&mut c, 60, y, 12, 39, &body);
    y -= 12;
    for (label, value) in [
        ("单位名称：", f.institution),
        ("统一社会信用代码：", f.uscc),
        ("超级管理员姓名：", f.applicant),
        ("超级管理员身份证号：", "（请完整填写）"),
        ("超级管理员手机号：", "（请与电子签系统中保持一致）"),
        ("授权期限：", "自签署之日起至本单位书面撤销之日止"),
    ] {
        line(&mut c, 60, y, 12, &format!("{label}{value}"));
        y -= 24;
    }
    y -= 24;
    line(&mut c, 330, y, 12, "单位（公章）：");
    y -= 40;
    line(&mut c, 330, y, 12, "法定代表人或负责人签字：");
    y -= 40;
    line(&mut c, 330, y, 12, "日期：        年      月      日");
    line(&mut c, 60, 90, 9, "填写说明：请将日期填写完整；请勿改动模板内容；超管信息须与电子签系统一致；上传的照片须清晰可辨认。");

    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>".to_owned(),
        format!("<< /Length {} >>\nstream\n{c}endstream", c.len()),
        "<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts [6 0 R] >>".to_owned(),
        "<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 4 >> /FontDescriptor 7 0 R /DW 1000 >>".to_owned(),
        "<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>".to_owned(),
    ];
    let mut pdf = String::from("%PDF-1.4\n");
    let mut offsets = Vec::with_capacity(objects.len());
    for (i, body) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.push_str(&format!("{} 0 obj\n{body}\nendobj\n", i + 1));
    }
    let xref = pdf.len();
    pdf.push_str(&format!(
        "xref\n0 {}\n0000000000 65535 f \n",
        objects.len() + 1
    ));
    for o in offsets {
        pdf.push_str(&format!("{o:010} 00000 n \n"));
    }
    pdf.push_str(&format!(
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    ));
    pdf.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<u8> {
        render(&LetterFields {
            institution: "青禾市数据资源局",
            uscc: "11510107MB1C4D5E7K",
            applicant: "周敏",
            applicant_id_masked: "5101**********0256",
            applicant_phone_masked: "139****0021",
        })
    }

    #[test]
    fn is_a_pdf_whose_xref_points_at_each_object() {
        let pdf = sample();
        let text = String::from_utf8(pdf.clone()).unwrap();
        assert!(text.starts_with("%PDF-1.4\n") && text.ends_with("%%EOF\n"));
        let start: usize = text
            .rsplit("startxref\n")
            .next()
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!(text[start..].starts_with("xref\n0 8\n"));
        for (i, entry) in text[start..].lines().skip(3).take(7).enumerate() {
            let offset: usize = entry[..10].parse().unwrap();
            assert!(
                text[offset..].starts_with(&format!("{} 0 obj", i + 1)),
                "object {}",
                i + 1
            );
        }
        let length: usize = text
            .split("/Length ")
            .nth(1)
            .unwrap()
            .split(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let stream = text.split_once(">>\nstream\n").unwrap().1;
        assert!(
            stream[length..].starts_with("endstream"),
            "/Length is the stream's length"
        );
    }

    #[test]
    fn carries_the_filled_in_details_in_the_chinese_font() {
        let text = String::from_utf8(sample()).unwrap();
        assert!(text.contains("/BaseFont /STSong-Light"));
        for filled in [
            "青禾市数据资源局",
            "11510107MB1C4D5E7K",
            "周敏",
            "超级管理员授权书",
        ] {
            assert!(text.contains(&ucs2(filled)), "{filled}");
        }
        assert!(
            !text.contains(&ucs2("510107198511300256")),
            "never the full ID number"
        );
    }
}
