//! Signing in without passwords: one-time codes by email (members and partner users, in
//! separate realms), sign-in links for members, server-side sessions.
//!
//! The same answer is given, after the same work, whether or not an email is known: a
//! code row is stored either way, and only the email differs (none goes out for an
//! unknown partner user). Verifying a member code for an unknown email creates the member.

use std::net::IpAddr;

use database::members::{self, NewMember};
use database::sessions::{self, Holder, NewSession, SignInEvent};
use database::{activity, partners, DbError, ScopedFutureExt};
use identity::{Email, KeyRing};
use secrecy::{ExposeSecret, SecretString};
use time::OffsetDateTime;

use super::codes::{check_code_in, send_code, CodeFailure, CodePurpose};
use super::limits::Limited;
use crate::email::message::{Language, Realm};

impl Realm {
    pub fn as_db(self) -> &'static str {
        match self {
            Realm::Member => "member",
            Realm::Partner => "partner",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("a key or random number operation failed: {0}")]
    Crypto(String),
}

pub(crate) fn crypto(e: impl std::fmt::Display) -> SignInError {
    SignInError::Crypto(e.to_string())
}

/// What happened to a request for a code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeRequested {
    /// A code is on its way (or, for an unknown partner email, the same answer).
    Sent,
    Limited(Limited),
}

/// Stores a new code for `email` and queues it by email. Rate limited per email and per
/// client address.
pub async fn request_code(
    pool: &database::Pool,
    keys: &KeyRing,
    realm: Realm,
    email: &Email,
    client: IpAddr,
    language: Language,
    now: OffsetDateTime,
) -> Result<CodeRequested, SignInError> {
    send_code(
        pool,
        keys,
        CodePurpose::SignIn(realm),
        email,
        client,
        language,
        now,
    )
    .await
}

/// A fresh session: the token goes into a cookie and is never stored.
#[derive(Debug)]
pub struct SignedIn {
    pub token: SecretString,
    pub holder: Holder,
    pub expires_at: OffsetDateTime,
}

/// The answer to a code.
#[derive(Debug)]
pub enum CodeVerified {
    SignedIn(SignedIn),
    Wrong {
        tries_left: u32,
    },
    Refused(identity::CodeRefusal),
    /// No code is waiting for this email (never asked, or replaced by a newer one).
    NoCode,
    Limited(Limited),
}

impl From<CodeFailure> for CodeVerified {
    fn from(failure: CodeFailure) -> Self {
        match failure {
            CodeFailure::Wrong { tries_left } => CodeVerified::Wrong { tries_left },
            CodeFailure::Refused(refusal) => CodeVerified::Refused(refusal),
            CodeFailure::NoCode => CodeVerified::NoCode,
            CodeFailure::Limited(limited) => CodeVerified::Limited(limited),
        }
    }
}

/// Checks a code. Every attempt counts, in a locked row, so parallel guesses cannot
/// exceed the limit; the right code signs in (creating the member when needed).
#[allow(clippy::too_many_arguments)]
pub async fn verify_code(
    pool: &database::Pool,
    keys: &KeyRing,
    realm: Realm,
    email: &Email,
    code_input: &str,
    client: IpAddr,
    language: Language,
    now: OffsetDateTime,
) -> Result<CodeVerified, SignInError> {
    let token = identity::generate_session_token().map_err(crypto)?;
    let token_hash = keys.token_hash(token.expose_secret()).map_err(crypto)?;
    let email = email.clone();
    let code_input = code_input.to_owned();
    let verdict = database::transaction(pool, |conn| {
        async move {
            let purpose = CodePurpose::SignIn(realm);
            if let Err(failure) =
                check_code_in(conn, keys, purpose, &email, &code_input, client, now).await?
            {
                return Ok(Err(failure.into()));
            }
            let holder = match realm {
                Realm::Member => {
                    let rng = ring::rand::SystemRandom::new();
                    let new = NewMember {
                        email: email.as_str(),
                        email_normalized: email.normalized(),
                        name: "",
                        language: language.as_str(),
                        now,
                    };
                    let (member, _) = members::find_or_create(conn, &new, || {
                        coupons::random_code(&rng, 8).unwrap_or_default()
                    })
                    .await?;
                    Holder::Member {
                        member_id: member.id,
                    }
                }
                Realm::Partner => match partners::users_by_email(conn, email.normalized())
                    .await?
                    .first()
                {
                    Some(user) => Holder::PartnerUser {
                        partner_id: user.partner_id,
                        partner_user_id: user.id,
                    },
                    None => return Ok(Err(CodeVerified::NoCode)),
                },
            };
            let signed_in = start_session(conn, &token_hash, holder, "code", now).await?;
            Ok::<_, SignInError>(Ok(signed_in))
        }
        .scope_boxed()
    })
    .await?;
    Ok(match verdict {
        Ok(expires_at) => CodeVerified::SignedIn(SignedIn {
            token,
            holder: expires_at.0,
            expires_at: expires_at.1,
        }),
        Err(other) => other,
    })
}

pub(crate) async fn start_session(
    conn: &mut database::Connection,
    token_hash: &[u8],
    holder: Holder,
    method: &str,
    now: OffsetDateTime,
) -> Result<(Holder, OffsetDateTime), DbError> {
    let ttl = match holder {
        Holder::Member { .. } => identity::MEMBER_SESSION_TTL,
        Holder::PartnerUser { .. } => identity::PARTNER_SESSION_TTL,
    };
    let expires_at = identity::session_expires_at(now, ttl);
    sessions::create(
        conn,
        &NewSession {
            token_hash,
            holder,
            method,
            now,
            expires_at,
        },
    )
    .await?;
    sessions::record_sign_in(
        conn,
        &SignInEvent {
            holder,
            method,
            now,
        },
    )
    .await?;
    if let Holder::PartnerUser {
        partner_id,
        partner_user_id,
    } = holder
    {
        activity::record(
            conn,
            &activity::NewActivity {
                partner_id,
                actor: activity::Actor::PartnerUser(partner_user_id),
                action: "signed_in",
                subject: None,
                details: serde_json::json!({ "method": method }),
                now,
            },
        )
        .await?;
    }
    Ok((holder, expires_at))
}

/// The live session behind a cookie value, if any.
pub async fn current_session(
    pool: &database::Pool,
    keys: &KeyRing,
    realm: Realm,
    token: &str,
    now: OffsetDateTime,
) -> Result<Option<sessions::Session>, SignInError> {
    let candidates = keys.token_hash_candidates(token).map_err(crypto)?;
    let mut conn = database::pool::get(pool).await?;
    let session = sessions::find_live(&mut conn, realm.as_db(), &candidates, now).await?;
    if let Some(s) = &session {
        sessions::touch(&mut conn, s.id, now).await?;
    }
    Ok(session)
}

pub async fn sign_out(
    pool: &database::Pool,
    session_id: i64,
    now: OffsetDateTime,
) -> Result<(), SignInError> {
    let mut conn = database::pool::get(pool).await?;
    sessions::revoke(&mut conn, session_id, now).await?;
    Ok(())
}

/// The keyed hash of an email as lower-case hex (for rate-limit keys and receipts).
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
