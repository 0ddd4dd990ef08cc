//! Stored secrets (store credentials, webhook secrets): how they are bound to their row,
//! and moving them to the current key after a rotation (`tally admin reencrypt`).

use database::{integrations, DbError, ScopedFutureExt};
use identity::{CryptoError, KeyRing};

/// Which secret of an integration a ciphertext holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntegrationSecret {
    ConsumerKey,
    ConsumerSecret,
    WebhookSecret,
}

impl IntegrationSecret {
    pub const ALL: [IntegrationSecret; 3] = [
        IntegrationSecret::ConsumerKey,
        IntegrationSecret::ConsumerSecret,
        IntegrationSecret::WebhookSecret,
    ];

    fn name(self) -> &'static str {
        match self {
            IntegrationSecret::ConsumerKey => "consumer_key",
            IntegrationSecret::ConsumerSecret => "consumer_secret",
            IntegrationSecret::WebhookSecret => "webhook_secret",
        }
    }
}

/// The associated data a secret is encrypted with: a ciphertext copied to another
/// integration or field does not decrypt.
pub fn integration_aad(public_id: &str, which: IntegrationSecret) -> Vec<u8> {
    format!("tally/woo/{public_id}/{}", which.name()).into_bytes()
}

#[derive(Debug, thiserror::Error)]
pub enum ReencryptError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("integration {integration_id} ({field}): {source}")]
    Crypto {
        integration_id: i64,
        field: &'static str,
        source: CryptoError,
    },
}

/// Re-encrypts every stored secret that is still under the previous key; returns how
/// many were moved. Running it again moves nothing.
pub async fn reencrypt_all(pool: &database::Pool, keys: &KeyRing) -> Result<usize, ReencryptError> {
    let mut conn = database::pool::get(pool).await?;
    let rows = integrations::with_secrets(&mut conn).await?;
    drop(conn);
    let mut moved = 0;
    for row in rows {
        let stored = [
            &row.consumer_key_enc,
            &row.consumer_secret_enc,
            &row.webhook_secret_enc,
        ];
        let mut fresh: [Option<Vec<u8>>; 3] = [None, None, None];
        let mut changed = false;
        for ((which, blob), out) in IntegrationSecret::ALL
            .iter()
            .zip(stored)
            .zip(fresh.iter_mut())
        {
            *out = blob.clone();
            if let Some(blob) = blob {
                if keys.needs_reencryption(blob) {
                    let again = keys
                        .reencrypt(blob, &integration_aad(&row.public_id, *which))
                        .map_err(|source| ReencryptError::Crypto {
                            integration_id: row.id,
                            field: which.name(),
                            source,
                        })?;
                    *out = Some(again);
                    changed = true;
                    moved += 1;
                }
            }
        }
        if changed {
            let (partner_id, id) = (row.partner_id, row.id);
            database::transaction(pool, |conn| {
                async move {
                    let [a, b, c] = &fresh;
                    integrations::replace_secrets(
                        conn,
                        partner_id,
                        id,
                        [a.as_deref(), b.as_deref(), c.as_deref()],
                    )
                    .await?;
                    Ok::<_, ReencryptError>(())
                }
                .scope_boxed()
            })
            .await?;
        }
    }
    Ok(moved)
}
