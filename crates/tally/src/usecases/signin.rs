//! Signing in without passwords: one-time codes by email (members and partner users, in
//! separate realms), sign-in links for members, server-side sessions.
//!
//! The same answer is given, after the same work, whether or not an email is known: a
//! code row is stored either way, and only the email differs (none goes out for an
//! unknown partner user). Verifying a member code for an unknown email creates the member.

use std::net::IpAddr;

use database::members::{self, NewMember};
use database::sessions::{self, Holder, NewSession, SignInEvent};
use database::{activity, codes, outbox, partners, DbError, ScopedFutureExt};
use identity::{Email, KeyRing};
use secrecy::{ExposeSecret, SecretString};
use time::OffsetDateTime;

use super::limits::{self, Limit, Limited};
use crate::email::message::{EmailPayload, Language, Realm, SignInCodeEmail};

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
    let email_key = hex(&keys.email_hash(email).map_err(crypto)?);
    let code = identity::OneTimeCode::generate().map_err(crypto)?;
    let code_hash = keys
        .code_hash(email.normalized(), code.expose_secret())
        .map_err(crypto)?;
    let email = email.clone();
    database::transaction(pool, |conn| {
        async move {
            let checks = [
                (
                    Limit::CodeSendsPerEmail,
                    format!("code-send:{}:email:{email_key}", realm.as_db()),
                ),
                (
                    Limit::CodeSendsPerClient,
                    format!("code-send:client:{client}"),
                ),
            ];
            if let Some(limited) = limits::check_all(conn, &checks, now).await? {
                return Ok(CodeRequested::Limited(limited));
            }
            let id = codes::replace(
                conn,
                realm.as_db(),
                email.normalized(),
                &code_hash,
                identity::MAX_CODE_ATTEMPTS as i32,
                now,
                identity::code_expires_at(now),
            )
            .await?;
            let known = match realm {
                Realm::Member => true,
                Realm::Partner => !partners::users_by_email(conn, email.normalized())
                    .await?
                    .is_empty(),
            };
            if known {
                let payload = EmailPayload::SignInCode(SignInCodeEmail {
                    code: code.expose_secret().to_owned(),
                    minutes_valid: identity::CODE_TTL.whole_minutes() as u32,
                    realm,
                    sender_name: "Tally".into(),
                })
                .to_json();
                outbox::enqueue(
                    conn,
                    &outbox::NewEmail {
                        partner_id: None,
                        member_id: None,
                        kind: "sign_in_code",
                        to_address: email.as_str(),
                        language: language.as_str(),
                        payload: &payload,
                        idempotency_key: &format!("sign-in-code:{id}"),
                        now,
                    },
                )
                .await?;
            }
            Ok::<_, SignInError>(CodeRequested::Sent)
        }
        .scope_boxed()
    })
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
            let checks = [(
                Limit::CodeChecksPerClient,
                format!("code-check:client:{client}"),
            )];
            if let Some(limited) = limits::check_all(conn, &checks, now).await? {
                return Ok(Err(CodeVerified::Limited(limited)));
            }
            let Some(stored) =
                codes::latest_for_update(conn, realm.as_db(), email.normalized()).await?
            else {
                return Ok(Err(CodeVerified::NoCode));
            };
            let attempts = u32::try_from(stored.attempts).unwrap_or(u32::MAX);
            if let Err(refusal) =
                identity::check_code_state(stored.expires_at, attempts, false, now)
            {
                return Ok(Err(CodeVerified::Refused(refusal)));
            }
            let made =
                u32::try_from(codes::count_attempt(conn, stored.id).await?).unwrap_or(u32::MAX);
            if !keys.verify_code(email.normalized(), &code_input, &stored.code_hash) {
                let left = identity::MAX_CODE_ATTEMPTS.saturating_sub(made);
                return Ok(Err(if left == 0 {
                    CodeVerified::Refused(identity::CodeRefusal::TooManyAttempts)
                } else {
                    CodeVerified::Wrong { tries_left: left }
                }));
            }
            codes::consume(conn, stored.id, now).await?;
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
