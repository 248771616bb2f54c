//! Mainland resident identity card number, GB 11643-1999 (18 chars).
//!
//! Layout: 6-digit region (GB/T 2260) + 8-digit birth date `YYYYMMDD`
//! + 3-digit sequence + 1 check char (`0-9` or `X`).
//!
//! Checks, in order: empty → characters → length → position of `X` →
//! province prefix → birth date → check char.

use super::{compact_upper, error_messages};

/// Why an ID number was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdNumberError {
    /// Nothing (or only whitespace) was entered.
    Empty,
    /// Not 18 characters long.
    Length,
    /// A character other than a digit, or `X` anywhere but the last position.
    Chars,
    /// The first two digits are not a known province-level code.
    Region,
    /// Digits 7–14 are not a real calendar date in the accepted range
    /// (or, with [`id_number_on`], a date in the future).
    BirthDate,
    /// The 18th character does not match the computed check char.
    Checksum,
}

error_messages!(IdNumberError {
    Empty => "请输入身份证号",
    Length => "身份证号应为18位",
    Chars => "身份证号只能包含数字，最后一位可以是X",
    Region => "身份证号的地区码不正确",
    BirthDate => "身份证号中的出生日期不正确",
    Checksum => "身份证号校验位不正确，请核对",
});

/// Weights Wi for positions 1..=17.
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// Check char indexed by `Σ ai·Wi mod 11`.
const CHECK_CHARS: [u8; 11] = *b"10X98765432";

/// Earliest accepted birth year. GB 11643-1999's own worked example
/// (`440524188001010014`) is born in 1880, so the bound is 1800, not 1900.
const MIN_BIRTH_YEAR: i32 = 1800;
/// Latest accepted birth year when no "today" is available ([`id_number`]).
const MAX_BIRTH_YEAR: i32 = 2100;

/// Province-level prefixes in use: 11–15, 21–23, 31–37, 41–46, 50–54,
/// 61–65, 71 (Taiwan), 81 (Hong Kong), 82 (Macao), 83 (residence permits).
fn valid_province(p: u32) -> bool {
    matches!(
        p,
        11..=15 | 21..=23 | 31..=37 | 41..=46 | 50..=54 | 61..=65 | 71 | 81 | 82 | 83
    )
}

pub(crate) fn is_leap_year(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

pub(crate) fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(y) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Value of a run of ASCII digits (caller guarantees they are digits).
fn digits_value(b: &[u8]) -> u32 {
    b.iter().fold(0, |acc, d| acc * 10 + u32::from(d - b'0'))
}

/// The check char (`0`–`9` or `X`) for the first 17 digits of an ID number.
///
/// Returns `None` unless `first17` is exactly 17 ASCII digits.
pub fn id_check_char(first17: &str) -> Option<char> {
    let b = first17.as_bytes();
    if b.len() != 17 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let sum: u32 = b
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    Some(char::from(CHECK_CHARS[(sum % 11) as usize]))
}

/// Validates a resident ID number without knowing today's date.
///
/// Normalisation: full-width digits/letters folded to ASCII, all whitespace
/// removed, `x` upper-cased. The birth date must be a real calendar date with
/// a year in 1800..=2100; future dates are only
/// rejected by [`id_number_on`], which the server uses.
pub fn id_number(input: &str) -> Result<String, IdNumberError> {
    check(input, None)
}

/// Like [`id_number`], and additionally rejects birth dates after `today`
/// (given as `(year, month, day)`). A birth date equal to `today` is accepted.
pub fn id_number_on(input: &str, today: (i32, u32, u32)) -> Result<String, IdNumberError> {
    check(input, Some(today))
}

fn check(input: &str, today: Option<(i32, u32, u32)>) -> Result<String, IdNumberError> {
    let s = compact_upper(input);
    if s.is_empty() {
        return Err(IdNumberError::Empty);
    }
    if !s.bytes().all(|c| c.is_ascii_digit() || c == b'X') {
        return Err(IdNumberError::Chars);
    }
    // Only ASCII from here on, so byte length == char count.
    let b = s.as_bytes();
    if b.len() != 18 {
        return Err(IdNumberError::Length);
    }
    if !b[..17].iter().all(u8::is_ascii_digit) {
        return Err(IdNumberError::Chars);
    }
    if !valid_province(digits_value(&b[0..2])) {
        return Err(IdNumberError::Region);
    }

    let year = digits_value(&b[6..10]) as i32;
    let month = digits_value(&b[10..12]);
    let day = digits_value(&b[12..14]);
    let max_year = today.map_or(MAX_BIRTH_YEAR, |t| t.0);
    if !(MIN_BIRTH_YEAR..=max_year).contains(&year) || day == 0 || day > days_in_month(year, month)
    {
        return Err(IdNumberError::BirthDate);
    }
    if let Some(today) = today {
        if (year, month, day) > today {
            return Err(IdNumberError::BirthDate);
        }
    }

    if id_check_char(&s[..17]) != Some(char::from(b[17])) {
        return Err(IdNumberError::Checksum);
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// providers.md §7 valid examples.
    const SPEC_VALID: [&str; 4] = [
        "11010519491231002X",
        "440524188001010014",
        "34052419800101001X",
        "513101198201130014",
    ];

    /// Demo data used across the product.
    const DEMO_VALID: [&str; 10] = [
        "330106197503120410",
        "440305198806231534",
        "510107199209182628",
        "31011519800101077X",
        "330106199005060485",
        "44030519950817031X",
        "440305199702240641",
        "510107198511300256",
        "310115198907090112",
        "330106199304020862",
    ];

    #[test]
    fn spec_and_demo_values_pass() {
        for id in SPEC_VALID.iter().chain(DEMO_VALID.iter()) {
            assert_eq!(id_number(id).as_deref(), Ok(*id), "{id}");
            assert_eq!(id_number_on(id, (2025, 1, 1)).as_deref(), Ok(*id), "{id}");
        }
    }

    #[test]
    fn spec_invalid_examples() {
        assert_eq!(
            id_number("110105194912310021"),
            Err(IdNumberError::Checksum)
        );
        assert_eq!(
            id_number("11010519490230002X"),
            Err(IdNumberError::BirthDate)
        );
        assert_eq!(id_number("99010519491231002X"), Err(IdNumberError::Region));
    }

    #[test]
    fn check_char() {
        assert_eq!(id_check_char("11010519491231002"), Some('X'));
        assert_eq!(id_check_char("44052418800101001"), Some('4'));
        assert_eq!(id_check_char("33010619750312041"), Some('0'));
        assert_eq!(id_check_char("3301061975031204"), None);
        assert_eq!(id_check_char("330106197503120410"), None);
        assert_eq!(id_check_char("3301061975031204X"), None);
        assert_eq!(id_check_char(""), None);
    }

    #[test]
    fn normalisation() {
        assert_eq!(
            id_number("  11010519491231002x \n").as_deref(),
            Ok("11010519491231002X")
        );
        assert_eq!(
            id_number("110105 19491231 002X").as_deref(),
            Ok("11010519491231002X")
        );
        // Full-width digits from a Chinese IME.
        assert_eq!(
            id_number("１１０１０５１９４９１２３１００２ｘ").as_deref(),
            Ok("11010519491231002X")
        );
    }

    #[test]
    fn error_order_and_kinds() {
        assert_eq!(id_number(""), Err(IdNumberError::Empty));
        assert_eq!(id_number("   "), Err(IdNumberError::Empty));
        assert_eq!(id_number("1101051949123100"), Err(IdNumberError::Length));
        assert_eq!(id_number("11010519491231002X1"), Err(IdNumberError::Length));
        assert_eq!(id_number("1101051949123100-X"), Err(IdNumberError::Chars));
        assert_eq!(id_number("11010519491231X021"), Err(IdNumberError::Chars));
        assert_eq!(id_number("身份证号"), Err(IdNumberError::Chars));
        assert_eq!(id_number("10010519491231002X"), Err(IdNumberError::Region));
        assert_eq!(id_number("16010519491231002X"), Err(IdNumberError::Region));
        assert_eq!(id_number("84010519491231002X"), Err(IdNumberError::Region));
    }

    #[test]
    fn all_province_prefixes() {
        let ok: Vec<u32> = (0..100).filter(|&p| valid_province(p)).collect();
        let expected: Vec<u32> = [
            11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50,
            51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83,
        ]
        .to_vec();
        assert_eq!(ok, expected);
    }

    fn with_date(date: &str) -> String {
        let first17 = format!("110105{date}002");
        let c = id_check_char(&first17).unwrap();
        format!("{first17}{c}")
    }

    #[test]
    fn birth_dates() {
        // Leap years.
        assert!(id_number(&with_date("20000229")).is_ok());
        assert!(id_number(&with_date("19960229")).is_ok());
        assert_eq!(
            id_number(&with_date("19000229")),
            Err(IdNumberError::BirthDate)
        );
        assert_eq!(
            id_number(&with_date("19990229")),
            Err(IdNumberError::BirthDate)
        );
        // Month/day ranges.
        for bad in ["19990001", "19991301", "19990100", "19990132", "19990431"] {
            assert_eq!(id_number(&with_date(bad)), Err(IdNumberError::BirthDate));
        }
        assert!(id_number(&with_date("19991231")).is_ok());
        // Year range.
        assert!(id_number(&with_date("18000101")).is_ok());
        assert_eq!(
            id_number(&with_date("17991231")),
            Err(IdNumberError::BirthDate)
        );
        assert!(id_number(&with_date("21001231")).is_ok());
        assert_eq!(
            id_number(&with_date("21010101")),
            Err(IdNumberError::BirthDate)
        );
    }

    #[test]
    fn future_birth_dates_rejected_with_today() {
        let today = (2025, 6, 15);
        assert!(id_number_on(&with_date("20250615"), today).is_ok());
        assert!(id_number_on(&with_date("20250614"), today).is_ok());
        for future in ["20250616", "20250701", "20260101", "20990101"] {
            let id = with_date(future);
            assert!(id_number(&id).is_ok(), "{id}");
            assert_eq!(id_number_on(&id, today), Err(IdNumberError::BirthDate));
        }
    }

    #[test]
    fn messages() {
        assert_eq!(IdNumberError::Empty.to_string(), "请输入身份证号");
        assert_eq!(IdNumberError::Length.message(), "身份证号应为18位");
        assert_eq!(
            IdNumberError::Checksum.to_string(),
            "身份证号校验位不正确，请核对"
        );
        let e: Box<dyn std::error::Error> = Box::new(IdNumberError::Region);
        assert_eq!(e.to_string(), "身份证号的地区码不正确");
    }
}
