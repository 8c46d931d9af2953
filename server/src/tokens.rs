//! Edit tokens. A token is HMAC-SHA-256, keyed with the installation's secret, over the
//! thread and the submission's idempotency key, so a retried submission receives the same
//! token as the first without the server ever storing a token: only its SHA-256 hash is
//! kept, and a stolen database lets nobody edit anything. (A token is 256 random-looking
//! bits, so a plain hash is the right way to store it; a slow password hash would add
//! nothing.)

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::storage::{ThreadRef, DEFAULT_SITE};

/// 32 random bytes created on first start and kept in the database.
#[derive(Clone)]
pub struct ServerSecret(pub [u8; 32]);

impl ServerSecret {
    pub fn random() -> Result<Self, getrandom::Error> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes)?;
        Ok(Self(bytes))
    }

    /// The edit token for one submission.
    pub fn edit_token(&self, thread: &str, idempotency_key: &str) -> String {
        self.keyed(&[thread, idempotency_key])
    }

    /// The edit token for one submission to `thread`: the default site's threads are
    /// named by their key alone, as before sites existed, so tokens given then still work.
    pub fn thread_edit_token(&self, thread: &ThreadRef, idempotency_key: &str) -> String {
        if thread.site == DEFAULT_SITE {
            self.edit_token(&thread.key, idempotency_key)
        } else {
            self.edit_token(&thread.scoped(), idempotency_key)
        }
    }

    /// What stands for an email address where one must be recognised without being
    /// kept readable (first-time moderation, blocks): a keyed hash of the address,
    /// trimmed and in lower case, so nobody without the secret can test a guess.
    pub fn email_hash(&self, email: &str) -> String {
        self.keyed(&["email", &email.trim().to_lowercase()])
    }

    /// The seed of an author's picture (see `Comment::avatar`): 12 hex digits of a keyed
    /// hash of what it is derived from (`storage::avatar_source`), under a label of its
    /// own, so it matches no other hash the server keeps and tells nothing without the
    /// secret.
    pub fn avatar_seed(&self, source: &str) -> String {
        let mut seed = self.keyed(&["avatar", source]);
        seed.truncate(12);
        seed
    }

    /// HMAC-SHA-256 over the parts, in hex.
    fn keyed(&self, parts: &[&str]) -> String {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes a key of any length");
        // Length prefixes keep ("ab", "c") and ("a", "bc") apart.
        for part in parts {
            mac.update(&(part.len() as u64).to_le_bytes());
            mac.update(part.as_bytes());
        }
        hex::encode(mac.finalize().into_bytes())
    }

    /// A fresh random token (sessions, API tokens), in hex.
    pub fn random_token() -> Result<String, getrandom::Error> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes)?;
        Ok(hex::encode(bytes))
    }
}

/// What is stored in place of a token.
pub fn token_hash(token: &str) -> String {
    sha256_hex(token)
}

/// SHA-256 in hex: for tokens, and for bodies in the duplicate check.
pub fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// Whether `token` is the one whose hash is `stored_hash`, compared in constant time, so
/// response times leak nothing about the stored hash.
pub fn token_matches(token: &str, stored_hash: &str) -> bool {
    token_hash(token)
        .as_bytes()
        .ct_eq(stored_hash.as_bytes())
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_stable_per_submission_and_distinct_across() {
        let secret = ServerSecret([7; 32]);
        let token = secret.edit_token("t", "key");
        assert_eq!(token.len(), 64);
        assert_eq!(token, secret.edit_token("t", "key"));
        assert_ne!(token, secret.edit_token("t", "key2"));
        assert_ne!(secret.edit_token("ab", "c"), secret.edit_token("a", "bc"));
        assert_ne!(token, ServerSecret([8; 32]).edit_token("t", "key"));
        assert_ne!(token_hash(&token), token);
    }

    #[test]
    fn the_token_is_an_hmac_of_the_length_prefixed_parts() {
        let secret = ServerSecret([7; 32]);
        let mut mac = Hmac::<Sha256>::new_from_slice(&[7; 32]).unwrap();
        mac.update(&1u64.to_le_bytes());
        mac.update(b"t");
        mac.update(&3u64.to_le_bytes());
        mac.update(b"key");
        assert_eq!(
            secret.edit_token("t", "key"),
            hex::encode(mac.finalize().into_bytes())
        );
    }

    #[test]
    fn only_the_right_token_matches_its_hash() {
        let token = ServerSecret([7; 32]).edit_token("t", "key");
        let stored = token_hash(&token);
        assert!(token_matches(&token, &stored));
        assert!(!token_matches(&token[1..], &stored));
        assert!(!token_matches("", &stored));
        assert!(
            !token_matches(&stored, &stored),
            "the hash itself is not a token"
        );
    }
}
