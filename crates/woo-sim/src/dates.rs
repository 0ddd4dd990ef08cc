//! WooCommerce's date strings: `YYYY-MM-DDTHH:MM:SS`, no offset, site-local and `_gmt` twins.
//! The simulated store's timezone is UTC, so both twins are equal.

use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

/// Now, truncated to the second (WordPress stores dates with second precision).
pub(crate) fn now() -> OffsetDateTime {
    let now = OffsetDateTime::now_utc();
    now.replace_nanosecond(0).unwrap_or(now)
}

/// `2026-11-23T17:56:40`.
pub(crate) fn format(t: OffsetDateTime) -> String {
    let t = t.to_offset(UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// Parses ISO-8601 (`2025-01-31T23:59:59`, optional fraction, optional `Z`/`±HH:MM`; a space
/// may replace the `T`; a bare date means midnight). Without an offset the site timezone
/// (UTC) is assumed. The result is truncated to the second.
pub(crate) fn parse(s: &str) -> Option<OffsetDateTime> {
    let s = s.trim();
    let b = s.as_bytes();
    let num = |from: usize, len: usize| -> Option<u32> {
        let part = s.get(from..from + len)?;
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let date = Date::from_calendar_date(
        num(0, 4)? as i32,
        Month::try_from(num(5, 2)? as u8).ok()?,
        num(8, 2)? as u8,
    )
    .ok()?;
    if b.len() == 10 {
        return Some(PrimitiveDateTime::new(date, Time::MIDNIGHT).assume_utc());
    }
    if !(b[10] == b'T' || b[10] == b't' || b[10] == b' ') || b.len() < 19 {
        return None;
    }
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let time = Time::from_hms(num(11, 2)? as u8, num(14, 2)? as u8, num(17, 2)? as u8).ok()?;
    let mut rest = &s[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        rest = &frac[digits..];
    }
    let offset = match rest {
        "" | "Z" | "z" => UtcOffset::UTC,
        _ => {
            let sign: i8 = match rest.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let hm = rest[1..].replace(':', "");
            if hm.len() != 4 || !hm.bytes().all(|c| c.is_ascii_digit()) {
                return None;
            }
            let h: i8 = hm[..2].parse().ok()?;
            let m: i8 = hm[2..].parse().ok()?;
            UtcOffset::from_hms(sign * h, sign * m, 0).ok()?
        }
    };
    Some(
        PrimitiveDateTime::new(date, time)
            .assume_offset(offset)
            .to_offset(UtcOffset::UTC),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_honours_offsets() {
        let t = parse("2027-12-31T23:59:59").unwrap();
        assert_eq!(format(t), "2027-12-31T23:59:59");
        assert_eq!(
            format(parse("2027-12-31T23:59:59+02:00").unwrap()),
            "2027-12-31T21:59:59"
        );
        assert_eq!(
            format(parse("2027-12-31T23:59:59.123Z").unwrap()),
            "2027-12-31T23:59:59"
        );
        assert!(parse("yesterday").is_none());
    }
}
