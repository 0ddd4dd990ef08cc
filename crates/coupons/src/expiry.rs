//! When a coupon expires: the end of the day that is `valid_days` after the redemption
//! date, in the partner's timezone.
//!
//! The rule, with every step a function of its arguments (no clock, no timezone
//! database):
//! 1. the **redemption date** is the calendar date of the issue moment at the partner's
//!    UTC offset *at that moment* (`issue_day_offset`);
//! 2. the **expiry date** (`expires_on`, the day shown to the member) is the redemption
//!    date plus `valid_days` calendar days (1 to 90);
//! 3. the coupon expires at **23:59:59** local time on the expiry date, sent as
//!    `date_expires` with the offset in force at that local time
//!    (`expiry_day_offset`), e.g. `2026-12-08T23:59:59+01:00`.
//!
//! So a coupon issued at 10:00 on 2026-12-01 in Amsterdam, valid for 7 days, can be used
//! until 2026-12-08 23:59:59 (+01:00): the member gets the rest of the redemption day
//! plus seven whole days. WooCommerce rejects a coupon only once `time()` is past the
//! expiry second, so the last second of the day still works.
//!
//! Two offsets, because a daylight-saving change may fall inside the validity window.
//! The caller owns the timezone name and resolves it: first the offset at the issue
//! moment, then [`expires_on`] gives the expiry date, then the offset at 23:59:59 on
//! that date. For a partner without daylight saving both offsets are the same. The
//! arithmetic here is on fixed offsets only, so it never meets a missing or repeated
//! local hour.

use time::macros::time;
use time::{Date, Duration, OffsetDateTime, PrimitiveDateTime, UtcOffset};

use crate::RequestError;

/// The fewest days a coupon may be valid.
pub const MIN_VALID_DAYS: u32 = 1;
/// The most days a coupon may be valid.
pub const MAX_VALID_DAYS: u32 = 90;

/// The furthest a real timezone lies from UTC, in minutes: −12:00 to +14:00.
const MIN_OFFSET_MINUTES: i16 = -12 * 60;
const MAX_OFFSET_MINUTES: i16 = 14 * 60;

/// The expiry date of a coupon issued at `issued_at` and valid for `valid_days`, when the
/// partner's offset at `issued_at` is `issue_day_offset` (steps 1 and 2 of the rule).
pub fn expires_on(
    issued_at: OffsetDateTime,
    issue_day_offset: UtcOffset,
    valid_days: u32,
) -> Result<Date, RequestError> {
    if !(MIN_VALID_DAYS..=MAX_VALID_DAYS).contains(&valid_days) {
        return Err(RequestError::ValidDays { days: valid_days });
    }
    check_offset(issue_day_offset)?;
    let redemption_date = issued_at
        .checked_to_offset(issue_day_offset)
        .ok_or(RequestError::DateOutOfRange)?
        .date();
    redemption_date
        .checked_add(Duration::days(i64::from(valid_days)))
        .filter(|date| (1..=9999).contains(&date.year()))
        .ok_or(RequestError::DateOutOfRange)
}

/// When a coupon expires: the last second of [`Expiry::date`] at the partner's offset
/// on that day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Expiry {
    date: Date,
    offset: UtcOffset,
}

impl Expiry {
    /// Applies the module's rule. Refuses `valid_days` outside 1–90, offsets that are
    /// not whole minutes or lie outside −12:00..+14:00, and dates beyond year 9999.
    pub fn new(
        issued_at: OffsetDateTime,
        valid_days: u32,
        issue_day_offset: UtcOffset,
        expiry_day_offset: UtcOffset,
    ) -> Result<Expiry, RequestError> {
        let date = expires_on(issued_at, issue_day_offset, valid_days)?;
        check_offset(expiry_day_offset)?;
        Ok(Expiry {
            date,
            offset: expiry_day_offset,
        })
    }

    /// The last valid day, in the partner's timezone: the `expires_on` shown.
    pub fn date(&self) -> Date {
        self.date
    }

    /// The partner's UTC offset at the expiry moment.
    pub fn offset(&self) -> UtcOffset {
        self.offset
    }

    /// The expiry moment: 23:59:59 on [`Expiry::date`] at [`Expiry::offset`].
    pub fn moment(&self) -> OffsetDateTime {
        PrimitiveDateTime::new(self.date, time!(23:59:59)).assume_offset(self.offset)
    }

    /// `date_expires` for WooCommerce, with an explicit offset and no fraction:
    /// `2026-12-08T23:59:59+01:00`.
    pub fn to_woocommerce(&self) -> String {
        let (hours, minutes, _) = self.offset.as_hms();
        let sign = if self.offset.is_negative() { '-' } else { '+' };
        // `new` keeps the year within 1..=9999, so four digits always suffice.
        format!(
            "{:04}-{:02}-{:02}T23:59:59{sign}{:02}:{:02}",
            self.date.year(),
            u8::from(self.date.month()),
            self.date.day(),
            hours.unsigned_abs(),
            minutes.unsigned_abs()
        )
    }
}

/// Refuses offsets WooCommerce cannot be sent (seconds are lost in `+HH:MM`) and
/// offsets no timezone has.
fn check_offset(offset: UtcOffset) -> Result<(), RequestError> {
    if offset.seconds_past_minute() != 0 {
        return Err(RequestError::OffsetNotWholeMinutes);
    }
    if !(MIN_OFFSET_MINUTES..=MAX_OFFSET_MINUTES).contains(&offset.whole_minutes()) {
        return Err(RequestError::OffsetOutOfRange);
    }
    Ok(())
}

#[cfg(test)]
mod tests;
