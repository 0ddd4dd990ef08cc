//! Encryption of stored secrets (store API credentials, webhook secrets) with AES-256-GCM
//! under a key derived from the application key.
//!
//! A blob is `[version = 1][key id: 8 bytes][nonce: 12 bytes][ciphertext][tag: 16 bytes]`.
//! The key id names the application key that encrypted it (a keyed hash, revealing nothing),
//! so that after a rotation the previous key is picked for old blobs and
//! `tally admin reencrypt` can find them. Version and key id are authenticated together with
//! the caller's associated data (say, the table, column and row the blob belongs to, so a
//! blob copied to another row does not decrypt).

use ring::aead::{Aad, Nonce, NONCE_LEN};
use ring::rand::{self, SecureRandom};
use secrecy::{SecretBox, SecretString};

use crate::keys::{KeyError, KeyRing, SecretKey, KEY_ID_LEN};

const VERSION: u8 = 1;
const TAG_LEN: usize = 16;
const HEADER_LEN: usize = 1 + KEY_ID_LEN + NONCE_LEN;
/// The shortest possible blob: header and tag around an empty plaintext.
pub const MIN_BLOB_LEN: usize = HEADER_LEN + TAG_LEN;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    #[error("the encrypted value is malformed (too short, unknown format version or not text)")]
    Malformed,
    #[error("the value was encrypted under a key that is neither APP_SECRET_KEY nor APP_SECRET_KEY_PREVIOUS")]
    UnknownKey,
    #[error("the encrypted value was altered or does not belong here; refusing to decrypt it")]
    Tampered,
    #[error("the value is too long to encrypt")]
    TooLong,
    #[error("the system random number generator failed")]
    Random,
    #[error(transparent)]
    Key(#[from] KeyError),
}

/// The parts of a blob, borrowed.
struct Blob<'a> {
    /// Version and key id: authenticated with the caller's associated data.
    header: &'a [u8],
    key_id: &'a [u8],
    nonce: [u8; NONCE_LEN],
    sealed: &'a [u8],
}

impl<'a> Blob<'a> {
    fn parse(blob: &'a [u8]) -> Result<Blob<'a>, CryptoError> {
        if blob.len() < MIN_BLOB_LEN {
            return Err(CryptoError::Malformed);
        }
        let (header, rest) = blob
            .split_at_checked(1 + KEY_ID_LEN)
            .ok_or(CryptoError::Malformed)?;
        let (version, key_id) = header.split_first().ok_or(CryptoError::Malformed)?;
        if *version != VERSION {
            return Err(CryptoError::Malformed);
        }
        let (nonce, sealed) = rest
            .split_at_checked(NONCE_LEN)
            .ok_or(CryptoError::Malformed)?;
        let nonce = <[u8; NONCE_LEN]>::try_from(nonce).map_err(|_| CryptoError::Malformed)?;
        Ok(Blob {
            header,
            key_id,
            nonce,
            sealed,
        })
    }
}

/// What AES-GCM authenticates besides the ciphertext: version, key id, caller's data.
fn associated_data(header: &[u8], aad: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(header.len() + aad.len());
    out.extend_from_slice(header);
    out.extend_from_slice(aad);
    out
}

/// Encrypts under `key` with the given nonce. The nonce must never repeat for one key:
/// callers outside tests pass a fresh random one.
fn seal(
    key: &SecretKey,
    nonce: [u8; NONCE_LEN],
    plaintext: &[u8],
    aad: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    let cipher = key.derive_aead()?;
    let mut out = Vec::with_capacity(HEADER_LEN + plaintext.len() + TAG_LEN);
    out.push(VERSION);
    out.extend_from_slice(&key.key_id()?);
    let ad = associated_data(&out, aad);
    out.extend_from_slice(&nonce);
    out.extend_from_slice(plaintext);
    let body = out.get_mut(HEADER_LEN..).ok_or(CryptoError::Malformed)?;
    let tag = cipher
        .seal_in_place_separate_tag(Nonce::assume_unique_for_key(nonce), Aad::from(&ad), body)
        .map_err(|_| CryptoError::TooLong)?;
    out.extend_from_slice(tag.as_ref());
    Ok(out)
}

impl KeyRing {
    /// Encrypts `plaintext` under the current key. `aad` is not stored but must be given
    /// again, unchanged, to decrypt.
    pub fn encrypt(&self, plaintext: &[u8], aad: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let mut nonce = [0u8; NONCE_LEN];
        rand::SystemRandom::new()
            .fill(&mut nonce)
            .map_err(|_| CryptoError::Random)?;
        seal(self.current(), nonce, plaintext, aad)
    }

    /// [`encrypt`](Self::encrypt) for text.
    pub fn encrypt_str(&self, plaintext: &str, aad: &[u8]) -> Result<Vec<u8>, CryptoError> {
        self.encrypt(plaintext.as_bytes(), aad)
    }

    /// Decrypts a blob made by [`encrypt`](Self::encrypt) under the current or the previous
    /// key. Never returns bytes that were not encrypted with this `aad`.
    pub fn decrypt(&self, blob: &[u8], aad: &[u8]) -> Result<SecretBox<Vec<u8>>, CryptoError> {
        Ok(SecretBox::new(Box::new(self.open(blob, aad)?)))
    }

    /// [`decrypt`](Self::decrypt) for text made by [`encrypt_str`](Self::encrypt_str);
    /// bytes that are not UTF-8 are `Malformed`.
    pub fn decrypt_string(&self, blob: &[u8], aad: &[u8]) -> Result<SecretString, CryptoError> {
        match String::from_utf8(self.open(blob, aad)?) {
            Ok(text) => Ok(SecretString::from(text)),
            Err(not_text) => {
                // Dropped inside a secret so the bytes are wiped.
                drop(SecretBox::new(Box::new(not_text.into_bytes())));
                Err(CryptoError::Malformed)
            }
        }
    }

    /// Whether `blob` was encrypted under the previous key and should be re-encrypted.
    /// False for blobs under the current key, unknown keys, and malformed blobs.
    pub fn needs_reencryption(&self, blob: &[u8]) -> bool {
        let Ok(parsed) = Blob::parse(blob) else {
            return false;
        };
        let is = |key: &SecretKey| key.key_id().is_ok_and(|id| id.as_slice() == parsed.key_id);
        !is(self.current()) && self.previous().is_some_and(is)
    }

    /// Decrypts `blob` (under either key) and encrypts it again under the current key.
    pub fn reencrypt(&self, blob: &[u8], aad: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let plaintext = self.decrypt(blob, aad)?;
        self.encrypt(secrecy::ExposeSecret::expose_secret(&plaintext), aad)
    }

    fn open(&self, blob: &[u8], aad: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let parsed = Blob::parse(blob)?;
        let mut key = None;
        for candidate in self.keys() {
            if candidate.key_id()?.as_slice() == parsed.key_id {
                key = Some(candidate);
                break;
            }
        }
        let cipher = key.ok_or(CryptoError::UnknownKey)?.derive_aead()?;
        let ad = associated_data(parsed.header, aad);
        let mut buffer = parsed.sealed.to_vec();
        let plaintext_len = cipher
            .open_in_place(
                Nonce::assume_unique_for_key(parsed.nonce),
                Aad::from(&ad),
                &mut buffer,
            )
            .map_err(|_| CryptoError::Tampered)?
            .len();
        buffer.truncate(plaintext_len);
        Ok(buffer)
    }
}

#[cfg(test)]
mod tests;
