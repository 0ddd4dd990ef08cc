//! One-time codes for any purpose: signing in (see `signin`), proving a recent code
//! for a sensitive action, moving an account to a new address. One set of limits, one
//! keyed hash, one email.

use std::net::IpAddr;

use database::{codes, outbox, partners, DbError, ScopedFutureExt};
use identity::{Email, KeyRing};
use secrecy::ExposeSecret;
use time::OffsetDateTime;

use super::limits::{self, Limit, Limited};
use super::signin::{crypto, hex, CodeRequested, SignInError};
use crate::email::message::{EmailPayload, Language, Realm, SignInCodeEmail};

/// What a code proves control of an address for: signing in to a realm, or moving a
/// member's account to a new address (such a code never signs anybody in).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodePurpose {
    SignIn(Realm),
    EmailChange { member_id: i64 },
}

impl CodePurpose {
    /// The `realm` column of the stored code.
    fn realm_db(self) -> &'static str {
        match self {
            CodePurpose::SignIn(realm) => realm.as_db(),
            CodePurpose::EmailChange { .. } => "email_change",
        }
    }

    /// What the stored code is keyed (and hashed) by: the address, bound to the member
    /// for an email change.
    pub(crate) fn key(self, email: &Email) -> String {
        match self {
            CodePurpose::SignIn(_) => email.normalized().to_owned(),
            CodePurpose::EmailChange { member_id } => {
                format!("{member_id}:{}", email.normalized())
            }
        }
    }
}

/// Sends a code for any purpose (`signin::request_code` for signing in): the same limits (per address and purpose, per
/// client), the same hashing, the same email.
pub async fn send_code(
    pool: &database::Pool,
    keys: &KeyRing,
    purpose: CodePurpose,
    email: &Email,
    client: IpAddr,
    language: Language,
    now: OffsetDateTime,
) -> Result<CodeRequested, SignInError> {
    let email_key = hex(&keys.email_hash(email).map_err(crypto)?);
    let code = identity::OneTimeCode::generate().map_err(crypto)?;
    let key = purpose.key(email);
    let code_hash = keys.code_hash(&key, code.expose_secret()).map_err(crypto)?;
    let email = email.clone();
    database::transaction(pool, |conn| {
        async move {
            let checks = [
                (
                    Limit::CodeSendsPerEmail,
                    format!("code-send:{}:email:{email_key}", purpose.realm_db()),
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
                purpose.realm_db(),
                &key,
                &code_hash,
                identity::MAX_CODE_ATTEMPTS as i32,
                now,
                identity::code_expires_at(now),
            )
            .await?;
            let (known, realm) = match purpose {
                CodePurpose::SignIn(Realm::Partner) => (
                    !partners::users_by_email(conn, email.normalized())
                        .await?
                        .is_empty(),
                    Realm::Partner,
                ),
                _ => (true, Realm::Member),
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

/// Why a code was not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeFailure {
    Wrong {
        tries_left: u32,
    },
    Refused(identity::CodeRefusal),
    /// No code is waiting (never asked, or replaced by a newer one).
    NoCode,
    Limited(Limited),
}

/// Checks a code inside the caller's transaction: every attempt counts, in a locked
/// row, so parallel guesses cannot exceed the limit; the right code is consumed.
/// The caller commits in every case (the attempt must count even when it fails).
pub(crate) async fn check_code_in(
    conn: &mut database::Connection,
    keys: &KeyRing,
    purpose: CodePurpose,
    email: &Email,
    code_input: &str,
    client: IpAddr,
    now: OffsetDateTime,
) -> Result<Result<(), CodeFailure>, DbError> {
    let checks = [(
        Limit::CodeChecksPerClient,
        format!("code-check:client:{client}"),
    )];
    if let Some(limited) = limits::check_all(conn, &checks, now).await? {
        return Ok(Err(CodeFailure::Limited(limited)));
    }
    let key = purpose.key(email);
    let Some(stored) = codes::latest_for_update(conn, purpose.realm_db(), &key).await? else {
        return Ok(Err(CodeFailure::NoCode));
    };
    let attempts = u32::try_from(stored.attempts).unwrap_or(u32::MAX);
    if let Err(refusal) = identity::check_code_state(stored.expires_at, attempts, false, now) {
        return Ok(Err(CodeFailure::Refused(refusal)));
    }
    let made = u32::try_from(codes::count_attempt(conn, stored.id).await?).unwrap_or(u32::MAX);
    if !keys.verify_code(&key, code_input, &stored.code_hash) {
        let left = identity::MAX_CODE_ATTEMPTS.saturating_sub(made);
        return Ok(Err(if left == 0 {
            CodeFailure::Refused(identity::CodeRefusal::TooManyAttempts)
        } else {
            CodeFailure::Wrong { tries_left: left }
        }));
    }
    codes::consume(conn, stored.id, now).await?;
    Ok(Ok(()))
}
