//! Rate limits, counted in PostgreSQL so they hold across processes and restarts.

use database::{rate_limits, DbError};
use time::{Duration, OffsetDateTime};

/// What is limited, how many in which window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// Codes sent to one email address.
    CodeSendsPerEmail,
    /// Codes requested from one client address.
    CodeSendsPerClient,
    /// Codes checked from one client address (guessing across many emails).
    CodeChecksPerClient,
}

impl Limit {
    pub fn max(self) -> i32 {
        match self {
            Limit::CodeSendsPerEmail => 3,
            Limit::CodeSendsPerClient => 20,
            Limit::CodeChecksPerClient => 30,
        }
    }

    pub fn window(self) -> Duration {
        Duration::minutes(15)
    }

    pub fn name(self) -> &'static str {
        match self {
            Limit::CodeSendsPerEmail => "code_sends_per_email",
            Limit::CodeSendsPerClient => "code_sends_per_client",
            Limit::CodeChecksPerClient => "code_checks_per_client",
        }
    }
}

/// A limit was hit: try again after `retry_after`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limited {
    pub limit: Limit,
    pub retry_after: Duration,
}

impl Limited {
    /// Whole minutes to wait, at least one.
    pub fn minutes(&self) -> i64 {
        ((self.retry_after.whole_seconds() + 59) / 60).max(1)
    }
}

/// The start of the fixed window that holds `now`.
pub fn window_start(now: OffsetDateTime, window: Duration) -> OffsetDateTime {
    let secs = window.whole_seconds().max(1);
    let ts = now.unix_timestamp();
    let start = ts - ts.rem_euclid(secs);
    OffsetDateTime::from_unix_timestamp(start).unwrap_or(now)
}

/// Counts one event against each limit; the first one exceeded is returned (and logged).
pub async fn check_all(
    conn: &mut database::Connection,
    checks: &[(Limit, String)],
    now: OffsetDateTime,
) -> Result<Option<Limited>, DbError> {
    for (limit, key) in checks {
        let start = window_start(now, limit.window());
        let count = rate_limits::hit(conn, key, start).await?;
        if count > limit.max() {
            let retry_after = start + limit.window() - now;
            tracing::warn!(limit = limit.name(), count, "rate limit hit");
            return Ok(Some(Limited {
                limit: *limit,
                retry_after,
            }));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn windows_are_aligned_and_retry_counts_whole_minutes() {
        let now = datetime!(2026-11-23 12:07:30 UTC);
        assert_eq!(
            window_start(now, Duration::minutes(15)),
            datetime!(2026-11-23 12:00 UTC)
        );
        let limited = Limited {
            limit: Limit::CodeSendsPerEmail,
            retry_after: Duration::seconds(7 * 60 + 30),
        };
        assert_eq!(limited.minutes(), 8);
        let limited = Limited {
            limit: Limit::CodeSendsPerEmail,
            retry_after: Duration::seconds(5),
        };
        assert_eq!(limited.minutes(), 1);
    }
}
