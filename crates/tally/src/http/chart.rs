//! The home's chart of points issued and redeemed per day, as the geometry of an inline
//! SVG (`templates/partner/chart.html` draws it): a bar pair per day, a value axis with
//! round steps, day labels, a legend. Colours come from `tally.css` classes, never
//! `style` attributes (the pages' CSP forbids them); the view box scales to any width.

use serde::Serialize;

use crate::email::format::format_points;
use crate::email::message::Language;
use crate::usecases::home::DayPoints;

/// The view box: 400 × 230 user units.
const WIDTH: f64 = 400.0;
const LEFT: f64 = 46.0;
const RIGHT: f64 = 396.0;
const TOP: f64 = 24.0;
const BOTTOM: f64 = 190.0;

#[derive(Debug, Clone, Serialize)]
pub struct Bar {
    pub class: &'static str,
    pub x: String,
    pub y: String,
    pub width: String,
    pub height: String,
    /// What a pointer or a screen reader is told: "3 May: 120 points issued".
    pub title: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Tick {
    /// Where the line (y) or the label (x) is.
    pub at: String,
    pub label: String,
    /// `middle`, or `end` for the last day's label (it would run off the right edge).
    pub anchor: &'static str,
}

/// One day of the numbers table under the chart.
#[derive(Debug, Clone, Serialize)]
pub struct DayRow {
    /// `YYYY-MM-DD`.
    pub date: String,
    /// "Sun 3 May".
    pub label: String,
    pub issued: String,
    pub redeemed: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Chart {
    pub width: String,
    pub left: String,
    pub right: String,
    pub bottom: String,
    pub day_label_y: String,
    pub value_label_x: String,
    /// The middle of the plot, for the day axis's title.
    pub middle: String,
    pub bars: Vec<Bar>,
    pub value_ticks: Vec<Tick>,
    pub day_ticks: Vec<Tick>,
    pub days: Vec<DayRow>,
    pub total_issued: String,
    pub total_redeemed: String,
    /// The first and last day, "4 May" and "2 June".
    pub first: String,
    pub last: String,
    pub empty: bool,
}

fn num(v: f64) -> String {
    let rounded = (v * 10.0).round() / 10.0;
    if rounded.fract() == 0.0 {
        format!("{rounded:.0}")
    } else {
        format!("{rounded:.1}")
    }
}

fn points(n: i64) -> String {
    format_points(n, Language::En)
}

/// "3 May", "24 Nov": short enough for a label under a week of bars.
fn day_month(d: time::Date) -> String {
    let month = d.month().to_string();
    let short: String = month.chars().take(3).collect();
    format!("{} {short}", d.day())
}

/// A round step (1, 2 or 5 × a power of ten) that splits `max` into at most 4 steps.
fn step_for(max: i64) -> i64 {
    let rough = (max.max(4) + 3) / 4;
    let mut magnitude = 1_i64;
    while magnitude.saturating_mul(10) <= rough {
        magnitude = magnitude.saturating_mul(10);
    }
    [1, 2, 5, 10]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= rough)
        .unwrap_or(10 * magnitude)
}

/// The chart of `days` (oldest first).
pub fn chart(days: &[DayPoints]) -> Chart {
    let max = days
        .iter()
        .map(|d| d.issued.max(d.redeemed))
        .max()
        .unwrap_or(0);
    let step = step_for(max);
    let steps = ((max + step - 1) / step).max(1);
    let top_value = (step * steps) as f64;
    let height = BOTTOM - TOP;
    let y_of = |v: i64| BOTTOM - (v as f64 / top_value) * height;
    let slot = (RIGHT - LEFT) / days.len().max(1) as f64;
    let bar_width = (slot - 2.0).max(1.0) / 2.0;
    let mut bars = Vec::new();
    for (i, d) in days.iter().enumerate() {
        let x0 = LEFT + slot * i as f64 + 1.0;
        let label = day_month(d.date);
        for (j, (class, value, verb)) in [
            ("issued", d.issued, "issued"),
            ("redeemed", d.redeemed, "redeemed"),
        ]
        .into_iter()
        .enumerate()
        {
            // A day with points gets at least a sliver, so it never looks empty.
            let h = if value > 0 {
                (BOTTOM - y_of(value)).max(1.0)
            } else {
                0.0
            };
            bars.push(Bar {
                class,
                x: num(x0 + bar_width * j as f64),
                y: num(BOTTOM - h),
                width: num(bar_width),
                height: num(h),
                title: format!("{label}: {} points {verb}", points(value)),
            });
        }
    }
    let value_ticks = (0..=steps)
        .map(|k| Tick {
            at: num(y_of(k * step)),
            label: points(k * step),
            anchor: "end",
        })
        .collect();
    // Every 7th day from the last one back, so today is always labelled.
    let day_ticks = days
        .iter()
        .enumerate()
        .filter(|(i, _)| (days.len() - 1 - i) % 7 == 0)
        .map(|(i, d)| {
            let last = i + 1 == days.len();
            Tick {
                at: num(if last {
                    RIGHT
                } else {
                    LEFT + slot * (i as f64 + 0.5)
                }),
                label: day_month(d.date),
                anchor: if last { "end" } else { "middle" },
            }
        })
        .collect();
    let rows = days
        .iter()
        .rev()
        .map(|d| DayRow {
            date: d.date.to_string(),
            label: format!("{} {} {}", d.date.weekday(), d.date.day(), d.date.month()),
            issued: points(d.issued),
            redeemed: points(d.redeemed),
        })
        .collect();
    Chart {
        width: num(WIDTH),
        left: num(LEFT),
        right: num(RIGHT),
        bottom: num(BOTTOM),
        day_label_y: num(BOTTOM + 16.0),
        value_label_x: num(LEFT - 4.0),
        middle: num((LEFT + RIGHT) / 2.0),
        bars,
        value_ticks,
        day_ticks,
        days: rows,
        total_issued: points(days.iter().map(|d| d.issued).sum()),
        total_redeemed: points(days.iter().map(|d| d.redeemed).sum()),
        first: days.first().map(|d| day_month(d.date)).unwrap_or_default(),
        last: days.last().map(|d| day_month(d.date)).unwrap_or_default(),
        empty: max == 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn steps_are_round() {
        assert_eq!(step_for(0), 1);
        assert_eq!(step_for(4), 1);
        assert_eq!(step_for(7), 2);
        assert_eq!(step_for(100), 50);
        assert_eq!(step_for(1234), 500);
        assert_eq!(step_for(20_000), 5000);
    }

    #[test]
    fn bars_scale_to_the_biggest_day_and_label_every_week() {
        let days: Vec<DayPoints> = (0..30)
            .map(|i| DayPoints {
                date: date!(2026 - 05 - 04) + time::Duration::days(i),
                issued: if i == 29 { 400 } else { 0 },
                redeemed: if i == 28 { 100 } else { 0 },
            })
            .collect();
        let c = chart(&days);
        assert_eq!(c.bars.len(), 60);
        let today = &c.bars[58];
        assert_eq!(today.class, "issued");
        assert_eq!(today.title, "2 Jun: 400 points issued");
        assert_eq!(today.y, num(TOP), "the biggest bar reaches the top");
        assert_eq!(c.bars[57].title, "1 Jun: 100 points redeemed");
        assert_eq!(c.bars[57].height, num((BOTTOM - TOP) / 4.0));
        assert_eq!(c.value_ticks.last().map(|t| t.label.as_str()), Some("400"));
        let labels: Vec<&str> = c.day_ticks.iter().map(|t| t.label.as_str()).collect();
        assert_eq!(labels, ["5 May", "12 May", "19 May", "26 May", "2 Jun"]);
        assert_eq!(c.day_ticks.last().map(|t| t.anchor), Some("end"));
        assert_eq!(
            (c.total_issued.as_str(), c.total_redeemed.as_str()),
            ("400", "100")
        );
        assert_eq!(c.days[0].date, "2026-06-02", "the table lists today first");
        assert!(!c.empty);
    }
}
