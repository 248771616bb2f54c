//! Characters no name or address may hold, and free text (住所, 类型) as the license shows it.
//!
//! Control characters (Unicode category Cc: NUL, ESC, the C1 range) and format characters (Cf:
//! the bidirectional overrides and isolates such as U+202E RLO, zero-width spaces and joiners,
//! the BOM, soft hyphens) are invisible or reorder what is shown around them. In a name or an
//! address they make two different values look the same, or one value look like another, on
//! a reviewer's screen and in the signed documents. They are refused, never silently dropped,
//! so what the person sees is what is stored. Line breaks and tabs are whitespace and fold to
//! one space like any other.

/// True for a character of Unicode category Cc or Cf (Unicode 16). A hand-written table: the
/// crate has no dependencies (the browser bundle stays small).
pub fn is_invisible(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{00AD}'
            | '\u{0600}'..='\u{0605}'
            | '\u{061C}'
            | '\u{06DD}'
            | '\u{070F}'
            | '\u{0890}'..='\u{0891}'
            | '\u{08E2}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206F}'
            | '\u{FEFF}'
            | '\u{FFF9}'..='\u{FFFB}'
            | '\u{110BD}'
            | '\u{110CD}'
            | '\u{13430}'..='\u{1343F}'
            | '\u{1BCA0}'..='\u{1BCA3}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0001}'
            | '\u{E0020}'..='\u{E007F}')
}

/// What the validators refuse: [`is_invisible`] but for tab and line breaks.
pub(crate) fn refused(c: char) -> bool {
    is_invisible(c) && !matches!(c, '\t' | '\n' | '\r')
}

/// Why free text was rejected. [`message`](FreeTextError::message) takes the field's label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FreeTextError {
    Empty,
    /// More than this many chars.
    TooLong(usize),
    /// A control or format character ([`is_invisible`]).
    Invisible,
}

impl FreeTextError {
    /// Short Chinese message for the field labelled `label` (e.g. `住所`).
    pub fn message(&self, label: &str) -> String {
        match self {
            FreeTextError::Empty => format!("请输入{label}"),
            FreeTextError::TooLong(max) => format!("{label}不能超过{max}个字"),
            FreeTextError::Invisible => format!("{label}含有无法识别的字符，请重新输入"),
        }
    }
}

/// Free text such as 住所 or 类型: whitespace runs (line breaks from OCR included) folded to one
/// space and trimmed; then 1..=`max` chars, none of them [`is_invisible`].
pub fn free_text(input: &str, max: usize) -> Result<String, FreeTextError> {
    if input.chars().any(refused) {
        return Err(FreeTextError::Invisible);
    }
    let v = input.split_whitespace().collect::<Vec<_>>().join(" ");
    match v.chars().count() {
        0 => Err(FreeTextError::Empty),
        n if n > max => Err(FreeTextError::TooLong(max)),
        _ => Ok(v),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invisible_characters() {
        for c in [
            '\u{0}',
            '\u{7}',
            '\u{1B}',
            '\u{7F}',
            '\u{85}',
            '\u{9B}',
            '\u{AD}',
            '\u{200B}',
            '\u{200C}',
            '\u{200D}',
            '\u{200E}',
            '\u{200F}',
            '\u{202A}',
            '\u{202E}',
            '\u{2060}',
            '\u{2066}',
            '\u{2069}',
            '\u{FEFF}',
            '\u{FFF9}',
            '\u{E0001}',
            '\u{E007F}',
        ] {
            assert!(is_invisible(c), "U+{:04X}", c as u32);
        }
        for c in [
            '王', 'a', ' ', '（', '·', '\u{3000}', '〇', '𠀾', '\u{FE0F}', '-',
        ] {
            assert!(!is_invisible(c), "U+{:04X}", c as u32);
        }
    }

    #[test]
    fn free_text_folds_whitespace_and_refuses_the_invisible() {
        assert_eq!(
            free_text("  浙江省杭州市\n西湖区\t文三路 ", 200).as_deref(),
            Ok("浙江省杭州市 西湖区 文三路")
        );
        assert_eq!(free_text(" \n ", 200), Err(FreeTextError::Empty));
        assert_eq!(
            free_text("杭州\u{202E}市", 200),
            Err(FreeTextError::Invisible)
        );
        assert_eq!(free_text("杭州\u{0}", 200), Err(FreeTextError::Invisible));
        assert_eq!(
            free_text("杭州\u{85}市", 200),
            Err(FreeTextError::Invisible)
        );
        assert_eq!(free_text("杭州\u{B}市", 200), Err(FreeTextError::Invisible));
        assert_eq!(free_text("杭州\r\n市", 200).as_deref(), Ok("杭州 市"));
        assert_eq!(free_text("一二三", 2), Err(FreeTextError::TooLong(2)));
        assert_eq!(free_text("一二", 2).as_deref(), Ok("一二"));
        assert_eq!(
            FreeTextError::Invisible.message("住所"),
            "住所含有无法识别的字符，请重新输入"
        );
        assert_eq!(
            FreeTextError::TooLong(50).message("类型"),
            "类型不能超过50个字"
        );
    }
}
