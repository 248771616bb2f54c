//! Face verification through FaceID (providers.md §4): `DetectAuth` starts a session (never
//! repeated: each is a new session), `GetDetectInfoEnhanced` reads its result (repeatable).

use async_trait::async_trait;
use serde_json::json;

use super::{TcClient, TcError};
use crate::config::real::{FaceSettings, TencentCloudSettings};
use crate::providers::face::{DetectInfo, FaceSession, FaceVerifier};
use crate::providers::ProviderError;

const PROVIDER: &str = "face";

#[derive(Debug)]
pub struct TencentFace {
    client: TcClient,
    rule_id: String,
}

impl TencentFace {
    pub fn new(tc: &TencentCloudSettings, face: &FaceSettings) -> Result<Self, String> {
        Ok(Self {
            client: TcClient::faceid(tc, PROVIDER)?,
            rule_id: face.rule_id.clone(),
        })
    }
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DetectAuthAnswer {
    url: String,
    biz_token: String,
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
struct EnhancedAnswer {
    #[serde(default)]
    text: Option<DetectInfoText>,
}

/// `DetectInfoText`: any field may be null; `Sim` is a string.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DetectInfoText {
    err_code: Option<i64>,
    err_msg: Option<String>,
    id_card: Option<String>,
    name: Option<String>,
    live_status: Option<i64>,
    #[serde(rename = "Comparestatus")]
    compare_status: Option<i64>,
    sim: Option<serde_json::Value>,
}

/// `None` while the person has not finished: FaceID leaves `ErrCode` null until then.
fn info(text: Option<DetectInfoText>) -> Option<DetectInfo> {
    let t = text?;
    let err_code = t.err_code?;
    let sim = match t.sim {
        Some(serde_json::Value::String(s)) => s.trim().parse().ok(),
        Some(serde_json::Value::Number(n)) => n.as_f64(),
        _ => None,
    };
    let id_card = t
        .id_card
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty());
    // Without the verified number nothing says whose face it was: not a pass.
    let err_code = if id_card.is_none() && err_code == 0 {
        -1
    } else {
        err_code
    };
    Some(DetectInfo {
        err_code: Some(err_code),
        err_msg: t.err_msg.unwrap_or_default(),
        live_status: t.live_status,
        compare_status: t.compare_status,
        sim,
        name: t.name.unwrap_or_default(),
        id_card: Some(id_card.unwrap_or_default()),
    })
}

fn expired(message: String) -> DetectInfo {
    DetectInfo {
        err_code: Some(EXPIRED),
        err_msg: message,
        live_status: None,
        compare_status: None,
        sim: None,
        name: String::new(),
        id_card: None,
    }
}

/// `ErrCode` of a session that ended unfinished (the local simulation's too).
const EXPIRED: i64 = 2004;

fn provider_error(e: TcError) -> ProviderError {
    match e {
        TcError::Api { code, message } if code.contains("RuleId") => ProviderError::Misconfigured {
            provider: PROVIDER,
            detail: format!("{code}: {message}"),
        },
        e => e.into_provider(PROVIDER),
    }
}

#[async_trait]
impl FaceVerifier for TencentFace {
    async fn detect_auth(
        &self,
        name: &str,
        id_number: &str,
        redirect_url: &str,
    ) -> Result<FaceSession, ProviderError> {
        let body = json!({
            "RuleId": self.rule_id,
            "IdCard": id_number,
            "Name": name,
            "RedirectUrl": redirect_url,
        });
        let a: DetectAuthAnswer = self
            .client
            .call("DetectAuth", &body)
            .await
            .map_err(provider_error)?;
        Ok(FaceSession {
            url: a.url,
            biz_token: a.biz_token,
        })
    }

    async fn detect_info(&self, biz_token: &str) -> Result<Option<DetectInfo>, ProviderError> {
        let body = json!({ "BizToken": biz_token, "RuleId": self.rule_id, "InfoType": "0" });
        match self
            .client
            .call_repeatable::<EnhancedAnswer>("GetDetectInfoEnhanced", &body)
            .await
        {
            Ok(a) => Ok(info(a.text)),
            // The session ended unfinished (7200 s): a check that did not pass, as locally.
            Err(TcError::Api { code, message })
                if code == "InvalidParameterValue.BizTokenExpired" =>
            {
                Ok(Some(expired(message)))
            }
            Err(e) => Err(provider_error(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(v: serde_json::Value) -> Option<DetectInfo> {
        info(serde_json::from_value(v).unwrap())
    }

    #[test]
    fn a_null_err_code_is_not_finished_and_a_pass_needs_every_status() {
        assert_eq!(text(json!({"ErrCode": null, "Name": ""})), None);
        assert_eq!(info(None), None);
        let passed = text(json!({
            "ErrCode": 0, "ErrMsg": "成功", "IdCard": "11010519491231002X", "Name": "王建国",
            "LiveStatus": 0, "Comparestatus": 0, "Sim": "92.5"
        }))
        .unwrap();
        assert!(passed.passed() && passed.is_person("王建国", "11010519491231002x"));
        assert_eq!(passed.sim, Some(92.5));
        let no_id = text(json!({
            "ErrCode": 0, "Name": "王建国", "LiveStatus": 0, "Comparestatus": 0
        }))
        .unwrap();
        assert!(!no_id.passed());
        assert!(!no_id.is_person("王建国", "11010519491231002X"));
        let failed = text(json!({
            "ErrCode": 1001, "ErrMsg": "比对不通过", "IdCard": "11010519491231002X",
            "Name": "王建国", "LiveStatus": 0, "Comparestatus": 1001, "Sim": "21"
        }))
        .unwrap();
        assert!(!failed.passed());
    }
}
