//! Sign-in links ("Redeem my points" in emails) and unsubscribe tokens: what a member
//! can do from an email without typing a code.

use database::sessions::{self, Holder, NewSignInLink};
use database::ScopedFutureExt;
use identity::KeyRing;
use secrecy::{ExposeSecret, SecretString};
use time::OffsetDateTime;

use super::signin::{crypto, start_session, SignInError, SignedIn};

/// Where a sign-in link leads: the member's card at a partner.
#[derive(Debug)]
pub struct LinkSignIn {
    pub signed_in: SignedIn,
    pub partner_id: i64,
    pub card_id: i64,
}

/// Signs in with a link from an email; `None` for an unknown or expired link.
pub async fn sign_in_with_link(
    pool: &database::Pool,
    keys: &KeyRing,
    link_token: &str,
    now: OffsetDateTime,
) -> Result<Option<LinkSignIn>, SignInError> {
    let candidates = keys.token_hash_candidates(link_token).map_err(crypto)?;
    let token = identity::generate_session_token().map_err(crypto)?;
    let token_hash = keys.token_hash(token.expose_secret()).map_err(crypto)?;
    let found = database::transaction(pool, |conn| {
        async move {
            let Some(link) = sessions::use_link(conn, &candidates, now).await? else {
                return Ok(None);
            };
            let holder = Holder::Member {
                member_id: link.member_id,
            };
            let (holder, expires_at) =
                start_session(conn, &token_hash, holder, "link", now).await?;
            Ok::<_, SignInError>(Some((holder, expires_at, link.partner_id, link.card_id)))
        }
        .scope_boxed()
    })
    .await?;
    Ok(
        found.map(|(holder, expires_at, partner_id, card_id)| LinkSignIn {
            signed_in: SignedIn {
                token,
                holder,
                expires_at,
            },
            partner_id,
            card_id,
        }),
    )
}

/// Creates a sign-in link to the member's card (for "Redeem my points" in emails).
/// Call inside the transaction that queues the email.
pub async fn issue_link(
    conn: &mut database::Connection,
    keys: &KeyRing,
    member_id: i64,
    partner_id: i64,
    card_id: i64,
    now: OffsetDateTime,
) -> Result<SecretString, SignInError> {
    let token = identity::generate_link_token().map_err(crypto)?;
    let token_hash = keys.token_hash(token.expose_secret()).map_err(crypto)?;
    sessions::create_link(
        conn,
        &NewSignInLink {
            token_hash: &token_hash,
            member_id,
            partner_id,
            card_id,
            now,
            expires_at: identity::link_expires_at(now),
        },
    )
    .await?;
    Ok(token)
}

/// The unsubscribe token of a member: only this deployment can make it.
pub fn unsubscribe_token(keys: &KeyRing, member_id: i64) -> Result<String, SignInError> {
    keys.csrf_token_for(format!("unsubscribe:{member_id}").as_bytes())
        .map_err(crypto)
}

/// Whether `token` is the member's unsubscribe token (current or previous key), in
/// constant time.
pub fn verify_unsubscribe_token(keys: &KeyRing, member_id: i64, token: &str) -> bool {
    keys.verify_csrf_for(format!("unsubscribe:{member_id}").as_bytes(), token)
}
