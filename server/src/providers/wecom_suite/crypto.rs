//! WXBizMsgCrypt: WeCom's callback signature and encryption (providers.md §1d).
//!
//! `msg_signature = sha1(sort([token, timestamp, nonce, encrypt]).join(""))`; the message is
//! AES-256-CBC with the key `base64(EncodingAESKey + "=")` and its first 16 bytes as IV,
//! PKCS#7-padded to 32-byte blocks, over `16 random bytes ‖ u32 BE length ‖ msg ‖ receive id`.

use aes::cipher::{block_padding::NoPadding, BlockDecryptMut, BlockEncryptMut, KeyIvInit};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;

/// EncodingAESKeys as WeCom generates them end in a character whose unused low bits are not
/// always zero (the official example's `C`): decoded leniently.
const KEY_B64: base64::engine::GeneralPurpose = base64::engine::GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    base64::engine::GeneralPurposeConfig::new().with_decode_allow_trailing_bits(true),
);
use rand::RngCore;
use sha1::{Digest, Sha1};

type Enc = cbc::Encryptor<aes::Aes256>;
type Dec = cbc::Decryptor<aes::Aes256>;

/// WeCom pads to 32 bytes, not to AES's 16: a 16-byte PKCS#7 library would refuse its pads.
const PAD_BLOCK: usize = 32;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    #[error("the EncodingAESKey must be 43 base64 characters")]
    BadKey,
    #[error("signature does not match")]
    Signature,
    #[error("the message does not decrypt")]
    Undecryptable,
    #[error("the message is for another receiver")]
    ReceiveId,
}

#[derive(Clone)]
pub struct MsgCrypt {
    token: String,
    key: [u8; 32],
}

impl std::fmt::Debug for MsgCrypt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MsgCrypt(..)")
    }
}

/// sha1 over the four strings, sorted, concatenated; lowercase hex.
pub fn signature(token: &str, timestamp: &str, nonce: &str, encrypt: &str) -> String {
    let mut parts = [token, timestamp, nonce, encrypt];
    parts.sort_unstable();
    hex::encode(Sha1::digest(parts.concat().as_bytes()))
}

/// Compares without stopping at the first difference, so timing tells nothing of the
/// expected signature.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl MsgCrypt {
    pub fn new(token: &str, encoding_aes_key: &str) -> Result<Self, CryptoError> {
        if encoding_aes_key.len() != 43 {
            return Err(CryptoError::BadKey);
        }
        let bytes = KEY_B64
            .decode(format!("{encoding_aes_key}="))
            .map_err(|_| CryptoError::BadKey)?;
        let key: [u8; 32] = bytes.try_into().map_err(|_| CryptoError::BadKey)?;
        Ok(Self {
            token: token.to_owned(),
            key,
        })
    }

    pub fn verify(
        &self,
        msg_signature: &str,
        timestamp: &str,
        nonce: &str,
        encrypt: &str,
    ) -> Result<(), CryptoError> {
        let want = signature(&self.token, timestamp, nonce, encrypt);
        if constant_time_eq(
            want.as_bytes(),
            msg_signature.to_ascii_lowercase().as_bytes(),
        ) {
            Ok(())
        } else {
            Err(CryptoError::Signature)
        }
    }

    /// Verifies the signature, decrypts, and checks the receive id against `receive_ids`
    /// (any of them). Answers the message.
    pub fn open(
        &self,
        msg_signature: &str,
        timestamp: &str,
        nonce: &str,
        encrypt: &str,
        receive_ids: &[&str],
    ) -> Result<String, CryptoError> {
        self.verify(msg_signature, timestamp, nonce, encrypt)?;
        let (msg, receive_id) = self.decrypt(encrypt)?;
        if !receive_ids.iter().any(|id| *id == receive_id) {
            return Err(CryptoError::ReceiveId);
        }
        Ok(msg)
    }

    /// The message and its receive id.
    pub fn decrypt(&self, encrypt: &str) -> Result<(String, String), CryptoError> {
        let mut data = B64
            .decode(encrypt.trim())
            .map_err(|_| CryptoError::Undecryptable)?;
        if data.is_empty() || data.len() % 16 != 0 {
            return Err(CryptoError::Undecryptable);
        }
        let iv: [u8; 16] = self.key[..16].try_into().expect("32-byte key");
        let plain = Dec::new(&self.key.into(), &iv.into())
            .decrypt_padded_mut::<NoPadding>(&mut data)
            .map_err(|_| CryptoError::Undecryptable)?;
        let pad = *plain.last().ok_or(CryptoError::Undecryptable)? as usize;
        if pad == 0 || pad > PAD_BLOCK || pad > plain.len() {
            return Err(CryptoError::Undecryptable);
        }
        let (body, padding) = plain.split_at(plain.len() - pad);
        if padding.iter().any(|&b| b as usize != pad) || body.len() < 20 {
            return Err(CryptoError::Undecryptable);
        }
        let len = u32::from_be_bytes(body[16..20].try_into().expect("4 bytes")) as usize;
        let rest = &body[20..];
        if len > rest.len() {
            return Err(CryptoError::Undecryptable);
        }
        let msg = std::str::from_utf8(&rest[..len]).map_err(|_| CryptoError::Undecryptable)?;
        let id = std::str::from_utf8(&rest[len..]).map_err(|_| CryptoError::Undecryptable)?;
        Ok((msg.to_owned(), id.to_owned()))
    }

    /// Base64 ciphertext of `msg` for `receive_id`, with 16 fresh random bytes in front.
    pub fn encrypt(&self, msg: &str, receive_id: &str) -> String {
        let mut random = [0u8; 16];
        rand::rng().fill_bytes(&mut random);
        self.encrypt_with(&random, msg, receive_id)
    }

    fn encrypt_with(&self, random: &[u8; 16], msg: &str, receive_id: &str) -> String {
        let mut plain = Vec::with_capacity(20 + msg.len() + receive_id.len() + PAD_BLOCK);
        plain.extend_from_slice(random);
        plain.extend_from_slice(&(msg.len() as u32).to_be_bytes());
        plain.extend_from_slice(msg.as_bytes());
        plain.extend_from_slice(receive_id.as_bytes());
        let pad = PAD_BLOCK - plain.len() % PAD_BLOCK;
        plain.extend(std::iter::repeat_n(pad as u8, pad));
        let iv: [u8; 16] = self.key[..16].try_into().expect("32-byte key");
        let len = plain.len();
        let ct = Enc::new(&self.key.into(), &iv.into())
            .encrypt_padded_mut::<NoPadding>(&mut plain, len)
            .expect("a whole number of blocks");
        B64.encode(ct)
    }

    /// A signed, encrypted reply or push: (encrypt, msg_signature).
    pub fn seal(
        &self,
        msg: &str,
        receive_id: &str,
        timestamp: &str,
        nonce: &str,
    ) -> (String, String) {
        let encrypt = self.encrypt(msg, receive_id);
        let sig = signature(&self.token, timestamp, nonce, &encrypt);
        (encrypt, sig)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // providers.md §1d, the official URL-verification example.
    const TOKEN: &str = "QDG6eK";
    const KEY: &str = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C";
    const TS: &str = "1409659589";
    const NONCE: &str = "263014780";
    const ECHO: &str =
        "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==";
    const SIG: &str = "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3";
    const RECEIVER: &str = "wx5823bf96d3bd56c7";

    #[test]
    fn the_official_url_verification_vector() {
        assert_eq!(signature(TOKEN, TS, NONCE, ECHO), SIG);
        let c = MsgCrypt::new(TOKEN, KEY).unwrap();
        assert_eq!(
            c.open(SIG, TS, NONCE, ECHO, &[RECEIVER]).unwrap(),
            "1616140317555161061"
        );
        assert_eq!(
            c.open(&SIG.to_uppercase(), TS, NONCE, ECHO, &["other", RECEIVER])
                .unwrap(),
            "1616140317555161061"
        );
    }

    #[test]
    fn round_trip_with_32_byte_padding() {
        let c = MsgCrypt::new(TOKEN, KEY).unwrap();
        for msg in [
            "",
            "x",
            "<xml><InfoType>suite_ticket</InfoType></xml>",
            &"长".repeat(40),
        ] {
            let (enc, sig) = c.seal(msg, "wwsuite", "1700000000", "n1");
            assert_eq!(B64.decode(&enc).unwrap().len() % 32, 0);
            assert_eq!(
                c.open(&sig, "1700000000", "n1", &enc, &["wwsuite"])
                    .unwrap(),
                msg
            );
        }
    }

    #[test]
    fn refuses_bad_signature_tampering_and_other_receivers() {
        let c = MsgCrypt::new(TOKEN, KEY).unwrap();
        let (enc, sig) = c.seal("hello", "wwsuite", TS, NONCE);
        assert_eq!(
            c.open(&sig, TS, "other-nonce", &enc, &["wwsuite"]),
            Err(CryptoError::Signature)
        );
        assert_eq!(
            c.open(&sig, TS, NONCE, &enc, &["wwother"]),
            Err(CryptoError::ReceiveId)
        );
        let other = MsgCrypt::new("other-token", KEY).unwrap();
        assert_eq!(
            other.open(&sig, TS, NONCE, &enc, &["wwsuite"]),
            Err(CryptoError::Signature)
        );

        // A flipped bit in the last block garbles the padding.
        let mut raw = B64.decode(&enc).unwrap();
        let n = raw.len();
        raw[n - 1] ^= 0x55;
        assert_eq!(
            c.decrypt(&B64.encode(&raw)),
            Err(CryptoError::Undecryptable)
        );
        // Valid AES, but a pad byte of 0x21 (> 32) or inconsistent pad bytes.
        for bad_pad in [vec![0x21u8; 32], [vec![1u8; 31], vec![3]].concat()] {
            let mut plain = vec![0u8; 32];
            plain.extend(bad_pad);
            let iv: [u8; 16] = c.key[..16].try_into().unwrap();
            let len = plain.len();
            let ct = Enc::new(&c.key.into(), &iv.into())
                .encrypt_padded_mut::<NoPadding>(&mut plain, len)
                .unwrap()
                .to_vec();
            assert_eq!(c.decrypt(&B64.encode(ct)), Err(CryptoError::Undecryptable));
        }
        // Not base64, not whole blocks.
        assert_eq!(c.decrypt("%%%"), Err(CryptoError::Undecryptable));
        assert_eq!(
            c.decrypt(&B64.encode([1u8; 20])),
            Err(CryptoError::Undecryptable)
        );
        assert!(MsgCrypt::new(TOKEN, "short").is_err());
    }

    #[test]
    fn constant_time_compare() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
