//! "Carry this request out once": the idempotency key of an API request or a dashboard
//! form is claimed before the work and completed with its answer after it, so a double
//! click, a retry after a lost answer, or two tabs sending the same form do the work once
//! and all get the first answer.

use database::idempotency::{self, Claim, Key};
use ring::digest;
use time::OffsetDateTime;

pub use database::idempotency::Claim as Found;

/// The fingerprint stored with a key: SHA-256 of what makes the request what it is.
pub fn fingerprint(parts: &[&str]) -> Vec<u8> {
    let mut ctx = digest::Context::new(&digest::SHA256);
    for part in parts {
        ctx.update(&(part.len() as u64).to_be_bytes());
        ctx.update(part.as_bytes());
    }
    ctx.finish().as_ref().to_vec()
}

/// Claims `key` for the request with `fingerprint`.
pub async fn claim(
    pool: &database::Pool,
    key: Key<'_>,
    fingerprint: &[u8],
    now: OffsetDateTime,
) -> Result<Claim, database::DbError> {
    let mut conn = database::pool::get(pool).await?;
    idempotency::claim(&mut conn, key, fingerprint, now).await
}

/// How long a request waits for an earlier one with the same key (a double click, a
/// retry sent while the first is still working) before it is told to come back.
const WAIT_FOR_FIRST: std::time::Duration = std::time::Duration::from_secs(5);
const POLL: std::time::Duration = std::time::Duration::from_millis(50);

/// As [`claim`], but while the key is in flight it waits (up to five seconds) for the
/// first request's answer; still [`Claim::InFlight`] after that.
pub async fn claim_waiting(
    pool: &database::Pool,
    key: Key<'_>,
    fingerprint: &[u8],
) -> Result<Claim, database::DbError> {
    let deadline = tokio::time::Instant::now() + WAIT_FOR_FIRST;
    loop {
        let found = claim(pool, key, fingerprint, OffsetDateTime::now_utc()).await?;
        if !matches!(found, Claim::InFlight) || tokio::time::Instant::now() >= deadline {
            return Ok(found);
        }
        tokio::time::sleep(POLL).await;
    }
}

/// Stores the answer every replay of `key` gets.
pub async fn complete(
    pool: &database::Pool,
    key: Key<'_>,
    status: u16,
    body: &[u8],
    now: OffsetDateTime,
) -> Result<(), database::DbError> {
    let mut conn = database::pool::get(pool).await?;
    idempotency::complete(&mut conn, key, i32::from(status), body, now).await
}

/// Gives `key` back: the request failed and may be sent again as it is.
pub async fn release(pool: &database::Pool, key: Key<'_>) -> Result<(), database::DbError> {
    let mut conn = database::pool::get(pool).await?;
    idempotency::release(&mut conn, key).await
}
