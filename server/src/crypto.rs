//! Personal data at rest: ID and phone numbers are sealed with AES-256-GCM, and looked up by a
//! keyed hash (HMAC-SHA256 "blind index"), so the database never holds them in clear.
//!
//! One 32-byte master key, from configuration (`ESIGN_DATA_KEY`, base64) or, in local mode,
//! generated once under the data directory. Two subkeys are derived from it, so that the
//! encryption key and the index key are never the same bytes.

use std::path::Path;

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    #[error("the data key must be 32 bytes, base64-encoded")]
    BadKey,
    #[error("sealed value is damaged or was sealed with another key")]
    Unseal,
    #[error("key file {path}: {source}")]
    KeyFile {
        path: String,
        source: std::io::Error,
    },
}

#[derive(Clone)]
pub struct Vault {
    cipher: Aes256Gcm,
    index_key: [u8; 32],
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Vault(..)")
    }
}

fn derive(master: &[u8; 32], label: &[u8]) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(master).expect("HMAC takes any key length");
    mac.update(label);
    mac.finalize().into_bytes().into()
}

impl Vault {
    pub fn from_master(master: &[u8; 32]) -> Self {
        let enc = derive(master, b"esign/seal/v1");
        Self {
            cipher: Aes256Gcm::new_from_slice(&enc).expect("32-byte key"),
            index_key: derive(master, b"esign/index/v1"),
        }
    }

    pub fn from_base64(key: &str) -> Result<Self, VaultError> {
        let bytes = B64.decode(key.trim()).map_err(|_| VaultError::BadKey)?;
        let master: [u8; 32] = bytes.try_into().map_err(|_| VaultError::BadKey)?;
        Ok(Self::from_master(&master))
    }

    /// Local mode: the key lives in `<data dir>/secret.key`, created on first start (mode 0600).
    pub fn load_or_create(path: &Path) -> Result<Self, VaultError> {
        let err = |source| VaultError::KeyFile {
            path: path.display().to_string(),
            source,
        };
        match std::fs::read_to_string(path) {
            Ok(text) => Self::from_base64(&text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut master = [0u8; 32];
                rand::rng().fill_bytes(&mut master);
                if let Some(dir) = path.parent() {
                    std::fs::create_dir_all(dir).map_err(err)?;
                }
                write_private(path, &B64.encode(master)).map_err(err)?;
                Ok(Self::from_master(&master))
            }
            Err(e) => Err(err(e)),
        }
    }

    /// `base64(nonce ‖ ciphertext ‖ tag)`.
    pub fn seal(&self, plaintext: &str) -> String {
        let mut nonce = [0u8; 12];
        rand::rng().fill_bytes(&mut nonce);
        let ct = self
            .cipher
            .encrypt(Nonce::from_slice(&nonce), plaintext.as_bytes())
            .expect("AES-GCM encryption of a short value cannot fail");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&ct);
        B64.encode(out)
    }

    pub fn open(&self, sealed: &str) -> Result<String, VaultError> {
        let bytes = B64.decode(sealed).map_err(|_| VaultError::Unseal)?;
        if bytes.len() < 12 + 16 {
            return Err(VaultError::Unseal);
        }
        let (nonce, ct) = bytes.split_at(12);
        let pt = self
            .cipher
            .decrypt(Nonce::from_slice(nonce), ct)
            .map_err(|_| VaultError::Unseal)?;
        String::from_utf8(pt).map_err(|_| VaultError::Unseal)
    }

    /// A stable keyed hash for lookups (same input, same output; useless without the key).
    pub fn blind_index(&self, value: &str) -> String {
        let mut mac =
            <Hmac<Sha256> as Mac>::new_from_slice(&self.index_key).expect("any key length");
        mac.update(value.as_bytes());
        mac.finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

#[cfg(unix)]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(text.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    std::fs::write(path, text)
}

/// A token nobody can guess (one-time SMS links): 32 random bytes, URL-safe.
pub fn new_token() -> String {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let mut b = [0u8; 32];
    rand::rng().fill_bytes(&mut b);
    URL_SAFE_NO_PAD.encode(b)
}

/// The code of a one-time SMS link: 12 characters of `[A-Za-z0-9]` (71 bits), the most an
/// SMS template variable holds (real-mode.md). Guessing is bounded by the try limit of `/s`
/// and the link's 24 hours.
pub fn new_short_code() -> String {
    use rand::distr::{Alphanumeric, SampleString};
    Alphanumeric.sample_string(&mut rand::rng(), SHORT_CODE_LEN)
}

pub const SHORT_CODE_LEN: usize = 12;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seals_and_opens_with_a_fresh_nonce_each_time() {
        let v = Vault::from_master(&[7; 32]);
        let a = v.seal("330106197503120410");
        let b = v.seal("330106197503120410");
        assert_ne!(a, b, "nonces differ");
        assert!(!a.contains("330106"));
        assert_eq!(v.open(&a).unwrap(), "330106197503120410");
        assert!(
            Vault::from_master(&[8; 32]).open(&a).is_err(),
            "another key cannot open it"
        );
        assert!(v.open("AAAA").is_err());
    }

    #[test]
    fn blind_index_is_stable_and_keyed() {
        let v = Vault::from_master(&[7; 32]);
        assert_eq!(v.blind_index("x"), v.blind_index("x"));
        assert_ne!(
            v.blind_index("x"),
            Vault::from_master(&[9; 32]).blind_index("x")
        );
        assert_eq!(v.blind_index("x").len(), 64);
    }

    #[test]
    fn the_local_key_file_is_created_once_and_reused() {
        let dir = std::env::temp_dir().join(format!("esign-vault-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let path = dir.join("secret.key");
        let a = Vault::load_or_create(&path).unwrap();
        let b = Vault::load_or_create(&path).unwrap();
        assert_eq!(b.open(&a.seal("13900000001")).unwrap(), "13900000001");
        assert!(matches!(
            Vault::from_base64("short"),
            Err(VaultError::BadKey)
        ));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
