//! Partners' timezones: the IANA zone a partner runs in (`Europe/Amsterdam`), and the
//! UTC offset it has at a given moment. Times in the dashboard, days in charts and the
//! last valid day of a coupon are the partner's, not the server's.

use time::{OffsetDateTime, UtcOffset};

/// Whether `name` is a timezone Tally knows (`UTC`, `Europe/Amsterdam`, …).
pub fn is_known(name: &str) -> bool {
    jiff::tz::TimeZone::get(name).is_ok()
}

/// The zones to offer in a list (`Africa/Abidjan` … `UTC`), sorted: the tz database's
/// region/city names and UTC, without its legacy aliases (`US/Eastern`, `EST5EDT`).
pub fn offered() -> &'static [String] {
    static ZONES: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    ZONES.get_or_init(|| {
        const REGIONS: [&str; 10] = [
            "Africa/",
            "America/",
            "Antarctica/",
            "Arctic/",
            "Asia/",
            "Atlantic/",
            "Australia/",
            "Europe/",
            "Indian/",
            "Pacific/",
        ];
        let mut zones: Vec<String> = jiff::tz::db()
            .available()
            .map(|name| name.as_str().to_owned())
            .filter(|name| name == "UTC" || REGIONS.iter().any(|r| name.starts_with(r)))
            .collect();
        zones.sort();
        zones.dedup();
        zones
    })
}

/// The offset `zone` has at `at`; UTC for an unknown zone (never an error on a page).
pub fn offset_at(zone: &str, at: OffsetDateTime) -> UtcOffset {
    let Ok(tz) = jiff::tz::TimeZone::get(zone) else {
        return UtcOffset::UTC;
    };
    let Ok(ts) = jiff::Timestamp::from_second(at.unix_timestamp()) else {
        return UtcOffset::UTC;
    };
    UtcOffset::from_whole_seconds(tz.to_offset(ts).seconds()).unwrap_or(UtcOffset::UTC)
}

/// `at` as the clock on the wall in `zone` shows it.
pub fn local(zone: &str, at: OffsetDateTime) -> OffsetDateTime {
    at.to_offset(offset_at(zone, at))
}

/// A moment as the dashboard shows it, in the partner's zone: `2026-05-01 14:03 CEST`
/// style, with the numeric offset (`+02:00`) for an unambiguous reading.
pub fn when(zone: &str, at: OffsetDateTime) -> String {
    let t = local(zone, at);
    let offset = t.offset();
    if offset == UtcOffset::UTC {
        return format!("{} {:02}:{:02} UTC", t.date(), t.hour(), t.minute());
    }
    let (h, m, _) = offset.as_hms();
    let sign = if offset.is_negative() { '-' } else { '+' };
    format!(
        "{} {:02}:{:02} (UTC{sign}{:02}:{:02})",
        t.date(),
        t.hour(),
        t.minute(),
        h.unsigned_abs(),
        m.unsigned_abs()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn offsets_follow_daylight_saving() {
        let winter = datetime!(2026-01-15 12:00 UTC);
        let summer = datetime!(2026-07-15 12:00 UTC);
        assert_eq!(offset_at("Europe/Amsterdam", winter).whole_hours(), 1);
        assert_eq!(offset_at("Europe/Amsterdam", summer).whole_hours(), 2);
        assert_eq!(offset_at("America/New_York", winter).whole_hours(), -5);
        assert_eq!(offset_at("Asia/Kolkata", summer).whole_minutes(), 330);
        assert_eq!(offset_at("UTC", summer), UtcOffset::UTC);
        // The switch itself: 2026-03-29 01:00 UTC in the EU.
        assert_eq!(
            offset_at("Europe/Amsterdam", datetime!(2026-03-29 00:59 UTC)).whole_hours(),
            1
        );
        assert_eq!(
            offset_at("Europe/Amsterdam", datetime!(2026-03-29 01:00 UTC)).whole_hours(),
            2
        );
    }

    #[test]
    fn the_offered_zones_are_known_and_include_the_common_ones() {
        let zones = offered();
        for zone in [
            "UTC",
            "Europe/Amsterdam",
            "America/New_York",
            "Asia/Kolkata",
        ] {
            assert!(zones.iter().any(|z| z == zone), "{zone}");
        }
        assert!(zones.len() > 300, "{}", zones.len());
        assert!(!zones.iter().any(|z| z.starts_with("US/")));
        assert!(zones.iter().all(|z| is_known(z)));
    }

    #[test]
    fn unknown_zones_are_known_as_such_and_read_as_utc() {
        assert!(is_known("Europe/Amsterdam"));
        assert!(is_known("UTC"));
        assert!(!is_known("Europe/Atlantis"));
        assert!(!is_known("../etc/passwd"));
        assert_eq!(
            offset_at("Europe/Atlantis", datetime!(2026-07-15 12:00 UTC)),
            UtcOffset::UTC
        );
    }

    #[test]
    fn moments_are_shown_on_the_partners_clock() {
        let at = datetime!(2026-07-15 22:30 UTC);
        assert_eq!(when("UTC", at), "2026-07-15 22:30 UTC");
        assert_eq!(when("Europe/Amsterdam", at), "2026-07-16 00:30 (UTC+02:00)");
        assert_eq!(when("America/St_Johns", at), "2026-07-15 20:00 (UTC-02:30)");
        assert_eq!(
            local("Asia/Tokyo", at).date(),
            time::macros::date!(2026 - 07 - 16)
        );
    }
}
