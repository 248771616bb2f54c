//! Calls to `qyapi`: the JSON envelope, errcodes as typed errors, and the token cache shared by
//! every instance (sealed in the database), with the one refetch WeCom's token errors call for.

use std::future::Future;

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::SuiteWeCom;
use crate::providers::http::{self, HttpError};
use crate::providers::ProviderError;

pub(super) const PROVIDER: &str = "wecom";

/// Refetched this long before WeCom's `expires_in` runs out.
const REFRESH_MARGIN_SECS: i64 = 300;

/// The token was invalid or expired (40014, 42001, 42009) or the suite token was
/// (40082): fetch it again, once.
const TOKEN_ERRORS: [i64; 4] = [40014, 42001, 42009, 40082];

/// Why a call failed, before it is told to the flow.
#[derive(Debug)]
pub(super) enum Fail {
    Http(HttpError),
    Api { errcode: i64, errmsg: String },
    Provider(ProviderError),
}

impl From<ProviderError> for Fail {
    fn from(e: ProviderError) -> Self {
        Fail::Provider(e)
    }
}

impl From<crate::storage::StorageError> for Fail {
    fn from(e: crate::storage::StorageError) -> Self {
        Fail::Provider(e.into())
    }
}

impl Fail {
    pub(super) fn errcode(&self) -> Option<i64> {
        match self {
            Fail::Api { errcode, .. } => Some(*errcode),
            _ => None,
        }
    }

    fn token_rejected(&self) -> bool {
        self.errcode().is_some_and(|c| TOKEN_ERRORS.contains(&c))
    }

    /// `what`: the call, for the operator's log.
    pub(super) fn provider(self, what: &str) -> ProviderError {
        let (errcode, errmsg) = match self {
            Fail::Http(e) => return e.unavailable(PROVIDER),
            Fail::Provider(e) => return e,
            Fail::Api { errcode, errmsg } => (errcode, errmsg),
        };
        let detail = format!("{what}: errcode {errcode} ({errmsg})");
        match errcode {
            // API frequency limits, per app and per member.
            45009 | 45011 | 45033 => ProviderError::RateLimited {
                provider: PROVIDER,
                retry_after_secs: 60,
                message: "企业微信调用过于频繁，请稍后再试".to_owned(),
            },
            // Credentials, ids and permissions of the deployment or the install.
            40001 | 40013 | 40056 | 40082 | 40084 | 40085 | 40086 | 40089 | 48001 | 48002
            | 60011 | 60020 | 301002 => ProviderError::Misconfigured {
                provider: PROVIDER,
                detail,
            },
            // System busy, or a token still refused after the refetch.
            -1 | 40014 | 42001 | 42009 => ProviderError::Unavailable {
                provider: PROVIDER,
                message: detail,
            },
            _ => ProviderError::Refused {
                provider: PROVIDER,
                message: detail,
            },
        }
    }
}

/// A token in the clear, and as stored (to drop exactly that one when WeCom refuses it).
pub(super) struct Token {
    pub value: String,
    sealed: String,
}

impl SuiteWeCom {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.settings.api_base)
    }

    /// GET `path`; `repeat` for reads that are safe to send again.
    pub(super) async fn get<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, &str)],
        repeat: bool,
    ) -> Result<T, Fail> {
        let url = self.url(path);
        exchange(|| http::client().get(&url).query(query), repeat).await
    }

    /// POST `path` with a JSON body; `repeat` as for [`Self::get`]. A send never repeats.
    pub(super) async fn post<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, &str)],
        body: &Value,
        repeat: bool,
    ) -> Result<T, Fail> {
        let url = self.url(path);
        exchange(|| http::client().post(&url).query(query).json(body), repeat).await
    }

    /// POST `path` with the suite token (`suite_access_token`), refetched once if refused.
    pub(super) async fn post_as_suite<T: DeserializeOwned>(
        &self,
        path: &str,
        body: &Value,
        repeat: bool,
    ) -> Result<T, Fail> {
        self.with_suite_token(|t| async move {
            self.post(path, &[("suite_access_token", &t)], body, repeat)
                .await
        })
        .await
    }

    /// POST `path` with the corp's token (`access_token`), refetched once if refused.
    pub(super) async fn post_as_corp<T: DeserializeOwned>(
        &self,
        corp_id: &str,
        path: &str,
        body: &Value,
        repeat: bool,
    ) -> Result<T, Fail> {
        self.with_corp_token(corp_id, |t| async move {
            self.post(path, &[("access_token", &t)], body, repeat).await
        })
        .await
    }

    /// The token named `name` from the shared cache, or fetched by `fetch` (value,
    /// `expires_in`) and cached.
    pub(super) async fn cached<F, Fut>(&self, name: &str, fetch: F) -> Result<Token, Fail>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<(String, i64), Fail>>,
    {
        let now = self.clock.now();
        if let Some(sealed) = self.db.cached_token(name, now).await? {
            // One sealed with an older data key is just fetched again.
            if let Ok(value) = self.vault.open(&sealed) {
                return Ok(Token { value, sealed });
            }
        }
        let (value, expires_in) = fetch().await?;
        let lifetime = if expires_in > 2 * REFRESH_MARGIN_SECS {
            expires_in - REFRESH_MARGIN_SECS
        } else {
            expires_in / 2
        };
        let sealed = self.vault.seal(&value);
        self.db.store_token(name, &sealed, now + lifetime).await?;
        Ok(Token { value, sealed })
    }

    /// Runs `call` with the token `get` gives; when WeCom says the token is invalid or
    /// expired, drops it from the cache, gets a fresh one and runs `call` once more. WeCom
    /// refused the first call unprocessed, so even a send may go again here.
    pub(super) async fn with_token<T, G, GF, C, CF>(
        &self,
        name: &str,
        get: G,
        call: C,
    ) -> Result<T, Fail>
    where
        G: Fn() -> GF,
        GF: Future<Output = Result<Token, Fail>>,
        C: Fn(String) -> CF,
        CF: Future<Output = Result<T, Fail>>,
    {
        let token = get().await?;
        match call(token.value.clone()).await {
            Err(f) if f.token_rejected() => {
                tracing::info!(
                    token = name,
                    "WeCom refused a cached token; fetching it again"
                );
                self.db.drop_token(name, &token.sealed).await?;
                let fresh = get().await?;
                call(fresh.value).await
            }
            done => done,
        }
    }
}

/// One exchange, tried again on a transient failure when `repeat`; its answer read.
async fn exchange<T: DeserializeOwned>(
    request: impl Fn() -> reqwest::RequestBuilder,
    repeat: bool,
) -> Result<T, Fail> {
    let send = || http::json::<Value>(request());
    let answer = if repeat {
        http::repeatable(send).await
    } else {
        send().await
    };
    envelope(answer.map_err(Fail::Http)?)
}

/// WeCom answers HTTP 200 with `errcode` in the body (absent on some successes).
fn envelope<T: DeserializeOwned>(v: Value) -> Result<T, Fail> {
    let errcode = v.get("errcode").and_then(Value::as_i64).unwrap_or(0);
    if errcode != 0 {
        return Err(Fail::Api {
            errcode,
            errmsg: v
                .get("errmsg")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .chars()
                .take(200)
                .collect(),
        });
    }
    serde_json::from_value(v).map_err(|e| Fail::Http(HttpError::Decode(e.to_string())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errcodes_become_typed_errors() {
        let api = |errcode| Fail::Api {
            errcode,
            errmsg: "x".to_owned(),
        };
        assert!(matches!(
            api(45009).provider("send"),
            ProviderError::RateLimited { .. }
        ));
        assert!(matches!(
            api(45033).provider("send"),
            ProviderError::RateLimited { .. }
        ));
        for code in [40001, 40013, 40082, 40084] {
            assert!(matches!(
                api(code).provider("token"),
                ProviderError::Misconfigured { .. }
            ));
        }
        assert!(matches!(
            api(-1).provider("x"),
            ProviderError::Unavailable { .. }
        ));
        assert!(matches!(
            api(60111).provider("x"),
            ProviderError::Refused { .. }
        ));
        assert!(api(42001).token_rejected() && api(40014).token_rejected());
        assert!(!api(40001).token_rejected());
    }

    #[test]
    fn the_envelope_reads_errcode() {
        let ok: Value =
            envelope(serde_json::json!({"access_token": "t", "expires_in": 7200})).unwrap();
        assert_eq!(ok["access_token"], "t");
        let e = envelope::<Value>(serde_json::json!({"errcode": 40029, "errmsg": "invalid code"}))
            .unwrap_err();
        assert_eq!(e.errcode(), Some(40029));
    }
}
