//! Mainland China mobile numbers: `^1[3-9]\d{9}$` after normalisation.
//!
//! No normative source exists for the prefix range (providers.md §7 [U]); this
//! is the industry convention. Tencent SMS wants E.164, i.e. `+86` + the
//! 11 digits returned here.

use super::{error_messages, fold_width};

/// Why a mobile number was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MobileError {
    /// Nothing (or only whitespace/separators) was entered.
    Empty,
    /// Not an 11-digit mainland mobile number.
    Format,
}

error_messages!(MobileError {
    Empty => "请输入手机号",
    Format => "请输入11位中国大陆手机号",
});

/// Validates a mainland mobile number and returns its 11 digits.
///
/// Normalisation: full-width digits folded to ASCII; whitespace and dashes
/// (`-`, and the en/em dashes and full-width hyphen that phones paste)
/// removed; then one country prefix `+86`, `0086` or `86` stripped (`86` and
/// `0086` only when followed by exactly 11 digits).
pub fn mobile(input: &str) -> Result<String, MobileError> {
    let s: String = input
        .chars()
        .map(fold_width)
        .filter(|&c| !c.is_whitespace() && !matches!(c, '-' | '\u{2010}'..='\u{2015}'))
        .collect();
    if s.is_empty() {
        return Err(MobileError::Empty);
    }
    let digits = if let Some(rest) = s.strip_prefix("+86") {
        rest
    } else if s.len() == 15 && s.starts_with("0086") {
        &s[4..]
    } else if s.len() == 13 && s.starts_with("86") {
        &s[2..]
    } else {
        &s
    };
    let b = digits.as_bytes();
    let ok = b.len() == 11
        && b[0] == b'1'
        && (b'3'..=b'9').contains(&b[1])
        && b.iter().all(u8::is_ascii_digit);
    if ok {
        Ok(digits.to_owned())
    } else {
        Err(MobileError::Format)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_examples() {
        assert_eq!(mobile("13800138000").as_deref(), Ok("13800138000"));
        assert_eq!(mobile("+8619912345678").as_deref(), Ok("19912345678"));
        assert_eq!(mobile("12345678901"), Err(MobileError::Format));
        assert_eq!(mobile("1380013800"), Err(MobileError::Format));
    }

    #[test]
    fn prefixes_and_separators() {
        for ok in [
            "13900000001",
            " 139 0000 0001 ",
            "139-0000-0001",
            "+86 139 0000 0001",
            "+86-13900000001",
            "8613900000001",
            "86 139 0000 0001",
            "008613900000001",
            "0086 139-0000-0001",
            "１３９００００００01",
            "139\u{2014}0000\u{2014}0001",
        ] {
            assert_eq!(mobile(ok).as_deref(), Ok("13900000001"), "{ok}");
        }
    }

    #[test]
    fn second_digit_range() {
        for d in 0..=9 {
            let m = format!("1{d}900000001");
            assert_eq!(mobile(&m).is_ok(), d >= 3, "{m}");
        }
    }

    #[test]
    fn rejects() {
        assert_eq!(mobile(""), Err(MobileError::Empty));
        assert_eq!(mobile("  - "), Err(MobileError::Empty));
        for bad in [
            "23900000001",
            "139000000012",
            "+8513900000001",
            "+86139000000",
            "+8686139000000",
            "08613900000001",
            "1390000000a",
            "139.0000.0001",
            "(139)00000001",
            "+13900000001",
            "手机号",
        ] {
            assert_eq!(mobile(bad), Err(MobileError::Format), "{bad}");
        }
    }

    #[test]
    fn messages() {
        assert_eq!(MobileError::Empty.to_string(), "请输入手机号");
        assert_eq!(MobileError::Format.message(), "请输入11位中国大陆手机号");
    }
}
