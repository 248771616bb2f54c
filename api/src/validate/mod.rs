//! Input validators shared by the browser (WASM) and the server.
//!
//! Rules and test vectors: `shared/design/providers.md` §7.
//!
//! Design constraints:
//! - No I/O and no clock: anything that needs "today" takes it as an argument
//!   (see [`id_number_on`]).
//! - No dependencies (no `regex`): every rule is a hand-written scan so the
//!   WASM bundle stays small.
//! - Every validator returns the *normalized* value on success, so callers
//!   store and send exactly what was validated.
//! - Every error type has [`message`](IdNumberError::message) /
//!   `Display` text in Chinese, short enough to show under an input field.
//!
//! Common normalisation: full-width ASCII forms typed with a Chinese IME
//! (`０-９`, `Ａ-Ｚ`, `ａ-ｚ`, the ideographic space) are folded to their ASCII
//! equivalents before the code-like validators (ID number, USCC, mobile,
//! SMS code) look at them.

mod id_number;
mod mask;
mod mobile;
mod name;
mod sms_code;
mod text;
mod uscc;

pub use id_number::{id_check_char, id_number, id_number_on, IdNumberError};
pub use mask::{mask_id, mask_mobile, mask_name};
pub use mobile::{mobile, MobileError};
pub use name::{enterprise_name, person_name, NameError};
pub use sms_code::{sms_code, SmsCodeError};
pub(crate) use text::refused;
pub use text::{free_text, is_invisible, FreeTextError};
pub use uscc::{uscc, uscc_check_char, uscc_repair, UsccError};

/// Folds a full-width ASCII variant (U+FF01..=U+FF5E) to its ASCII character
/// and the ideographic space (U+3000) to an ASCII space; other chars unchanged.
pub(crate) fn fold_width(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

/// Code-like normalisation: fold full-width forms, drop all whitespace,
/// upper-case ASCII letters.
pub(crate) fn compact_upper(input: &str) -> String {
    input
        .chars()
        .map(fold_width)
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// Implements `message()`, `Display` and `std::error::Error` for an error
/// enum from a `variant => "text"` table.
macro_rules! error_messages {
    ($ty:ident { $($variant:ident => $msg:expr),+ $(,)? }) => {
        impl $ty {
            /// Short Chinese message suitable for display under the input field.
            pub fn message(&self) -> &'static str {
                match self {
                    $($ty::$variant => $msg,)+
                }
            }
        }

        impl ::std::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.message())
            }
        }

        impl ::std::error::Error for $ty {}
    };
}
pub(crate) use error_messages;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_width_maps_full_width_ascii() {
        assert_eq!(fold_width('０'), '0');
        assert_eq!(fold_width('９'), '9');
        assert_eq!(fold_width('Ｘ'), 'X');
        assert_eq!(fold_width('ｘ'), 'x');
        assert_eq!(fold_width('（'), '(');
        assert_eq!(fold_width('\u{3000}'), ' ');
        assert_eq!(fold_width('王'), '王');
        assert_eq!(fold_width('·'), '·');
    }

    #[test]
    fn compact_upper_strips_whitespace_and_uppercases() {
        assert_eq!(
            compact_upper(" 9133 0106\tma2k\u{3000}ｘ "),
            "91330106MA2KX"
        );
    }
}
