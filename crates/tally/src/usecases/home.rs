//! The dashboard's home: points issued and redeemed per day over the last 30 days, on
//! the partner's calendar, and what happened lately (purchases at the counter and
//! online, redemptions, new members), newest first.
//!
//! Days are the partner's: midnight to midnight in `partners.timezone`. The database
//! adds points up per quarter hour in UTC (every timezone in use is a whole number of
//! quarter hours from UTC), and each quarter goes to the partner's day it starts in.

use database::home::{self, PointsSlot};
use database::partners::Partner;
use database::DbError;
use time::{Date, Duration, OffsetDateTime};

use crate::email::format::format_points;
use crate::email::message::Language;

/// Days in the chart, today included.
pub const DAYS: u16 = 30;
/// Items in "what happened lately".
const RECENT: i64 = 12;

/// Points of one day on the partner's calendar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayPoints {
    pub date: Date,
    pub issued: i64,
    pub redeemed: i64,
}

/// The last `days` days on `zone`'s calendar, ending with the day `now` falls on, each
/// with the points of the slots that start in it (oldest first; days without points
/// are zero).
pub fn bucket(zone: &str, now: OffsetDateTime, days: u16, slots: &[PointsSlot]) -> Vec<DayPoints> {
    let today = crate::timezone::local(zone, now).date();
    let mut out: Vec<DayPoints> = (0..days)
        .rev()
        .filter_map(|back| today.checked_sub(Duration::days(i64::from(back))))
        .map(|date| DayPoints {
            date,
            issued: 0,
            redeemed: 0,
        })
        .collect();
    let Some(first) = out.first().map(|d| d.date) else {
        return out;
    };
    for slot in slots {
        let date = crate::timezone::local(zone, slot.slot).date();
        let index = (date - first).whole_days();
        if let Some(day) = usize::try_from(index).ok().and_then(|i| out.get_mut(i)) {
            day.issued += slot.issued;
            day.redeemed += slot.redeemed;
        }
    }
    out
}

/// One thing that happened, as the home lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Happening {
    pub at: OffsetDateTime,
    /// `counter`, `online`, `purchase`, `redemption` or `member`.
    pub kind: &'static str,
    pub text: String,
    /// Points credited (+) or spent (−), when the line is about points.
    pub points: Option<i64>,
}

/// What the home shows.
#[derive(Debug, Clone)]
pub struct Home {
    pub days: Vec<DayPoints>,
    pub recent: Vec<Happening>,
}

/// Loads the home of `partner` at `now`.
pub async fn load(
    pool: &database::Pool,
    partner: &Partner,
    now: OffsetDateTime,
) -> Result<Home, DbError> {
    let mut conn = database::pool::get(pool).await?;
    // Thirty of the partner's days start less than 31 × 24 hours before now, whatever
    // the offset or a daylight-saving change; `bucket` drops what is older.
    let from = now - Duration::days(i64::from(DAYS) + 1);
    let slots =
        home::points_by_quarter_hour(&mut conn, partner.id, from, now + Duration::minutes(1))
            .await?;
    let days = bucket(&partner.timezone, now, DAYS, &slots);
    let purchases = home::recent_purchases(&mut conn, partner.id, RECENT).await?;
    let redemptions = home::recent_redemptions(&mut conn, partner.id, RECENT).await?;
    let members = home::recent_members(&mut conn, partner.id, RECENT).await?;
    let mut recent: Vec<Happening> = purchases
        .iter()
        .map(purchase)
        .chain(redemptions.iter().map(redemption))
        .chain(members.iter().map(|m| Happening {
            at: m.at,
            kind: "member",
            text: format!(
                "{} joined {}",
                who(&m.member_email, &m.member_name),
                m.card_name
            ),
            points: None,
        }))
        .collect();
    recent.sort_by_key(|h| std::cmp::Reverse(h.at));
    recent.truncate(RECENT as usize);
    Ok(Home { days, recent })
}

fn purchase(p: &home::RecentPurchase) -> Happening {
    let member = who(&p.member_email, &p.member_name);
    let (kind, text) = match (p.channel.as_str(), &p.order_id) {
        ("counter", _) => (
            "counter",
            format!("Purchase at the counter by {member} ({})", p.card_name),
        ),
        ("woocommerce", Some(order)) => (
            "online",
            format!("Online order #{order} by {member} ({})", p.card_name),
        ),
        ("woocommerce", None) => (
            "online",
            format!("Online order by {member} ({})", p.card_name),
        ),
        ("api", _) => (
            "purchase",
            format!("Purchase by {member} through the API ({})", p.card_name),
        ),
        _ => (
            "purchase",
            format!("Purchase by {member} ({})", p.card_name),
        ),
    };
    Happening {
        at: p.at,
        kind,
        text,
        points: Some(p.points),
    }
}

fn redemption(r: &home::RecentRedemption) -> Happening {
    let member = who(&r.member_email, &r.member_name);
    let points = format_points(r.points, Language::En);
    let value = format!(
        "{} {}",
        r.amount.with_scale(2).to_plain_string(),
        r.currency
    );
    let by = if r.requested_by == "partner" {
        format!("Coupon {} for {member}, redeemed for them", r.code)
    } else {
        format!("{member} redeemed {points} points for coupon {}", r.code)
    };
    let status = match r.status.as_str() {
        "issued" => "",
        "pending" => " — being created in the store",
        _ => " — the store refused it; the points were given back",
    };
    Happening {
        at: r.at,
        kind: "redemption",
        text: format!("{by} ({value}){status}"),
        points: (r.status != "reversed").then_some(-r.points),
    }
}

/// A member as the partner knows them: name and email, or that they deleted their
/// account.
fn who(email: &str, name: &str) -> String {
    if email.starts_with("deleted-") && email.ends_with("@invalid") {
        return "a member who deleted their account".into();
    }
    match name.trim() {
        "" => email.to_owned(),
        name => format!("{name} ({email})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    fn slot(at: OffsetDateTime, issued: i64, redeemed: i64) -> PointsSlot {
        PointsSlot {
            slot: at,
            issued,
            redeemed,
        }
    }

    #[test]
    fn quarters_go_to_the_partners_day() {
        let now = datetime!(2026-06-20 10:00 UTC);
        let slots = [
            slot(datetime!(2026-06-18 12:00 UTC), 10, 0),
            // 23:30 UTC is 01:30 the next day in Amsterdam (summer time).
            slot(datetime!(2026-06-18 23:30 UTC), 5, 3),
            slot(datetime!(2026-06-19 22:15 UTC), 7, 0),
        ];
        let ams = bucket("Europe/Amsterdam", now, 30, &slots);
        assert_eq!(ams.len(), 30);
        assert_eq!(ams.last().map(|d| d.date), Some(date!(2026 - 06 - 20)));
        assert_eq!(ams.first().map(|d| d.date), Some(date!(2026 - 05 - 22)));
        let on = |days: &[DayPoints], d: Date| {
            days.iter()
                .find(|x| x.date == d)
                .map(|x| (x.issued, x.redeemed))
        };
        assert_eq!(on(&ams, date!(2026 - 06 - 18)), Some((10, 0)));
        assert_eq!(on(&ams, date!(2026 - 06 - 19)), Some((5, 3)));
        assert_eq!(on(&ams, date!(2026 - 06 - 20)), Some((7, 0)));
        let utc = bucket("UTC", now, 30, &slots);
        assert_eq!(on(&utc, date!(2026 - 06 - 18)), Some((15, 3)));
        assert_eq!(on(&utc, date!(2026 - 06 - 19)), Some((7, 0)));
        // New York is behind: 12:00 UTC is still the 18th, 23:30 UTC too.
        let ny = bucket("America/New_York", now, 30, &slots);
        assert_eq!(on(&ny, date!(2026 - 06 - 18)), Some((15, 3)));
    }

    #[test]
    fn the_window_follows_the_partners_today_and_drops_older_slots() {
        // 23:30 UTC on 2026-01-31 is already February 1st in Amsterdam (winter, +1).
        let now = datetime!(2026-01-31 23:30 UTC);
        let slots = [
            slot(datetime!(2026-01-02 22:59 UTC), 100, 0),
            slot(datetime!(2026-01-02 23:00 UTC), 1, 0),
        ];
        let ams = bucket("Europe/Amsterdam", now, 30, &slots);
        assert_eq!(ams.first().map(|d| d.date), Some(date!(2026 - 01 - 03)));
        assert_eq!(ams.last().map(|d| d.date), Some(date!(2026 - 02 - 01)));
        assert_eq!(ams.iter().map(|d| d.issued).sum::<i64>(), 1, "{ams:?}");
    }

    #[test]
    fn deleted_members_are_not_named() {
        assert_eq!(
            who("deleted-7@invalid", ""),
            "a member who deleted their account"
        );
        assert_eq!(who("sam@example.com", " "), "sam@example.com");
        assert_eq!(who("sam@example.com", "Sam"), "Sam (sam@example.com)");
    }
}
