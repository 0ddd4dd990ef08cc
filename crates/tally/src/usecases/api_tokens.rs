//! API tokens for a partner's own software: created by an owner with a name, shown
//! once, stored only as a keyed hash; revoking one refuses it from the next request on.

use database::activity::{self, Actor, NewActivity};
use database::tokens::{self, ApiToken, NewApiToken};
use database::{DbError, ScopedFutureExt};
use identity::KeyRing;
use secrecy::{ExposeSecret, SecretString};
use time::OffsetDateTime;

/// Every token starts with this, so a leaked one is recognisable.
pub const PREFIX: &str = "tly_";

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("Give the token a name (1 to 100 characters), e.g. the program that will use it.")]
    Name,
    #[error("This token does not exist.")]
    NotFound,
    #[error("a random number or key operation failed: {0}")]
    Crypto(String),
    #[error(transparent)]
    Db(#[from] DbError),
}

/// A new token: the row, and the token itself (shown once, never stored).
#[derive(Debug)]
pub struct Created {
    pub token: ApiToken,
    pub secret: SecretString,
}

pub async fn create(
    pool: &database::Pool,
    keys: &KeyRing,
    partner_id: i64,
    created_by: i64,
    name: &str,
    now: OffsetDateTime,
) -> Result<Created, TokenError> {
    let name = name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(TokenError::Name);
    }
    let secret = identity::generate_token(PREFIX).map_err(|e| TokenError::Crypto(e.to_string()))?;
    let hash = keys
        .token_hash(secret.expose_secret())
        .map_err(|e| TokenError::Crypto(e.to_string()))?;
    let shown: String = secret.expose_secret().chars().take(8).collect();
    let token = database::transaction(pool, |conn| {
        async move {
            let new = NewApiToken {
                partner_id,
                name: &name,
                token_hash: &hash,
                token_prefix: &shown,
                created_by: Some(created_by),
                now,
            };
            let token = tokens::create(conn, &new).await?;
            log(
                conn,
                &token,
                Actor::PartnerUser(created_by),
                "api_token_created",
                now,
            )
            .await?;
            Ok::<_, TokenError>(token)
        }
        .scope_boxed()
    })
    .await?;
    Ok(Created { token, secret })
}

/// What revoking found.
#[derive(Debug, Clone, PartialEq)]
pub enum Revoked {
    Now(ApiToken),
    /// It was revoked before (a second click changes nothing).
    Before(ApiToken),
}

pub async fn revoke(
    pool: &database::Pool,
    partner_id: i64,
    actor: Actor,
    token_id: i64,
    now: OffsetDateTime,
) -> Result<Revoked, TokenError> {
    database::transaction(pool, |conn| {
        async move {
            let Some(token) = tokens::revoke(conn, partner_id, token_id, now).await? else {
                return match tokens::find(conn, partner_id, token_id).await? {
                    Some(token) => Ok(Revoked::Before(token)),
                    None => Err(TokenError::NotFound),
                };
            };
            log(conn, &token, actor, "api_token_revoked", now).await?;
            Ok(Revoked::Now(token))
        }
        .scope_boxed()
    })
    .await
}

async fn log(
    conn: &mut database::Connection,
    token: &ApiToken,
    actor: Actor,
    action: &str,
    now: OffsetDateTime,
) -> Result<(), DbError> {
    activity::record(
        conn,
        &NewActivity {
            partner_id: token.partner_id,
            actor,
            action,
            subject: Some(&token.name),
            details: serde_json::json!({ "token_id": token.id, "prefix": token.token_prefix }),
            now,
        },
    )
    .await
}
