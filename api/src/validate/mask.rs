//! Masking for display and logs. All masks count *chars*, not bytes, and
//! trim surrounding whitespace first.

/// Keeps the first `head` and last `tail` chars and replaces the rest with
/// `*`, provided at least one char gets masked; otherwise masks everything.
fn keep_ends(s: &str, head: usize, tail: usize) -> String {
    let chars: Vec<char> = s.trim().chars().collect();
    let n = chars.len();
    if n <= head + tail {
        return "*".repeat(n);
    }
    chars
        .iter()
        .enumerate()
        .map(|(i, &c)| if i < head || i >= n - tail { c } else { '*' })
        .collect()
}

/// `"330106197503120410"` → `"3301**********0410"`: first 4 and last 4 chars
/// kept, the rest `*`. Inputs shorter than 9 chars are masked entirely
/// (for exactly 8 chars nothing would be hidden).
pub fn mask_id(id: &str) -> String {
    keep_ends(id, 4, 4)
}

/// `"13900000001"` → `"139****0001"`: first 3 and last 4 chars kept, the
/// rest `*`. Inputs shorter than 8 chars are masked entirely.
pub fn mask_mobile(m: &str) -> String {
    keep_ends(m, 3, 4)
}

/// Masks the start of a name: `"王建国"` → `"*建国"`, `"张伟"` → `"*伟"`,
/// `"欧阳娜娜"` → `"**娜娜"`. One char is masked for names of up to 3 chars,
/// two for longer names; a 1-char name becomes `"*"`.
pub fn mask_name(n: &str) -> String {
    let chars: Vec<char> = n.trim().chars().collect();
    let masked = if chars.len() <= 3 { 1 } else { 2 };
    chars
        .iter()
        .enumerate()
        .map(|(i, &c)| if i < masked { '*' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids() {
        assert_eq!(mask_id("330106197503120410"), "3301**********0410");
        assert_eq!(mask_id("31011519800101077X"), "3101**********077X");
        assert_eq!(mask_id(" 330106197503120410 "), "3301**********0410");
        assert_eq!(mask_id("123456789"), "1234*6789");
        assert_eq!(mask_id("12345678"), "********");
        assert_eq!(mask_id("1234"), "****");
        assert_eq!(mask_id(""), "");
    }

    #[test]
    fn mobiles() {
        assert_eq!(mask_mobile("13900000001"), "139****0001");
        assert_eq!(mask_mobile("13800138000"), "138****8000");
        assert_eq!(mask_mobile("12345678"), "123*5678");
        assert_eq!(mask_mobile("1234567"), "*******");
        assert_eq!(mask_mobile(""), "");
    }

    #[test]
    fn names() {
        assert_eq!(mask_name("王建国"), "*建国");
        assert_eq!(mask_name("张伟"), "*伟");
        assert_eq!(mask_name("欧阳娜娜"), "**娜娜");
        assert_eq!(mask_name("买买提·艾力"), "**提·艾力");
        assert_eq!(mask_name("王"), "*");
        assert_eq!(mask_name(" 张伟 "), "*伟");
        assert_eq!(mask_name(""), "");
    }
}
