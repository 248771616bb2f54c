//! Unified Social Credit Code (统一社会信用代码), GB 32100-2015 (18 chars).
//!
//! Layout: [1] registration authority, [2] entity type, [3–8] 6-digit
//! administrative division code, [9–17] entity identifier, [18] check char.
//! Alphabet (31 chars, value = index): `0123456789ABCDEFGHJKLMNPQRTUWXY`
//! (no I, O, S, V, Z). Structure: `^[alphabet]{2}\d{6}[alphabet]{10}$`.
//!
//! Checks, in order: empty → characters → length → structure → check char.

use super::{compact_upper, error_messages, fold_width};

/// Why a USCC was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UsccError {
    /// Nothing (or only whitespace) was entered.
    Empty,
    /// Not 18 characters long.
    Length,
    /// A character outside the 31-char alphabet (e.g. I, O, S, V, Z, punctuation).
    Chars,
    /// Positions 3–8 (administrative division code) are not all digits.
    Structure,
    /// The 18th character does not match the computed check char.
    Checksum,
}

error_messages!(UsccError {
    Empty => "请输入统一社会信用代码",
    Length => "统一社会信用代码应为18位",
    Chars => "统一社会信用代码含有无效字符（不含I、O、S、V、Z）",
    Structure => "统一社会信用代码格式不正确（第3至8位应为数字）",
    Checksum => "统一社会信用代码校验位不正确，请核对",
});

const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
/// Wi = 3^(i-1) mod 31 for positions 1..=17.
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// Value (0–30) of an upper-case alphabet char.
fn value(c: u8) -> Option<u32> {
    ALPHABET.iter().position(|&a| a == c).map(|i| i as u32)
}

/// The check char for the first 17 chars of a USCC.
///
/// ASCII lower-case letters are accepted (upper-cased). Returns `None` unless
/// `first17` is exactly 17 chars from the alphabet. The digits-only rule for
/// positions 3–8 is *not* checked here (that is [`uscc`]'s job).
pub fn uscc_check_char(first17: &str) -> Option<char> {
    let b = first17.as_bytes();
    if b.len() != 17 {
        return None;
    }
    let mut sum = 0;
    for (&c, w) in b.iter().zip(WEIGHTS) {
        sum += value(c.to_ascii_uppercase())? * w;
    }
    let check = (31 - sum % 31) % 31;
    Some(char::from(ALPHABET[check as usize]))
}

/// Validates a USCC.
///
/// Normalisation: full-width letters/digits folded to ASCII, all whitespace
/// (leading, trailing and inner) removed, upper-cased.
pub fn uscc(input: &str) -> Result<String, UsccError> {
    let s = compact_upper(input);
    if s.is_empty() {
        return Err(UsccError::Empty);
    }
    if !s.bytes().all(|c| value(c).is_some()) {
        return Err(UsccError::Chars);
    }
    // Only alphabet (ASCII) chars from here on.
    let b = s.as_bytes();
    if b.len() != 18 {
        return Err(UsccError::Length);
    }
    if !b[2..8].iter().all(u8::is_ascii_digit) {
        return Err(UsccError::Structure);
    }
    if uscc_check_char(&s[..17]) != Some(char::from(b[17])) {
        return Err(UsccError::Checksum);
    }
    Ok(s)
}

/// Most confusable positions [`uscc_repair`] will consider (2^8 = 256
/// candidate readings at most). More than this and the OCR result is treated
/// as too noisy to repair.
const MAX_CONFUSABLE: usize = 8;

/// The readings OCR may have confused `c` with, or `None` if `c` is not
/// confusable. `O`, `I`, `Z`, `S` never occur in a USCC, so they have a single
/// reading; `B` is a valid char and lower-case `l` could be `L`, so both keep
/// their literal reading as an alternative.
fn readings(c: char) -> Option<&'static [u8]> {
    Some(match c {
        'O' | 'o' => b"0",
        'I' | 'i' => b"1",
        'Z' | 'z' => b"2",
        'S' | 's' => b"5",
        'B' | 'b' => b"B8",
        'l' => b"L1",
        _ => return None,
    })
}

/// Repairs a USCC read by OCR (e.g. `BizLicenseOCR.RegNum`).
///
/// 1. The input is normalised as in [`uscc`] (full-width folded, whitespace
///    removed, upper-cased); if that already passes, it is returned.
/// 2. Otherwise every position holding a confusable char is re-read with the
///    usual OCR confusions `O→0`, `I→1`, `Z→2`, `S→5`, `B→8`, `l→1`
///    (lower-case l only), trying every combination (every subset of those
///    positions). `B` and `l` may also stay as `B` / `L`; `O`, `I`, `Z`, `S`
///    are never valid USCC chars, so keeping them cannot pass.
/// 3. **Rule:** the result is `Some(variant)` only if *exactly one* distinct
///    variant passes [`uscc`]. If none passes, or several do (the checksum
///    cannot tell them apart), it returns `None` — it never guesses.
///
/// Returns `None` as well if the input is not 18 chars after normalisation or
/// has more than 8 confusable positions.
pub fn uscc_repair(recognized: &str) -> Option<String> {
    let normalized = compact_upper(recognized);
    if uscc(&normalized).is_ok() {
        return Some(normalized);
    }

    // Per position: the candidate readings (literal chars for non-confusables).
    let mut slots: Vec<Vec<u8>> = Vec::with_capacity(18);
    let mut confusable = 0;
    for c in recognized
        .chars()
        .map(fold_width)
        .filter(|c| !c.is_whitespace())
    {
        match readings(c) {
            Some(r) => {
                confusable += 1;
                slots.push(r.to_vec());
            }
            None if c.is_ascii() => slots.push(vec![c.to_ascii_uppercase() as u8]),
            // Non-ASCII can never be part of a USCC.
            None => return None,
        }
    }
    if slots.len() != 18 || confusable == 0 || confusable > MAX_CONFUSABLE {
        return None;
    }

    let mut found: Option<String> = None;
    let mut idx = [0usize; 18];
    let mut buf = [0u8; 18];
    loop {
        for (i, slot) in slots.iter().enumerate() {
            buf[i] = slot[idx[i]];
        }
        if let Ok(candidate) = std::str::from_utf8(&buf) {
            if uscc(candidate).is_ok() {
                match &found {
                    None => found = Some(candidate.to_owned()),
                    Some(prev) if prev != candidate => return None, // ambiguous
                    Some(_) => {}
                }
            }
        }
        // Advance the mixed-radix counter.
        let mut pos = 0;
        loop {
            if pos == 18 {
                return found;
            }
            idx[pos] += 1;
            if idx[pos] < slots[pos].len() {
                break;
            }
            idx[pos] = 0;
            pos += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC_VALID: [&str; 4] = [
        "91350100M000100Y43",
        "9144030071526726XG",
        "91512081MA62K0260E",
        "91110108MA01EBFH9B",
    ];

    const DEMO_VALID: [&str; 5] = [
        "91330106MA2KX7Q890",
        "91440305MA5G3N2R3N",
        "11510107MB1C4D5E7K",
        "91310115MA1H9T6K4H",
        "92440305MA5HJ8WL2G",
    ];

    #[test]
    fn spec_and_demo_values_pass() {
        for code in SPEC_VALID.iter().chain(DEMO_VALID.iter()) {
            assert_eq!(uscc(code).as_deref(), Ok(*code), "{code}");
            assert_eq!(uscc_repair(code).as_deref(), Some(*code), "{code}");
        }
    }

    #[test]
    fn spec_invalid_examples() {
        assert_eq!(uscc("91350100M000100Y4Z"), Err(UsccError::Chars));
        assert_eq!(uscc("91350100M000100Y44"), Err(UsccError::Checksum));
        assert_eq!(uscc("9144030071526726IG"), Err(UsccError::Chars));
    }

    #[test]
    fn standard_worked_example_check_char() {
        // Σ = 1640, 1640 mod 31 = 28, 31 − 28 = 3.
        assert_eq!(uscc_check_char("91350100M000100Y4"), Some('3'));
        assert_eq!(uscc_check_char("91350100m000100y4"), Some('3'));
        assert_eq!(uscc_check_char("9144030071526726X"), Some('G'));
        assert_eq!(uscc_check_char("91350100M000100Y"), None);
        assert_eq!(uscc_check_char("91350100M000100Y43"), None);
        assert_eq!(uscc_check_char("91350100M00010OY4"), None);
    }

    #[test]
    fn check_value_zero_maps_to_0() {
        // Find a prefix whose weighted sum is ≡ 0 (mod 31): its check char is '0'.
        assert_eq!(uscc_check_char("00000000000000000"), Some('0'));
        assert_eq!(
            uscc("000000000000000000").as_deref(),
            Ok("000000000000000000")
        );
    }

    #[test]
    fn normalisation() {
        assert_eq!(
            uscc("  9135 0100 m000 100y 43 ").as_deref(),
            Ok("91350100M000100Y43")
        );
        assert_eq!(
            uscc("９１３５０１００Ｍ０００１００Ｙ４３").as_deref(),
            Ok("91350100M000100Y43")
        );
    }

    #[test]
    fn error_kinds() {
        assert_eq!(uscc(""), Err(UsccError::Empty));
        assert_eq!(uscc(" \t "), Err(UsccError::Empty));
        assert_eq!(uscc("91350100M000100Y4"), Err(UsccError::Length));
        assert_eq!(uscc("91350100M000100Y433"), Err(UsccError::Length));
        assert_eq!(uscc("91350100M000100Y4-"), Err(UsccError::Chars));
        assert_eq!(uscc("91350100MV00100Y43"), Err(UsccError::Chars));
        assert_eq!(uscc("统一社会信用代码"), Err(UsccError::Chars));
        // A letter inside the division code (positions 3–8).
        let first17 = "913501A0M000100Y4";
        let code = format!("{first17}{}", uscc_check_char(first17).unwrap());
        assert_eq!(uscc(&code), Err(UsccError::Structure));
    }

    #[test]
    fn repair_o_for_zero() {
        assert_eq!(
            uscc_repair("91330106MA2KX7Q89O").as_deref(),
            Some("91330106MA2KX7Q890")
        );
        // Also inside the division code, and lower-case, and with spaces.
        assert_eq!(
            uscc_repair("9133O1O6 ma2kx7q89o").as_deref(),
            Some("91330106MA2KX7Q890")
        );
    }

    #[test]
    fn repair_s_for_five() {
        assert_eq!(
            uscc_repair("91440305MAS G3N2R3N").as_deref(),
            Some("91440305MA5G3N2R3N")
        );
        assert_eq!(
            uscc_repair("9144O3OSMA5G3N2R3N").as_deref(),
            Some("91440305MA5G3N2R3N")
        );
    }

    #[test]
    fn repair_i_z_and_lower_l() {
        assert_eq!(
            uscc_repair("9I35O1OOM000100Y43").as_deref(),
            Some("91350100M000100Y43")
        );
        assert_eq!(
            uscc_repair("9Z44O3O5MA5HJ8WLZG").as_deref(),
            Some("92440305MA5HJ8WL2G")
        );
        // Lower-case l may be an L or a 1: only one reading passes each time.
        assert_eq!(
            uscc_repair("92440305MA5HJ8WlZG").as_deref(),
            Some("92440305MA5HJ8WL2G")
        );
        assert_eq!(
            uscc_repair("9l440305MA5G3N2R3N").as_deref(),
            Some("91440305MA5G3N2R3N")
        );
    }

    #[test]
    fn repair_b_for_eight() {
        // B inside the digits-only division code must be an 8.
        let first17 = "91330108MA2KX7Q89";
        let code = format!("{first17}{}", uscc_check_char(first17).unwrap());
        let ocr = code.replacen("0108", "010B", 1);
        assert_eq!(uscc_repair(&ocr), Some(code));
        // B elsewhere may be a real B or an 8: the checksum decides.
        assert!(uscc("9B440305MA5G3N2R3P").is_ok());
        assert!(uscc("98440305MA5G3N2R31").is_ok());
        assert_eq!(
            uscc_repair("9B44O3O5MA5G3N2R3P").as_deref(),
            Some("9B440305MA5G3N2R3P")
        );
        assert_eq!(
            uscc_repair("9B44O3O5MA5G3N2R31").as_deref(),
            Some("98440305MA5G3N2R31")
        );
        // B is a valid char: a valid code containing B is returned as-is.
        assert_eq!(
            uscc_repair("91110108MA01EBFH9B").as_deref(),
            Some("91110108MA01EBFH9B")
        );
    }

    #[test]
    fn repair_gives_up() {
        // Wrong check char with no confusable chars: nothing to try.
        assert_eq!(uscc_repair("91350100M000100Y44"), None);
        // Confusable, but no reading passes.
        assert_eq!(uscc_repair("91350100M000100Y4Z"), None);
        // Wrong length / junk.
        assert_eq!(uscc_repair("91330106MA2KX7Q89"), None);
        assert_eq!(uscc_repair(""), None);
        assert_eq!(uscc_repair("营业执照91330106MA2KX7Q8"), None);
        // More than 8 confusable positions.
        assert_eq!(uscc_repair("9OOOOOOOOOOOOOOOOO"), None);
    }

    #[test]
    fn repair_ambiguous_returns_none() {
        // Reading a B as 8 lowers its value by 3, so reading a set P of B's
        // as 8's leaves the checksum unchanged iff Σ_{i∈P} Wi ≡ 0 (mod 31).
        // Find such a set among positions 9–17 (0-based 8..17).
        let mut set = None;
        for mask in 1u32..(1 << 9) {
            let sum: u32 = (0..9)
                .filter(|b| mask & (1 << b) != 0)
                .map(|b| WEIGHTS[8 + b as usize])
                .sum();
            if sum.is_multiple_of(31) {
                set = Some(mask);
                break;
            }
        }
        let mask = set.expect("a weight subset summing to 0 mod 31");
        let in_set = |k: usize| (8..17).contains(&k) && mask & (1 << (k - 8)) != 0;

        let mut first17 = *b"91330106MA2KX7Q89";
        for (k, c) in first17.iter_mut().enumerate() {
            if in_set(k) {
                *c = b'B';
            }
        }
        let first17 = std::str::from_utf8(&first17).unwrap();
        let code = format!("{first17}{}", uscc_check_char(first17).unwrap());
        let with_eights: String = code
            .char_indices()
            .map(|(k, c)| if in_set(k) { '8' } else { c })
            .collect();
        assert!(uscc(&code).is_ok());
        assert!(uscc(&with_eights).is_ok());

        // The literal input is valid: returned as-is.
        assert_eq!(uscc_repair(&code).as_deref(), Some(code.as_str()));
        // Add a forced confusion (0 read as O) so the literal input fails:
        // now two readings pass and the repair must refuse to guess.
        let ocr = code.replacen('0', "O", 1);
        assert!(uscc(&ocr).is_err());
        assert_eq!(uscc_repair(&ocr), None);
    }

    #[test]
    fn messages() {
        assert_eq!(UsccError::Empty.to_string(), "请输入统一社会信用代码");
        assert_eq!(UsccError::Length.message(), "统一社会信用代码应为18位");
        assert_eq!(
            UsccError::Chars.message(),
            "统一社会信用代码含有无效字符（不含I、O、S、V、Z）"
        );
        assert_eq!(
            UsccError::Checksum.to_string(),
            "统一社会信用代码校验位不正确，请核对"
        );
    }
}
