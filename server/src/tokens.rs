//! Edit tokens. A token is derived from the installation's secret, the thread and the
//! submission's idempotency key, so a retried submission receives the same token as the
//! first without the server ever storing a token: only its SHA-256 hash is kept, and a
//! stolen database lets nobody edit anything.

use sha2::{Digest, Sha256};

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
        let mut hasher = Sha256::new();
        hasher.update(self.0);
        // Length prefixes keep ("ab", "c") and ("a", "bc") apart.
        for part in [thread, idempotency_key] {
            hasher.update((part.len() as u64).to_le_bytes());
            hasher.update(part.as_bytes());
        }
        to_hex(&hasher.finalize())
    }
}

/// What is stored in place of a token.
pub fn token_hash(token: &str) -> String {
    sha256_hex(token)
}

/// SHA-256 in hex: for tokens, and for bodies in the duplicate check.
pub fn sha256_hex(text: &str) -> String {
    to_hex(&Sha256::digest(text.as_bytes()))
}

/// Whether `token` is the one whose hash is `stored_hash`. The comparison takes the same
/// time wherever the first difference is, so response times leak nothing about the hash.
pub fn token_matches(token: &str, stored_hash: &str) -> bool {
    constant_time_eq(token_hash(token).as_bytes(), stored_hash.as_bytes())
}

/// Equality whose running time depends only on the lengths (which are public: hashes all
/// have 64 hex digits), never on where the inputs differ.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |diff, (x, y)| diff | (x ^ y)) == 0
}

fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    bytes
        .iter()
        .flat_map(|b| [DIGITS[usize::from(b >> 4)], DIGITS[usize::from(b & 15)]])
        .map(char::from)
        .collect()
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
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
