//! Tests of the expiry rule: offsets, day boundaries, daylight saving, ranges.

use super::*;
use proptest::prelude::*;
use time::macros::{date, datetime, offset};

fn sent(issued_at: OffsetDateTime, days: u32, issue: UtcOffset, expiry: UtcOffset) -> String {
    Expiry::new(issued_at, days, issue, expiry)
        .unwrap()
        .to_woocommerce()
}

#[test]
fn seven_days_from_the_first_of_december_ends_on_the_eighth() {
    let issued = datetime!(2026-12-01 10:00 +01:00);
    let expiry = Expiry::new(issued, 7, offset!(+01:00), offset!(+01:00)).unwrap();
    assert_eq!(expiry.date(), date!(2026 - 12 - 08));
    assert_eq!(expiry.to_woocommerce(), "2026-12-08T23:59:59+01:00");
    assert_eq!(expiry.moment(), datetime!(2026-12-08 23:59:59 +01:00));
    assert_eq!(expiry.offset(), offset!(+01:00));
}

#[test]
fn the_redemption_date_is_the_partners_not_utcs() {
    // 23:30 UTC on 1 December is already 2 December in Amsterdam…
    let late = datetime!(2026-12-01 23:30 UTC);
    assert_eq!(
        sent(late, 7, offset!(+01:00), offset!(+01:00)),
        "2026-12-09T23:59:59+01:00"
    );
    // …and still 1 December in New York, even when the moment is given in UTC+9.
    let early = datetime!(2026-12-02 09:30 +09:00);
    assert_eq!(
        sent(early, 7, offset!(-05:00), offset!(-05:00)),
        "2026-12-08T23:59:59-05:00"
    );
}

#[test]
fn the_offset_of_the_issue_moment_does_not_matter_only_the_partners() {
    let a = datetime!(2026-06-15 22:00 UTC);
    let b = a.to_offset(offset!(-07:00));
    assert_eq!(
        expires_on(a, offset!(+02:00), 30),
        expires_on(b, offset!(+02:00), 30)
    );
}

#[test]
fn a_daylight_saving_change_inside_the_window_uses_the_expiry_days_offset() {
    // Amsterdam: issued in winter time, expires in summer time (29 March 2026).
    let issued = datetime!(2026-03-25 12:00 +01:00);
    assert_eq!(
        sent(issued, 7, offset!(+01:00), offset!(+02:00)),
        "2026-04-01T23:59:59+02:00"
    );
    // And back in October.
    let issued = datetime!(2026-10-20 12:00 +02:00);
    assert_eq!(
        sent(issued, 14, offset!(+02:00), offset!(+01:00)),
        "2026-11-03T23:59:59+01:00"
    );
    // Issued at 00:30 local time on the night of the change: still that local day.
    let issued = datetime!(2026-03-28 23:30 UTC);
    assert_eq!(
        expires_on(issued, offset!(+01:00), 1),
        Ok(date!(2026 - 03 - 30))
    );
}

#[test]
fn fractional_hour_offsets_are_sent_exactly() {
    let issued = datetime!(2026-12-01 12:00 UTC);
    assert_eq!(
        sent(issued, 1, offset!(+05:30), offset!(+05:30)),
        "2026-12-02T23:59:59+05:30"
    );
    assert_eq!(
        sent(issued, 1, offset!(+05:45), offset!(+05:45)),
        "2026-12-02T23:59:59+05:45"
    );
    assert_eq!(
        sent(issued, 1, offset!(-09:30), offset!(-09:30)),
        "2026-12-02T23:59:59-09:30"
    );
    assert_eq!(
        sent(issued, 1, offset!(-00:30), offset!(-00:30)),
        "2026-12-02T23:59:59-00:30"
    );
    assert_eq!(
        sent(issued, 1, offset!(UTC), offset!(UTC)),
        "2026-12-02T23:59:59+00:00"
    );
}

#[test]
fn the_extreme_offsets_are_a_day_apart() {
    let issued = datetime!(2026-12-01 11:00 UTC);
    assert_eq!(
        sent(issued, 1, offset!(+14:00), offset!(+14:00)),
        "2026-12-03T23:59:59+14:00"
    );
    assert_eq!(
        sent(issued, 1, offset!(-12:00), offset!(-12:00)),
        "2026-12-01T23:59:59-12:00"
    );
}

#[test]
fn months_years_and_leap_days_roll_over() {
    let at = |d: Date| PrimitiveDateTime::new(d, time!(12:00)).assume_utc();
    let utc = offset!(UTC);
    assert_eq!(
        expires_on(at(date!(2026 - 12 - 30)), utc, 7),
        Ok(date!(2027 - 01 - 06))
    );
    assert_eq!(
        expires_on(at(date!(2028 - 02 - 25)), utc, 4),
        Ok(date!(2028 - 02 - 29))
    );
    assert_eq!(
        expires_on(at(date!(2027 - 02 - 25)), utc, 4),
        Ok(date!(2027 - 03 - 01))
    );
    assert_eq!(
        expires_on(at(date!(2026 - 01 - 31)), utc, 90),
        Ok(date!(2026 - 05 - 01))
    );
}

#[test]
fn valid_days_are_one_to_ninety() {
    let issued = datetime!(2026-12-01 10:00 UTC);
    let utc = offset!(UTC);
    assert_eq!(
        expires_on(issued, utc, 0),
        Err(RequestError::ValidDays { days: 0 })
    );
    assert_eq!(
        expires_on(issued, utc, 91),
        Err(RequestError::ValidDays { days: 91 })
    );
    assert_eq!(expires_on(issued, utc, 1), Ok(date!(2026 - 12 - 02)));
    assert_eq!(expires_on(issued, utc, 90), Ok(date!(2027 - 03 - 01)));
    assert_eq!(
        RequestError::ValidDays { days: 91 }.to_string(),
        "A coupon must stay valid for 1 to 90 days, not 91."
    );
}

#[test]
fn offsets_the_store_cannot_carry_or_no_zone_has_are_refused() {
    let issued = datetime!(2026-12-01 10:00 UTC);
    let with_seconds = UtcOffset::from_hms(0, 17, 30).unwrap();
    let utc = offset!(UTC);
    assert_eq!(
        Expiry::new(issued, 7, with_seconds, utc),
        Err(RequestError::OffsetNotWholeMinutes)
    );
    assert_eq!(
        Expiry::new(issued, 7, utc, with_seconds),
        Err(RequestError::OffsetNotWholeMinutes)
    );
    for far in [
        offset!(+14:01),
        offset!(+15:00),
        offset!(-12:01),
        offset!(-13:00),
    ] {
        assert_eq!(
            Expiry::new(issued, 7, far, utc),
            Err(RequestError::OffsetOutOfRange),
            "{far}"
        );
        assert_eq!(
            Expiry::new(issued, 7, utc, far),
            Err(RequestError::OffsetOutOfRange),
            "{far}"
        );
    }
}

#[test]
fn dates_beyond_year_9999_are_refused() {
    let issued = datetime!(9999-12-31 10:00 UTC);
    assert_eq!(
        expires_on(issued, offset!(UTC), 1),
        Err(RequestError::DateOutOfRange)
    );
    let early = datetime!(0001-01-01 10:00 UTC);
    assert_eq!(
        Expiry::new(early, 1, offset!(UTC), offset!(UTC)).map(|e| e.to_woocommerce()),
        Ok("0001-01-02T23:59:59+00:00".to_owned())
    );
}

proptest! {
    /// Whatever the moment, offsets and validity: the sent text reads back as 23:59:59
    /// on the redemption date + `days` at the expiry offset, and lies in the future.
    #[test]
    fn expiry_is_the_last_second_of_the_right_local_day(
        seconds in 0i64..4_000_000_000,
        issue_minutes in -720i32..=840,
        expiry_minutes in -720i32..=840,
        days in 1u32..=90,
    ) {
        let issued = OffsetDateTime::from_unix_timestamp(seconds).unwrap();
        let issue = UtcOffset::from_whole_seconds(issue_minutes * 60).unwrap();
        let at_expiry = UtcOffset::from_whole_seconds(expiry_minutes * 60).unwrap();
        let expiry = Expiry::new(issued, days, issue, at_expiry).unwrap();
        let text = expiry.to_woocommerce();
        let back = OffsetDateTime::parse(&text, &time::format_description::well_known::Rfc3339)
            .unwrap();
        prop_assert_eq!(back, expiry.moment());
        prop_assert_eq!(back.offset(), at_expiry);
        prop_assert_eq!(back.time(), time!(23:59:59));
        let local_issue_date = issued.to_offset(issue).date();
        prop_assert_eq!(back.date() - local_issue_date, Duration::days(i64::from(days)));
        prop_assert!(back > issued);
    }
}
