//! The enterprise registry (工商登记信息): for a 统一社会信用代码, the registered name and legal
//! representative (法定代表人 / 经营者 / 负责人). Confirming a license checks the form against
//! it, and the authorization path follows its legal representative, never a typed field.

use async_trait::async_trait;

use super::ProviderError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisteredEnterprise {
    pub uscc: String,
    pub name: String,
    pub legal_rep: String,
}

impl RegisteredEnterprise {
    pub fn name_matches(&self, typed: &str) -> bool {
        normalize(typed) == normalize(&self.name)
    }

    pub fn legal_rep_matches(&self, typed: &str) -> bool {
        normalize(typed) == normalize(&self.legal_rep)
    }
}

/// Registry names compare after trimming and with half-width brackets made full-width, the
/// way licenses print them (`（个体工商户）`).
pub fn normalize(s: &str) -> String {
    s.trim()
        .chars()
        .map(|c| match c {
            '(' => '（',
            ')' => '）',
            c => c,
        })
        .collect()
}

#[async_trait]
pub trait EnterpriseRegistry: Send + Sync {
    /// The registered enterprise with this (valid, upper-case) code; `None` when the registry
    /// has no such enterprise.
    async fn lookup(&self, uscc: &str) -> Result<Option<RegisteredEnterprise>, ProviderError>;
}

/// Local mode: the registry table of local-mode.md. It knows those five enterprises and no
/// others; every other code is "not found", never a pass.
pub struct LocalRegistry;

/// (USCC, registered name, legal representative), as local-mode.md lists them.
const TABLE: &[(&str, &str, &str)] = &[
    ("91330106MA2KX7Q890", "星河云图科技有限公司", "王建国"),
    ("91440305MA5G3N2R3N", "蓝海文化传媒有限公司", "赵磊"),
    ("11510107MB1C4D5E7K", "青禾市数据资源局", "郑芳"),
    ("91310115MA1H9T6K4H", "北辰物流有限公司", "吴昊"),
    ("92440305MA5HJ8WL2G", "南山小满餐饮店（个体工商户）", "郑芳"),
];

#[async_trait]
impl EnterpriseRegistry for LocalRegistry {
    async fn lookup(&self, uscc: &str) -> Result<Option<RegisteredEnterprise>, ProviderError> {
        Ok(TABLE
            .iter()
            .find(|(code, _, _)| *code == uscc)
            .map(|(uscc, name, legal_rep)| RegisteredEnterprise {
                uscc: (*uscc).to_owned(),
                name: (*name).to_owned(),
                legal_rep: (*legal_rep).to_owned(),
            }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn knows_the_demo_enterprises_and_no_others() {
        let r = LocalRegistry;
        let e = r.lookup("92440305MA5HJ8WL2G").await.unwrap().unwrap();
        assert!(e.name_matches(" 南山小满餐饮店(个体工商户)"));
        assert!(e.legal_rep_matches("郑芳 "));
        assert!(!e.legal_rep_matches("郑 芳"));
        let q = r.lookup("11510107MB1C4D5E7K").await.unwrap().unwrap();
        assert!(!q.legal_rep_matches("周敏"), "青禾's 负责人 is 郑芳");
        // A valid code that is not in the table is not found, never a pass.
        let base = "91110108MA01ABCD1";
        let unknown = format!("{base}{}", api::validate::uscc_check_char(base).unwrap());
        assert_eq!(
            api::validate::uscc(&unknown).as_deref(),
            Ok(unknown.as_str())
        );
        assert_eq!(r.lookup(&unknown).await.unwrap(), None);
    }

    #[test]
    fn every_listed_code_passes_its_checksum() {
        for (code, _, _) in TABLE {
            assert_eq!(api::validate::uscc(code).as_deref(), Ok(*code), "{code}");
        }
    }
}
