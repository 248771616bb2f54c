//! The fake's own check of TC3-HMAC-SHA256, written from the documentation (providers.md §5)
//! apart from the server's signer: the canonical request is rebuilt from the headers this
//! fake received, the scope's service is the one this fake serves.

use axum::http::HeaderMap;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

type HmacSha256 = Hmac<Sha256>;

/// Why a request was not accepted, as Tencent Cloud's `Error.Code` and `Message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub code: String,
    pub message: String,
}

pub fn refuse(code: &str, message: impl Into<String>) -> Refusal {
    Refusal {
        code: code.to_owned(),
        message: message.into(),
    }
}

pub const CONTENT_TYPE: &str = "application/json; charset=utf-8";

/// How far the request's time may be from this fake's (five minutes, as documented).
pub const MAX_SKEW_SECS: i64 = 300;

fn mac(key: &[u8], data: &str) -> Vec<u8> {
    let mut m = HmacSha256::new_from_slice(key).unwrap();
    m.update(data.as_bytes());
    m.finalize().into_bytes().to_vec()
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// The parts of `Authorization: TC3-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…`.
struct Authorization<'a> {
    secret_id: &'a str,
    date: &'a str,
    service: &'a str,
    signed_headers: &'a str,
    signature: &'a str,
}

fn parse(value: &str) -> Option<Authorization<'_>> {
    let rest = value.strip_prefix("TC3-HMAC-SHA256 ")?;
    let (mut credential, mut signed, mut signature) = (None, None, None);
    for part in rest.split(',') {
        let (k, v) = part.trim().split_once('=')?;
        match k {
            "Credential" => credential = Some(v),
            "SignedHeaders" => signed = Some(v),
            "Signature" => signature = Some(v),
            _ => return None,
        }
    }
    let mut scope = credential?.split('/');
    let (id, date, service, end) = (scope.next()?, scope.next()?, scope.next()?, scope.next()?);
    if end != "tc3_request" || scope.next().is_some() {
        return None;
    }
    Some(Authorization {
        secret_id: id,
        date,
        service,
        signed_headers: signed?,
        signature: signature?,
    })
}

fn utc_date(ts: i64) -> String {
    chrono::DateTime::from_timestamp(ts, 0)
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

/// Checks one request's signature and time. `now` is this fake's clock.
pub fn verify(
    headers: &HeaderMap,
    body: &[u8],
    service: &str,
    secret_id: &str,
    secret_key: &str,
    now: i64,
) -> Result<(), Refusal> {
    let auth = header(headers, "authorization")
        .ok_or_else(|| refuse("AuthFailure.SignatureFailure", "Authorization is missing"))?;
    let auth = parse(auth).ok_or_else(|| {
        refuse(
            "AuthFailure.InvalidAuthorization",
            "Authorization is not TC3-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…",
        )
    })?;
    if auth.secret_id != secret_id {
        return Err(refuse(
            "AuthFailure.SecretIdNotFound",
            "The SecretId is not found",
        ));
    }
    let timestamp: i64 = header(headers, "x-tc-timestamp")
        .and_then(|t| t.trim().parse().ok())
        .ok_or_else(|| {
            refuse(
                "MissingParameter",
                "X-TC-Timestamp is missing or not a number",
            )
        })?;
    if (now - timestamp).abs() > MAX_SKEW_SECS {
        return Err(refuse(
            "AuthFailure.SignatureExpire",
            format!("Signature expired: the timestamp {timestamp} is more than 5 minutes from the server time {now}"),
        ));
    }
    if auth.service != service {
        return Err(refuse(
            "AuthFailure.SignatureFailure",
            format!("The credential scope's service must be {service}"),
        ));
    }
    if auth.date != utc_date(timestamp) {
        return Err(refuse(
            "AuthFailure.SignatureFailure",
            "The credential scope's date must be the UTC date of X-TC-Timestamp",
        ));
    }
    let names: Vec<&str> = auth.signed_headers.split(';').collect();
    let mut sorted = names.clone();
    sorted.sort_unstable();
    if !names.contains(&"content-type") || !names.contains(&"host") || sorted != names {
        return Err(refuse(
            "AuthFailure.SignatureFailure",
            "SignedHeaders must be sorted and include content-type and host",
        ));
    }
    let mut canonical_headers = String::new();
    for name in &names {
        let value = header(headers, name).unwrap_or_default().trim();
        let value = if *name == "x-tc-action" {
            value.to_lowercase()
        } else {
            value.to_owned()
        };
        canonical_headers.push_str(&format!("{name}:{value}\n"));
    }
    let canonical = format!(
        "POST\n/\n\n{canonical_headers}\n{}\n{}",
        auth.signed_headers,
        hex::encode(Sha256::digest(body))
    );
    let to_sign = format!(
        "TC3-HMAC-SHA256\n{timestamp}\n{}/{service}/tc3_request\n{}",
        auth.date,
        hex::encode(Sha256::digest(canonical.as_bytes()))
    );
    let k_date = mac(format!("TC3{secret_key}").as_bytes(), auth.date);
    let k_service = mac(&k_date, service);
    let k_signing = mac(&k_service, "tc3_request");
    let expected = hex::encode(mac(&k_signing, &to_sign));
    if expected != auth.signature {
        return Err(refuse(
            "AuthFailure.SignatureFailure",
            "The provided credentials could not be validated. Please check your signature is correct.",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    /// providers.md §5, variant A, recomputed by this fake's own code.
    #[test]
    fn the_documented_example_verifies_and_a_changed_byte_does_not() {
        let body = br#"{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}"#;
        let id = format!("AKID{}", "*".repeat(32));
        let mut h = HeaderMap::new();
        let set = |h: &mut HeaderMap, k: &'static str, v: &str| {
            h.insert(k, HeaderValue::from_str(v).unwrap());
        };
        set(&mut h, "authorization", &format!("TC3-HMAC-SHA256 Credential={id}/2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host;x-tc-action, Signature=10b1a37a7301a02ca19a647ad722d5e43b4b3cff309d421d85b46093f6ab6c4f"));
        set(&mut h, "content-type", CONTENT_TYPE);
        set(&mut h, "host", "cvm.tencentcloudapi.com");
        set(&mut h, "x-tc-action", "DescribeInstances");
        set(&mut h, "x-tc-timestamp", "1551113065");
        let key = "*".repeat(32);
        assert_eq!(verify(&h, body, "cvm", &id, &key, 1551113065), Ok(()));
        assert_eq!(
            verify(&h, b"{}", "cvm", &id, &key, 1551113065)
                .unwrap_err()
                .code,
            "AuthFailure.SignatureFailure"
        );
        assert_eq!(
            verify(&h, body, "cvm", &id, &key, 1551113065 + 301)
                .unwrap_err()
                .code,
            "AuthFailure.SignatureExpire"
        );
        assert_eq!(
            verify(&h, body, "sms", &id, &key, 1551113065)
                .unwrap_err()
                .code,
            "AuthFailure.SignatureFailure"
        );
        assert_eq!(
            verify(&h, body, "cvm", "AKIDother", &key, 1551113065)
                .unwrap_err()
                .code,
            "AuthFailure.SecretIdNotFound"
        );
        set(&mut h, "host", "127.0.0.1:9");
        assert_eq!(
            verify(&h, body, "cvm", &id, &key, 1551113065)
                .unwrap_err()
                .code,
            "AuthFailure.SignatureFailure",
            "the Host received is what is checked"
        );
    }
}
