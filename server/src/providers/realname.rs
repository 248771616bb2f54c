//! Real-name check (姓名 + 居民身份证号), shaped like Tencent Cloud FaceID's
//! IdCardVerification: `Result` "0" match, "-1" mismatch, "-2" invalid ID, "-5" no record.

use async_trait::async_trait;

use super::ProviderError;
use crate::demo;

/// The answers of `IdCardVerification` that are about the person. The rest of its `Result`
/// table is the provider's state, an error: "-4" ID-database failure and "-6" authority
/// upgrading are [`ProviderError::Unavailable`], "-7" the daily limit is
/// [`ProviderError::RateLimited`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RealNameResult {
    /// "0": the name and the number belong together.
    Match,
    /// "-1": 姓名与证件号不匹配.
    Mismatch,
    /// "-2": the number is not a valid ID number (length or check digit).
    InvalidIdNumber,
    /// "-3": the name is not a valid name.
    InvalidName,
    /// "-5": no such ID record.
    NoRecord,
}

#[async_trait]
pub trait RealNameProvider: Send + Sync {
    /// Checks an already-validated (checksum, date, region) pair. Never log its arguments.
    async fn check(&self, name: &str, id_number: &str) -> Result<RealNameResult, ProviderError>;
}

/// Local mode: knows the demo people. A known ID number must come with its name, and a known
/// name (of a demo person) with its number; any other valid pair passes, as local-mode.md says.
/// It checks no real registry.
pub struct LocalRealName;

#[async_trait]
impl RealNameProvider for LocalRealName {
    async fn check(&self, name: &str, id_number: &str) -> Result<RealNameResult, ProviderError> {
        let known = demo::PEOPLE.iter().filter(|p| p.id_number.is_some());
        for p in known {
            let same_id = p.id_number == Some(id_number);
            let same_name = p.name == name;
            if same_id != same_name {
                return Ok(RealNameResult::Mismatch);
            }
            if same_id {
                return Ok(RealNameResult::Match);
            }
        }
        Ok(RealNameResult::Match)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn known_people_must_match_and_others_pass() {
        let p = LocalRealName;
        assert_eq!(
            p.check("王建国", "330106197503120410").await.unwrap(),
            RealNameResult::Match
        );
        assert_eq!(
            p.check("张伟", "330106197503120410").await.unwrap(),
            RealNameResult::Mismatch
        );
        assert_eq!(
            p.check("王建国", "11010519491231002X").await.unwrap(),
            RealNameResult::Mismatch
        );
        assert_eq!(
            p.check("钱多多", "11010519491231002X").await.unwrap(),
            RealNameResult::Match
        );
    }
}
