//! Public-API tests for `api::validate`: the providers.md §7 vectors, the
//! product's demo data, and property tests.

use api::validate::*;
use proptest::prelude::*;

// ---------------------------------------------------------------------------
// Fixed vectors
// ---------------------------------------------------------------------------

const ID_SPEC_VALID: [&str; 4] = [
    "11010519491231002X",
    "440524188001010014",
    "34052419800101001X",
    "513101198201130014",
];

const ID_DEMO_VALID: [&str; 10] = [
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

const USCC_SPEC_VALID: [&str; 4] = [
    "91350100M000100Y43",
    "9144030071526726XG",
    "91512081MA62K0260E",
    "91110108MA01EBFH9B",
];

const USCC_DEMO_VALID: [&str; 5] = [
    "91330106MA2KX7Q890",
    "91440305MA5G3N2R3N",
    "11510107MB1C4D5E7K",
    "91310115MA1H9T6K4H",
    "92440305MA5HJ8WL2G",
];

#[test]
fn id_numbers_valid() {
    for id in ID_SPEC_VALID.iter().chain(&ID_DEMO_VALID) {
        assert_eq!(id_number(id).as_deref(), Ok(*id), "{id}");
        assert_eq!(id_number_on(id, (2026, 1, 1)).as_deref(), Ok(*id), "{id}");
        assert_eq!(id_check_char(&id[..17]), id.chars().nth(17), "{id}");
        // Lower-case x and surrounding whitespace are normalised.
        let messy = format!(" {} ", id.to_lowercase());
        assert_eq!(id_number(&messy).as_deref(), Ok(*id), "{messy}");
    }
}

#[test]
fn id_numbers_invalid() {
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
fn usccs_valid() {
    for code in USCC_SPEC_VALID.iter().chain(&USCC_DEMO_VALID) {
        assert_eq!(uscc(code).as_deref(), Ok(*code), "{code}");
        assert_eq!(uscc_check_char(&code[..17]), code.chars().nth(17), "{code}");
        assert_eq!(uscc_repair(code).as_deref(), Some(*code), "{code}");
        let messy = format!("  {} {}  ", &code[..9].to_lowercase(), &code[9..]);
        assert_eq!(uscc(&messy).as_deref(), Ok(*code), "{messy}");
    }
}

#[test]
fn usccs_invalid() {
    assert_eq!(uscc("91350100M000100Y4Z"), Err(UsccError::Chars));
    assert_eq!(uscc("91350100M000100Y44"), Err(UsccError::Checksum));
    assert_eq!(uscc("9144030071526726IG"), Err(UsccError::Chars));
}

#[test]
fn uscc_repair_cases() {
    // O read for 0 (the check char).
    assert_eq!(
        uscc_repair("91330106MA2KX7Q89O").as_deref(),
        Some("91330106MA2KX7Q890")
    );
    // S read for 5.
    assert_eq!(
        uscc_repair("91440305MASG3N2R3N").as_deref(),
        Some("91440305MA5G3N2R3N")
    );
    // Unrepairable.
    assert_eq!(uscc_repair("91350100M000100Y44"), None);
    assert_eq!(uscc_repair("91350100M000100Y4Z"), None);
    assert_eq!(uscc_repair("not a code"), None);
    // 800003033009333802 read with both 8s as B is itself a valid code: kept as read
    // (found by the proptest below; nothing distinguishes it from a true B).
    assert_eq!(
        uscc_repair("B00003033009333B02").as_deref(),
        Some("B00003033009333B02")
    );
    // Already valid: returned as-is (normalised).
    assert_eq!(
        uscc_repair("91330106MA2KX7Q890").as_deref(),
        Some("91330106MA2KX7Q890")
    );
    assert_eq!(
        uscc_repair(" 91330106 ma2kx7q890 ").as_deref(),
        Some("91330106MA2KX7Q890")
    );
}

#[test]
fn mobiles() {
    assert_eq!(mobile("13800138000").as_deref(), Ok("13800138000"));
    assert_eq!(mobile("+8619912345678").as_deref(), Ok("19912345678"));
    assert_eq!(mobile("0086 139-0000-0001").as_deref(), Ok("13900000001"));
    assert_eq!(mobile("86 13900000001").as_deref(), Ok("13900000001"));
    assert_eq!(mobile("12345678901"), Err(MobileError::Format));
    assert_eq!(mobile("1380013800"), Err(MobileError::Format));
    assert_eq!(mobile(" "), Err(MobileError::Empty));
}

#[test]
fn sms_codes() {
    assert_eq!(sms_code("123 456").as_deref(), Ok("123456"));
    assert_eq!(sms_code(" 654321 ").as_deref(), Ok("654321"));
    assert_eq!(sms_code("12345"), Err(SmsCodeError::Format));
    assert_eq!(sms_code(""), Err(SmsCodeError::Empty));
}

#[test]
fn names() {
    assert_eq!(person_name("  王建国 ").as_deref(), Ok("王建国"));
    assert_eq!(person_name("买买提．艾力").as_deref(), Ok("买买提·艾力"));
    assert_eq!(person_name("买买提•艾力").as_deref(), Ok("买买提·艾力"));
    assert_eq!(person_name("王建国2"), Err(NameError::PersonChars));
    assert_eq!(person_name(""), Err(NameError::PersonEmpty));
    assert_eq!(
        enterprise_name(" 腾讯科技(深圳)有限公司 ").as_deref(),
        Ok("腾讯科技（深圳）有限公司")
    );
    assert_eq!(enterprise_name("   "), Err(NameError::EnterpriseEmpty));
}

/// Control (Cc) and format (Cf) characters: invisible, or reordering what is shown around them.
const INVISIBLE: [char; 24] = [
    '\u{0}',     // NUL
    '\u{1B}',    // ESC (terminal colours)
    '\u{7F}',    // DEL
    '\u{85}',    // NEL: a C1 control that Rust also counts as whitespace
    '\u{9B}',    // CSI
    '\u{B}',     // vertical tab
    '\u{AD}',    // soft hyphen
    '\u{61C}',   // Arabic letter mark
    '\u{180E}',  // Mongolian vowel separator
    '\u{200B}',  // zero-width space
    '\u{200C}',  // zero-width non-joiner
    '\u{200D}',  // zero-width joiner
    '\u{200E}',  // LRM
    '\u{200F}',  // RLM
    '\u{202A}',  // LRE
    '\u{202D}',  // LRO
    '\u{202E}',  // RLO
    '\u{2060}',  // word joiner
    '\u{2066}',  // LRI
    '\u{2067}',  // RLI
    '\u{2068}',  // FSI
    '\u{2069}',  // PDI
    '\u{FEFF}',  // BOM / zero-width no-break space
    '\u{E0041}', // tag letter A
];

#[test]
fn names_and_free_text_refuse_control_and_format_characters() {
    for c in INVISIBLE {
        assert!(is_invisible(c), "U+{:04X}", c as u32);
        for (at_start, at_end) in [(true, false), (false, false), (false, true)] {
            let put = |s: &str| match (at_start, at_end) {
                (true, _) => format!("{c}{s}"),
                (_, true) => format!("{s}{c}"),
                _ => {
                    let mid = s.char_indices().nth(2).unwrap().0;
                    format!("{}{c}{}", &s[..mid], &s[mid..])
                }
            };
            let what = format!("U+{:04X} in {at_start}/{at_end}", c as u32);
            assert_eq!(
                enterprise_name(&put("星河云图科技有限公司")),
                Err(NameError::EnterpriseChars),
                "{what}"
            );
            assert_eq!(
                person_name(&put("欧阳娜娜")),
                Err(NameError::PersonChars),
                "{what}"
            );
            assert_eq!(
                free_text(&put("浙江省杭州市西湖区文三路398号"), 200),
                Err(FreeTextError::Invisible),
                "{what}"
            );
        }
    }
    // "星河云图科技有限公司" displayed with its end reversed: the attack RLO exists for.
    assert_eq!(
        enterprise_name("星河云图\u{202E}司公限有技科"),
        Err(NameError::EnterpriseChars)
    );
    assert_eq!(
        NameError::EnterpriseChars.message(),
        "企业名称含有无法识别的字符，请重新输入"
    );
    assert_eq!(
        FreeTextError::Invisible.message("住所"),
        "住所含有无法识别的字符，请重新输入"
    );
    // Tabs and line breaks (OCR, pastes) are whitespace, and fold.
    assert_eq!(
        free_text("浙江省杭州市\r\n西湖区\t文三路398号", 200).as_deref(),
        Ok("浙江省杭州市 西湖区 文三路398号")
    );
    assert_eq!(
        enterprise_name("星河云图\n科技有限公司").as_deref(),
        Ok("星河云图 科技有限公司")
    );
    // Visible look-alikes are not this rule's business; ordinary text passes.
    for ok in [
        "浙江省杭州市西湖区文三路398号",
        "有限责任公司(自然人投资或控股)",
        "Room 5, Bldg. A",
    ] {
        assert_eq!(free_text(ok, 200).as_deref(), Ok(ok));
    }
    assert_eq!(free_text("", 200), Err(FreeTextError::Empty));
    assert_eq!(free_text("一二三", 2), Err(FreeTextError::TooLong(2)));
}

#[test]
fn masks() {
    assert_eq!(mask_id("330106197503120410"), "3301**********0410");
    assert_eq!(mask_mobile("13900000001"), "139****0001");
    assert_eq!(mask_name("王建国"), "*建国");
    assert_eq!(mask_name("张伟"), "*伟");
    assert_eq!(mask_name("欧阳娜娜"), "**娜娜");
}

#[test]
fn error_messages_match_display_and_are_chinese() {
    let all: Vec<(String, &str)> = [
        IdNumberError::Empty,
        IdNumberError::Length,
        IdNumberError::Chars,
        IdNumberError::Region,
        IdNumberError::BirthDate,
        IdNumberError::Checksum,
    ]
    .iter()
    .map(|e| (e.to_string(), e.message()))
    .chain(
        [
            UsccError::Empty,
            UsccError::Length,
            UsccError::Chars,
            UsccError::Structure,
            UsccError::Checksum,
        ]
        .iter()
        .map(|e| (e.to_string(), e.message())),
    )
    .chain(
        [MobileError::Empty, MobileError::Format]
            .iter()
            .map(|e| (e.to_string(), e.message())),
    )
    .chain(
        [SmsCodeError::Empty, SmsCodeError::Format]
            .iter()
            .map(|e| (e.to_string(), e.message())),
    )
    .chain(
        [
            NameError::PersonEmpty,
            NameError::PersonTooShort,
            NameError::PersonTooLong,
            NameError::PersonChars,
            NameError::PersonDot,
            NameError::EnterpriseEmpty,
            NameError::EnterpriseTooShort,
            NameError::EnterpriseTooLong,
            NameError::EnterpriseChars,
        ]
        .iter()
        .map(|e| (e.to_string(), e.message())),
    )
    .collect();
    for (display, message) in &all {
        assert_eq!(display, message);
        assert!(message
            .chars()
            .any(|c| ('\u{4E00}'..='\u{9FFF}').contains(&c)));
    }
    // All distinct.
    let mut msgs: Vec<&str> = all.iter().map(|(_, m)| *m).collect();
    msgs.sort_unstable();
    msgs.dedup();
    assert_eq!(msgs.len(), all.len());
    // Usable as `dyn Error`.
    let e: Box<dyn std::error::Error> = Box::new(UsccError::Checksum);
    assert_eq!(e.to_string(), "统一社会信用代码校验位不正确，请核对");
}

// ---------------------------------------------------------------------------
// Property tests
// ---------------------------------------------------------------------------

const PROVINCES: [u32; 35] = [
    11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52,
    53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83,
];
const USCC_ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const DIGITS: &str = "0123456789";

fn days_in_month(y: u32, m: u32) -> u32 {
    match m {
        2 if (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Mirrors the validators' per-char normalisation (full-width fold +
/// ASCII upper-case) so a "change" is a real change after normalisation.
fn normalise_char(c: char) -> char {
    let c = match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap(),
        c => c,
    };
    c.to_ascii_uppercase()
}

fn valid_id() -> impl Strategy<Value = String> {
    (
        prop::sample::select(PROVINCES.to_vec()),
        0u32..10_000,
        1900u32..=2024,
        1u32..=12,
        0u32..31,
        0u32..1000,
    )
        .prop_map(|(prov, region, y, m, d, seq)| {
            let d = 1 + d % days_in_month(y, m);
            let first17 = format!("{prov:02}{region:04}{y:04}{m:02}{d:02}{seq:03}");
            let check = id_check_char(&first17).expect("17 digits");
            format!("{first17}{check}")
        })
}

fn valid_uscc() -> impl Strategy<Value = String> {
    let alpha = prop::sample::select(USCC_ALPHABET.chars().collect::<Vec<_>>());
    let digit = prop::sample::select(DIGITS.chars().collect::<Vec<_>>());
    (
        prop::collection::vec(alpha.clone(), 2),
        prop::collection::vec(digit, 6),
        prop::collection::vec(alpha, 9),
    )
        .prop_map(|(a, b, c)| {
            let first17: String = a.into_iter().chain(b).chain(c).collect();
            let check = uscc_check_char(&first17).expect("alphabet chars");
            format!("{first17}{check}")
        })
}

/// A replacement char: from the position's own alphabet, or anything at all.
fn replacement(alphabet: &'static str) -> impl Strategy<Value = char> {
    prop_oneof![
        prop::sample::select(alphabet.chars().collect::<Vec<_>>()),
        any::<char>(),
    ]
}

fn replace_at(s: &str, pos: usize, c: char) -> String {
    s.chars()
        .enumerate()
        .map(|(i, o)| if i == pos { c } else { o })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn generated_ids_pass(id in valid_id()) {
        prop_assert_eq!(id_number(&id), Ok(id.clone()));
        prop_assert_eq!(id_number_on(&id, (2025, 1, 1)), Ok(id.clone()));
        prop_assert_eq!(mask_id(&id).chars().count(), 18);
    }

    #[test]
    fn id_single_change_fails(
        id in valid_id(),
        pos in 0usize..18,
        digit in replacement(DIGITS),
        last in replacement("0123456789X"),
    ) {
        let c = if pos == 17 { last } else { digit };
        let original = id.as_bytes()[pos] as char;
        prop_assume!(normalise_char(c) != original);
        let changed = replace_at(&id, pos, c);
        prop_assert!(id_number(&changed).is_err(), "{} accepted", changed);
    }

    #[test]
    fn id_future_birth_rejected(id in valid_id()) {
        let y: i32 = id[6..10].parse().unwrap();
        let m: u32 = id[10..12].parse().unwrap();
        let d: u32 = id[12..14].parse().unwrap();
        prop_assert!(id_number_on(&id, (y, m, d)).is_ok());
        let day_before = if d > 1 {
            (y, m, d - 1)
        } else if m > 1 {
            (y, m - 1, 28)
        } else {
            (y - 1, 12, 31)
        };
        prop_assert_eq!(id_number_on(&id, day_before), Err(IdNumberError::BirthDate));
    }

    #[test]
    fn generated_usccs_pass(code in valid_uscc()) {
        prop_assert_eq!(uscc(&code), Ok(code.clone()));
        prop_assert_eq!(uscc_repair(&code), Some(code.clone()));
        prop_assert_eq!(uscc(&code.to_lowercase()), Ok(code.clone()));
    }

    #[test]
    fn uscc_single_change_fails(
        code in valid_uscc(),
        pos in 0usize..18,
        alpha in replacement(USCC_ALPHABET),
        digit in replacement(DIGITS),
    ) {
        let c = if (2..8).contains(&pos) { digit } else { alpha };
        let original = code.as_bytes()[pos] as char;
        prop_assume!(normalise_char(c) != original);
        let changed = replace_at(&code, pos, c);
        prop_assert!(uscc(&changed).is_err(), "{} accepted", changed);
    }

    /// OCR-style corruption (0→O, 1→I, 2→Z, 5→S, 8→B) is either repaired to
    /// the original, refused, or (when the corruption is itself a valid code)
    /// kept; never "repaired" to a third code. With no B anywhere (so no
    /// ambiguous reading) it is always repaired.
    #[test]
    fn uscc_repair_undoes_ocr_confusions(
        code in valid_uscc(),
        flips in prop::collection::vec(any::<bool>(), 18),
    ) {
        let corrupted: String = code
            .chars()
            .zip(&flips)
            .map(|(c, &flip)| match (c, flip) {
                ('0', true) => 'O',
                ('1', true) => 'I',
                ('2', true) => 'Z',
                ('5', true) => 'S',
                ('8', true) => 'B',
                (c, _) => c,
            })
            .collect();
        let repaired = uscc_repair(&corrupted);
        // B is a legal USCC character: 8→B can yield another code that passes its checksum
        // (about 1 in 31). That reading is kept as it is: nothing tells it from a true B.
        let corrupted_is_valid = uscc(&corrupted).is_ok();
        prop_assert!(
            repaired.is_none()
                || repaired.as_deref() == Some(code.as_str())
                || (corrupted_is_valid && repaired.as_deref() == Some(corrupted.as_str())),
            "{} -> {:?}, expected {}", corrupted, repaired, code
        );
        let confusable = corrupted.chars().filter(|c| "OIZSB".contains(*c)).count();
        if !corrupted.contains('B') && confusable <= 8 {
            prop_assert_eq!(repaired, Some(code.clone()));
        }
    }

    #[test]
    fn mobiles_normalise(
        rest in "[3-9][0-9]{9}",
        prefix in prop::sample::select(vec!["", "+86", "86", "0086", "+86 ", "0086-"]),
        sep in prop::sample::select(vec!["", " ", "-"]),
    ) {
        let digits = format!("1{rest}");
        let pretty = format!("{prefix}{}{sep}{}{sep}{}", &digits[..3], &digits[3..7], &digits[7..]);
        prop_assert_eq!(mobile(&pretty), Ok(digits.clone()));
        prop_assert_eq!(mask_mobile(&digits).chars().filter(|&c| c == '*').count(), 4);
    }

    #[test]
    fn validators_are_idempotent(s in "\\PC{0,40}") {
        if let Ok(v) = person_name(&s) {
            prop_assert_eq!(person_name(&v), Ok(v.clone()));
        }
        if let Ok(v) = enterprise_name(&s) {
            prop_assert_eq!(enterprise_name(&v), Ok(v.clone()));
            prop_assert!(!v.contains('(') && !v.contains(')'));
        }
        if let Ok(v) = mobile(&s) {
            prop_assert_eq!(mobile(&v), Ok(v.clone()));
        }
        if let Ok(v) = sms_code(&s) {
            prop_assert_eq!(sms_code(&v), Ok(v.clone()));
        }
    }

    #[test]
    fn names_idempotent_on_name_like_input(s in "[ 王建国欧阳娜买提艾力·．•a-zA-Z]{0,40}") {
        if let Ok(v) = person_name(&s) {
            prop_assert_eq!(person_name(&v), Ok(v.clone()));
            prop_assert!((2..=32).contains(&v.chars().count()));
            prop_assert_eq!(v.trim(), v.as_str());
        }
    }

    #[test]
    fn masks_preserve_char_count(s in "[^\\s]{0,30}") {
        let n = s.chars().count();
        prop_assert_eq!(mask_id(&s).chars().count(), n);
        prop_assert_eq!(mask_mobile(&s).chars().count(), n);
        prop_assert_eq!(mask_name(&s).chars().count(), n);
    }

    #[test]
    fn accepted_text_holds_nothing_invisible(s in "(.|\\p{Cc}|\\p{Cf}|[星河云图])*") {
        for v in [
            enterprise_name(&s).ok(),
            person_name(&s).ok(),
            free_text(&s, 200).ok(),
        ]
        .into_iter()
        .flatten()
        {
            prop_assert!(!v.chars().any(is_invisible), "{:?} -> {:?}", s, v);
        }
        if let Ok(v) = free_text(&s, 200) {
            prop_assert_eq!(free_text(&v, 200), Ok(v.clone()));
        }
    }

    #[test]
    fn validators_never_panic(s in "\\PC{0,40}|.{0,40}") {
        let _ = free_text(&s, 50);
        let _ = id_number(&s);
        let _ = id_number_on(&s, (2025, 1, 1));
        let _ = id_check_char(&s);
        let _ = uscc(&s);
        let _ = uscc_check_char(&s);
        let _ = uscc_repair(&s);
        let _ = mobile(&s);
        let _ = person_name(&s);
        let _ = enterprise_name(&s);
        let _ = sms_code(&s);
        let _ = mask_id(&s);
        let _ = mask_mobile(&s);
        let _ = mask_name(&s);
    }
}
