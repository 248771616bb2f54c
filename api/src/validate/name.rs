//! Person names (as on the resident ID card, for FaceID / ID verification) and
//! enterprise names (as on the business licence, for ESS).

use super::{error_messages, fold_width, refused};

/// Why a person or enterprise name was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameError {
    /// Person name: nothing (or only whitespace) was entered.
    PersonEmpty,
    /// Person name: fewer than 2 chars.
    PersonTooShort,
    /// Person name: more than 32 chars (FaceID `Name` limit).
    PersonTooLong,
    /// Person name: a char other than CJK ideographs, Latin letters, `·`
    /// (and single spaces between Latin words).
    PersonChars,
    /// Person name: `·` at the start or end, or two in a row.
    PersonDot,
    /// Enterprise name: nothing (or only whitespace) was entered.
    EnterpriseEmpty,
    /// Enterprise name: fewer than 2 chars.
    EnterpriseTooShort,
    /// Enterprise name: more than 100 chars.
    EnterpriseTooLong,
    /// Enterprise name: contains control or format characters ([`super::is_invisible`]).
    EnterpriseChars,
}

error_messages!(NameError {
    PersonEmpty => "请输入姓名",
    PersonTooShort => "姓名至少2个字",
    PersonTooLong => "姓名不能超过32个字",
    PersonChars => "姓名只能包含汉字、字母和间隔号·",
    PersonDot => "间隔号·不能在姓名开头、结尾或连续使用",
    EnterpriseEmpty => "请输入企业名称",
    EnterpriseTooShort => "企业名称至少2个字",
    EnterpriseTooLong => "企业名称不能超过100个字",
    EnterpriseChars => "企业名称含有无法识别的字符，请重新输入",
});

/// FaceID `DetectAuth.Name` accepts at most 32 chars.
const PERSON_MAX: usize = 32;
/// App rule (no statutory limit found, providers.md §7).
const ENTERPRISE_MAX: usize = 100;
const MIN_LEN: usize = 2;

/// The middle dot used in ID-card names (U+00B7).
const DOT: char = '·';

/// CJK ideographs: URO, Ext A–I, compatibility ideographs, and `〇`.
fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{3007}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{2A6DF}'
        | '\u{2A700}'..='\u{2EE5F}'
        | '\u{2F800}'..='\u{2FA1F}'
        | '\u{30000}'..='\u{323AF}')
}

/// Latin letters: ASCII, Latin-1 Supplement and Latin Extended-A/B letters
/// (é, ü, ñ …), excluding `×` / `÷`.
fn is_latin(c: char) -> bool {
    c.is_ascii_alphabetic() || (('\u{C0}'..='\u{24F}').contains(&c) && c.is_alphabetic())
}

/// Dot look-alikes people type instead of `·`.
fn is_dot_variant(c: char) -> bool {
    matches!(c, '·' | '．' | '•' | '・' | '･' | '‧' | '∙' | '⋅')
}

/// Validates a person's name and returns it normalised.
///
/// Normalisation:
/// - surrounding whitespace trimmed;
/// - `．` `•` `・` `･` `‧` `∙` `⋅` → `·` (U+00B7), full-width Latin letters →
///   ASCII;
/// - inner whitespace runs collapsed: kept as one space only *between two
///   Latin letters* (`"John  Smith"` → `"John Smith"`), dropped everywhere
///   else (`"王 建国"` → `"王建国"`, `"买买提 · 艾力"` → `"买买提·艾力"`),
///   since ID-card names never contain spaces next to CJK or `·`.
///
/// Then: only CJK ideographs, Latin letters, `·` and those spaces are allowed
/// (no digits, no other symbols); `·` must sit between name parts; length
/// 2..=32 chars.
pub fn person_name(input: &str) -> Result<String, NameError> {
    // Before whitespace folding: U+0085 is whitespace to Rust, and a control all the same.
    if input.chars().any(refused) {
        return Err(NameError::PersonChars);
    }
    let chars: Vec<char> = input
        .trim()
        .chars()
        .map(|c| {
            if is_dot_variant(c) {
                DOT
            } else {
                let f = fold_width(c);
                if f.is_ascii_alphabetic() {
                    f
                } else {
                    c
                }
            }
        })
        .collect();
    if chars.is_empty() {
        return Err(NameError::PersonEmpty);
    }

    let mut out: Vec<char> = Vec::with_capacity(chars.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            let start = i;
            while i < chars.len() && chars[i].is_whitespace() {
                i += 1;
            }
            // `trim` guarantees a char on both sides of an inner run.
            if is_latin(chars[start - 1]) && is_latin(chars[i]) {
                out.push(' ');
            }
            continue;
        }
        if !(is_cjk(c) || is_latin(c) || c == DOT) {
            return Err(NameError::PersonChars);
        }
        out.push(c);
        i += 1;
    }

    if out.first() == Some(&DOT)
        || out.last() == Some(&DOT)
        || out.windows(2).any(|w| w == [DOT, DOT])
    {
        return Err(NameError::PersonDot);
    }
    match out.len() {
        n if n < MIN_LEN => Err(NameError::PersonTooShort),
        n if n > PERSON_MAX => Err(NameError::PersonTooLong),
        _ => Ok(out.into_iter().collect()),
    }
}

/// Validates an enterprise name and returns it normalised.
///
/// Normalisation (ESS requires the name to match the business licence, with
/// half-width brackets as full-width):
/// - `(` → `（`, `)` → `）`;
/// - surrounding whitespace trimmed, inner whitespace runs (including tabs
///   and line breaks) collapsed to one ASCII space.
///
/// Control and format characters (NUL, U+202E RLO, zero-width spaces, the
/// BOM …, see [`super::is_invisible`]) are rejected, not dropped, so the name shown is
/// the name stored; length 2..=100 chars.
pub fn enterprise_name(input: &str) -> Result<String, NameError> {
    let mut out = String::with_capacity(input.len());
    let mut pending_space = false;
    let mut len = 0usize;
    for c in input.chars() {
        if refused(c) {
            return Err(NameError::EnterpriseChars);
        }
        if c.is_whitespace() {
            pending_space = true;
            continue;
        }
        if pending_space && !out.is_empty() {
            out.push(' ');
            len += 1;
        }
        pending_space = false;
        out.push(match c {
            '(' => '（',
            ')' => '）',
            c => c,
        });
        len += 1;
    }
    match len {
        0 => Err(NameError::EnterpriseEmpty),
        n if n < MIN_LEN => Err(NameError::EnterpriseTooShort),
        n if n > ENTERPRISE_MAX => Err(NameError::EnterpriseTooLong),
        _ => Ok(out),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn person_accepts() {
        for (input, want) in [
            ("王建国", "王建国"),
            ("张伟", "张伟"),
            ("欧阳娜娜", "欧阳娜娜"),
            ("  王建国\t", "王建国"),
            ("王 建国", "王建国"),
            ("买买提·艾力", "买买提·艾力"),
            ("买买提．艾力", "买买提·艾力"),
            ("买买提•艾力", "买买提·艾力"),
            ("买买提・艾力", "买买提·艾力"),
            ("买买提 · 艾力", "买买提·艾力"),
            ("阿依古丽·买买提·吐尔逊", "阿依古丽·买买提·吐尔逊"),
            ("John Smith", "John Smith"),
            ("John   Smith", "John Smith"),
            ("ＪＯＨＮ ＳＭＩＴＨ", "JOHN SMITH"),
            ("José Müller", "José Müller"),
            ("李〇", "李〇"),
            ("𠀾明", "𠀾明"),
        ] {
            assert_eq!(person_name(input).as_deref(), Ok(want), "{input:?}");
        }
    }

    #[test]
    fn person_rejects() {
        assert_eq!(person_name(""), Err(NameError::PersonEmpty));
        assert_eq!(person_name(" \u{3000} "), Err(NameError::PersonEmpty));
        assert_eq!(person_name("王"), Err(NameError::PersonTooShort));
        assert_eq!(person_name("王 "), Err(NameError::PersonTooShort));
        for bad in [
            "王建国1",
            "张-伟",
            "张伟!",
            "张（伟）",
            "O'Brien",
            "张_伟",
            "😀张伟",
            "김민준",
        ] {
            assert_eq!(person_name(bad), Err(NameError::PersonChars), "{bad}");
        }
        for bad in ["·艾力", "艾力·", "买买提··艾力", "买买提·•艾力", "·"] {
            assert_eq!(person_name(bad), Err(NameError::PersonDot), "{bad}");
        }
    }

    #[test]
    fn person_length_limit() {
        let name32: String = std::iter::repeat_n('王', 32).collect();
        let name33: String = std::iter::repeat_n('王', 33).collect();
        assert_eq!(person_name(&name32).as_deref(), Ok(name32.as_str()));
        assert_eq!(person_name(&name33), Err(NameError::PersonTooLong));
        // Counted in chars after normalisation: collapsed spaces don't count.
        let spaced = format!("{}   {}", "A".repeat(15), "B".repeat(16));
        assert_eq!(person_name(&spaced).map(|s| s.chars().count()), Ok(32));
    }

    #[test]
    fn enterprise_accepts_and_normalises() {
        for (input, want) in [
            ("腾讯科技(深圳)有限公司", "腾讯科技（深圳）有限公司"),
            ("腾讯科技（深圳）有限公司", "腾讯科技（深圳）有限公司"),
            ("  杭州某某网络科技有限公司 \n", "杭州某某网络科技有限公司"),
            ("Foo  Bar\t(China) Co., Ltd.", "Foo Bar （China） Co., Ltd."),
            ("某某\n有限公司", "某某 有限公司"),
            ("AB", "AB"),
        ] {
            assert_eq!(enterprise_name(input).as_deref(), Ok(want), "{input:?}");
        }
    }

    #[test]
    fn enterprise_rejects() {
        assert_eq!(enterprise_name(""), Err(NameError::EnterpriseEmpty));
        assert_eq!(enterprise_name(" \t\n"), Err(NameError::EnterpriseEmpty));
        for bad in [
            "某某\u{200B}有限公司",
            "\u{FEFF}某某公司",
            "某某\u{202E}司公限有",
            "某某\u{2066}有限公司\u{2069}",
            "某某\u{AD}有限公司",
            "某某\u{85}有限公司",
            "\u{200B}",
        ] {
            assert_eq!(
                enterprise_name(bad),
                Err(NameError::EnterpriseChars),
                "{bad:?}"
            );
        }
        assert_eq!(enterprise_name("某"), Err(NameError::EnterpriseTooShort));
        assert_eq!(
            enterprise_name("某某\u{0}公司"),
            Err(NameError::EnterpriseChars)
        );
        assert_eq!(
            enterprise_name("某某\u{7F}公司"),
            Err(NameError::EnterpriseChars)
        );
        assert_eq!(
            enterprise_name("某某\u{1B}[0m公司"),
            Err(NameError::EnterpriseChars)
        );
        let n100 = "某".repeat(100);
        let n101 = "某".repeat(101);
        assert_eq!(enterprise_name(&n100).as_deref(), Ok(n100.as_str()));
        assert_eq!(enterprise_name(&n101), Err(NameError::EnterpriseTooLong));
    }

    #[test]
    fn messages() {
        assert_eq!(NameError::PersonEmpty.to_string(), "请输入姓名");
        assert_eq!(
            NameError::PersonChars.message(),
            "姓名只能包含汉字、字母和间隔号·"
        );
        assert_eq!(NameError::EnterpriseEmpty.to_string(), "请输入企业名称");
    }
}
