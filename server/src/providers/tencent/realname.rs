//! The real-name check through FaceID's `IdCardVerification` 2018-03-01 (providers.md §4):
//! `Result` is a string; the answers about the person are [`RealNameResult`], the others the
//! provider's state.

use async_trait::async_trait;
use serde_json::json;

use super::TcClient;
use crate::config::real::TencentCloudSettings;
use crate::providers::realname::{RealNameProvider, RealNameResult};
use crate::providers::ProviderError;

const PROVIDER: &str = "realname";

#[derive(Debug)]
pub struct TencentRealName {
    client: TcClient,
}

impl TencentRealName {
    pub fn new(tc: &TencentCloudSettings) -> Result<Self, String> {
        Ok(Self {
            client: TcClient::faceid(tc, PROVIDER)?,
        })
    }
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Answer {
    #[serde(default)]
    result: String,
    #[serde(default)]
    description: String,
}

fn meaning(result: &str, description: &str) -> Result<RealNameResult, ProviderError> {
    Ok(match result {
        "0" => RealNameResult::Match,
        "-1" => RealNameResult::Mismatch,
        "-2" => RealNameResult::InvalidIdNumber,
        "-3" => RealNameResult::InvalidName,
        "-5" => RealNameResult::NoRecord,
        "-4" | "-6" => {
            return Err(ProviderError::Unavailable {
                provider: PROVIDER,
                message: format!("IdCardVerification {result}: {description}"),
            })
        }
        "-7" => {
            return Err(ProviderError::RateLimited {
                provider: PROVIDER,
                retry_after_secs: super::until_tomorrow_in_china(),
                message: "今日实名核验次数已达上限，请明天再试".to_owned(),
            })
        }
        other => {
            return Err(ProviderError::Refused {
                provider: PROVIDER,
                message: format!("IdCardVerification answered Result {other:?}"),
            })
        }
    })
}

#[async_trait]
impl RealNameProvider for TencentRealName {
    async fn check(&self, name: &str, id_number: &str) -> Result<RealNameResult, ProviderError> {
        let body = json!({ "IdCard": id_number, "Name": name });
        // Not repeated on a timeout: each answered check is billed, and the user may retry.
        let answer: Answer = self
            .client
            .call("IdCardVerification", &body)
            .await
            .map_err(|e| e.into_provider(PROVIDER))?;
        meaning(answer.result.trim(), &answer.description)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_result_has_its_meaning() {
        assert_eq!(meaning("0", "").unwrap(), RealNameResult::Match);
        assert_eq!(meaning("-1", "").unwrap(), RealNameResult::Mismatch);
        assert_eq!(meaning("-2", "").unwrap(), RealNameResult::InvalidIdNumber);
        assert_eq!(meaning("-3", "").unwrap(), RealNameResult::InvalidName);
        assert_eq!(meaning("-5", "").unwrap(), RealNameResult::NoRecord);
        for r in ["-4", "-6"] {
            assert!(matches!(
                meaning(r, ""),
                Err(ProviderError::Unavailable { .. })
            ));
        }
        assert!(matches!(
            meaning("-7", ""),
            Err(ProviderError::RateLimited { .. })
        ));
        assert!(matches!(
            meaning("", ""),
            Err(ProviderError::Refused { .. })
        ));
    }
}
