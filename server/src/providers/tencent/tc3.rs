//! TC3-HMAC-SHA256, Tencent Cloud API 3.0's request signature (providers.md §5). Pure: the
//! caller gives the time, the host exactly as sent and the service named by the API (`sms`,
//! `ocr`, `faceid`), never guessed from the host, which may be a proxy or a test fake.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// The only content type signed and sent: the header must equal it byte for byte.
pub const CONTENT_TYPE: &str = "application/json; charset=utf-8";

/// Which headers the signature covers. The current documentation signs the action too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignedHeaders {
    /// `content-type;host;x-tc-action`.
    WithAction,
    /// `content-type;host`, the two mandatory ones.
    ContentTypeAndHost,
}

impl SignedHeaders {
    fn names(self) -> &'static str {
        match self {
            SignedHeaders::WithAction => "content-type;host;x-tc-action",
            SignedHeaders::ContentTypeAndHost => "content-type;host",
        }
    }
}

/// One POST of a JSON body, as signed.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// The API's service name, the credential scope's middle part.
    pub service: &'a str,
    /// The `Host` header sent, with its port when it has one (`127.0.0.1:8443`).
    pub host: &'a str,
    pub action: &'a str,
    /// Unix seconds, the `X-TC-Timestamp` sent.
    pub timestamp: i64,
    pub body: &'a [u8],
    pub signed_headers: SignedHeaders,
}

/// The UTC date of the timestamp, `YYYY-MM-DD` (never China's local date).
pub fn date(timestamp: i64) -> String {
    chrono::DateTime::from_timestamp(timestamp, 0)
        .unwrap_or_default()
        .format("%Y-%m-%d")
        .to_string()
}

fn hmac(key: &[u8], msg: &[u8]) -> [u8; 32] {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(msg);
    mac.finalize().into_bytes().into()
}

fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// `SecretDate`, `SecretService` and `SecretSigning`, in that order.
pub fn keys(secret_key: &str, date: &str, service: &str) -> [[u8; 32]; 3] {
    let secret_date = hmac(format!("TC3{secret_key}").as_bytes(), date.as_bytes());
    let secret_service = hmac(&secret_date, service.as_bytes());
    let secret_signing = hmac(&secret_service, b"tc3_request");
    [secret_date, secret_service, secret_signing]
}

pub fn canonical_request(r: &Request<'_>) -> String {
    let mut headers = format!("content-type:{CONTENT_TYPE}\nhost:{}\n", r.host.trim());
    if r.signed_headers == SignedHeaders::WithAction {
        headers.push_str(&format!(
            "x-tc-action:{}\n",
            r.action.trim().to_ascii_lowercase()
        ));
    }
    format!(
        "POST\n/\n\n{headers}\n{}\n{}",
        r.signed_headers.names(),
        sha256_hex(r.body)
    )
}

pub fn string_to_sign(r: &Request<'_>) -> String {
    format!(
        "TC3-HMAC-SHA256\n{}\n{}/{}/tc3_request\n{}",
        r.timestamp,
        date(r.timestamp),
        r.service,
        sha256_hex(canonical_request(r).as_bytes())
    )
}

/// The lowercase hex signature.
pub fn signature(secret_key: &str, r: &Request<'_>) -> String {
    let [_, _, signing] = keys(secret_key, &date(r.timestamp), r.service);
    hex::encode(hmac(&signing, string_to_sign(r).as_bytes()))
}

/// The `Authorization` header's value.
pub fn authorization(secret_id: &str, secret_key: &str, r: &Request<'_>) -> String {
    format!(
        "TC3-HMAC-SHA256 Credential={secret_id}/{}/{}/tc3_request, SignedHeaders={}, Signature={}",
        date(r.timestamp),
        r.service,
        r.signed_headers.names(),
        signature(secret_key, r)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The official example's body: Python `json.dumps` output, `\u` escapes literal.
    const BODY: &str =
        r#"{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}"#;

    fn example(signed_headers: SignedHeaders) -> Request<'static> {
        Request {
            service: "cvm",
            host: "cvm.tencentcloudapi.com",
            action: "DescribeInstances",
            timestamp: 1551113065,
            body: BODY.as_bytes(),
            signed_headers,
        }
    }

    #[test]
    fn variant_a_of_the_current_documentation() {
        let r = example(SignedHeaders::WithAction);
        assert_eq!(BODY.len(), 86);
        assert_eq!(
            sha256_hex(BODY.as_bytes()),
            "35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064"
        );
        assert_eq!(
            canonical_request(&r),
            "POST\n/\n\ncontent-type:application/json; charset=utf-8\nhost:cvm.tencentcloudapi.com\nx-tc-action:describeinstances\n\ncontent-type;host;x-tc-action\n35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064"
        );
        assert_eq!(
            sha256_hex(canonical_request(&r).as_bytes()),
            "7019a55be8395899b900fb5564e4200d984910f34794a27cb3fb7d10ff6a1e84"
        );
        let key = "*".repeat(32);
        let [d, s, sign] = keys(&key, "2019-02-25", "cvm");
        assert_eq!(
            hex::encode(d),
            "da98fb70dcf6b112dc21038d1eeeb3a95c74b4dcb12c1131f864f6066bd02be0"
        );
        assert_eq!(
            hex::encode(s),
            "8d70cbefb03939f929db64d32dc2ba89b1095620119fe3e050e2b18c5bd2752f"
        );
        assert_eq!(
            hex::encode(sign),
            "b596b923aad85185e2d1f6659d2a062e0a86731226e021e61bfe06f7ed05f5af"
        );
        assert_eq!(
            signature(&key, &r),
            "10b1a37a7301a02ca19a647ad722d5e43b4b3cff309d421d85b46093f6ab6c4f"
        );
        let id = format!("AKID{}", "*".repeat(32));
        assert_eq!(
            authorization(&id, &key, &r),
            format!("TC3-HMAC-SHA256 Credential={id}/2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host;x-tc-action, Signature=10b1a37a7301a02ca19a647ad722d5e43b4b3cff309d421d85b46093f6ab6c4f")
        );
    }

    #[test]
    fn variant_d_signs_two_headers() {
        let r = example(SignedHeaders::ContentTypeAndHost);
        assert_eq!(
            sha256_hex(canonical_request(&r).as_bytes()),
            "5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031"
        );
        let key = "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE";
        assert_eq!(
            signature(key, &r),
            "72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168"
        );
        assert_eq!(
            authorization("AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE", key, &r),
            "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host, Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168"
        );
    }

    #[test]
    fn the_date_is_utc_even_just_after_midnight_in_china() {
        // 2019-02-26 00:44:25 in Beijing.
        assert_eq!(date(1551113065), "2019-02-25");
        assert_eq!(date(1551139200 - 1), "2019-02-25");
        assert_eq!(date(1551139200), "2019-02-26");
        let r = example(SignedHeaders::WithAction);
        assert!(string_to_sign(&r).contains("\n2019-02-25/cvm/tc3_request\n"));
    }

    #[test]
    fn a_host_that_is_no_tencent_host_keeps_the_api_service_in_the_scope() {
        let fake = Request {
            service: "sms",
            host: "127.0.0.1:18443",
            action: "SendSms",
            ..example(SignedHeaders::WithAction)
        };
        assert!(canonical_request(&fake).contains("\nhost:127.0.0.1:18443\n"));
        let auth = authorization("AKIDx", "k", &fake);
        assert!(
            auth.starts_with("TC3-HMAC-SHA256 Credential=AKIDx/2019-02-25/sms/tc3_request, "),
            "{auth}"
        );
        // The host is signed: the same call for another host has another signature.
        let other = Request {
            host: "sms.tencentcloudapi.com",
            ..fake
        };
        assert_ne!(signature("k", &fake), signature("k", &other));
        assert!(string_to_sign(&other).contains("/sms/tc3_request\n"));
    }
}
