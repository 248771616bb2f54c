//! 6-digit SMS verification code.

use super::{error_messages, fold_width};

/// Why an SMS code was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmsCodeError {
    /// Nothing (or only whitespace) was entered.
    Empty,
    /// Not exactly 6 digits.
    Format,
}

error_messages!(SmsCodeError {
    Empty => "请输入验证码",
    Format => "验证码应为6位数字",
});

/// Validates an SMS code: exactly 6 ASCII digits once all whitespace is
/// removed (users paste `"123 456"`) and full-width digits are folded.
pub fn sms_code(input: &str) -> Result<String, SmsCodeError> {
    let s: String = input
        .chars()
        .map(fold_width)
        .filter(|c| !c.is_whitespace())
        .collect();
    if s.is_empty() {
        Err(SmsCodeError::Empty)
    } else if s.len() == 6 && s.bytes().all(|b| b.is_ascii_digit()) {
        Ok(s)
    } else {
        Err(SmsCodeError::Format)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts() {
        for ok in [
            "123456",
            " 123456 ",
            "123 456",
            "12 34 56",
            "\t123456\n",
            "１２３４５６",
        ] {
            assert_eq!(sms_code(ok).as_deref(), Ok("123456"), "{ok:?}");
        }
        assert_eq!(sms_code("000000").as_deref(), Ok("000000"));
    }

    #[test]
    fn rejects() {
        assert_eq!(sms_code(""), Err(SmsCodeError::Empty));
        assert_eq!(sms_code("   "), Err(SmsCodeError::Empty));
        for bad in [
            "12345",
            "1234567",
            "12345a",
            "123-456",
            "١٢٣٤٥٦",
            "一二三四五六",
        ] {
            assert_eq!(sms_code(bad), Err(SmsCodeError::Format), "{bad}");
        }
    }

    #[test]
    fn messages() {
        assert_eq!(SmsCodeError::Empty.to_string(), "请输入验证码");
        assert_eq!(SmsCodeError::Format.message(), "验证码应为6位数字");
    }
}
