//! One wallet entry as the API shows it (SPEC §8), for every response that lists
//! entries: a purchase, an adjustment, a wallet.

use database::posting::Entry;
use serde::Serialize;

use super::integration_json::rfc3339;

/// `{"id", "kind", "channel", "points", "applied_points", "balance_after", "order_id",
/// "reference", "note", "created_at"}`: `points` is what the entry records,
/// `applied_points` what it changed; `note` is an adjustment's note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntryJson {
    pub id: String,
    pub kind: String,
    pub channel: String,
    pub points: i64,
    pub applied_points: i64,
    pub balance_after: i64,
    pub order_id: Option<String>,
    pub reference: Option<String>,
    pub note: Option<String>,
    pub created_at: Option<String>,
}

impl From<&Entry> for EntryJson {
    fn from(entry: &Entry) -> EntryJson {
        EntryJson {
            id: entry.id.to_string(),
            kind: entry.kind.clone(),
            channel: entry.channel.clone(),
            points: entry.points,
            applied_points: entry.applied_points,
            balance_after: entry.balance_after,
            order_id: entry.order_id.clone(),
            reference: entry.reference.clone(),
            note: entry.note.clone(),
            created_at: rfc3339(entry.created_at),
        }
    }
}

/// The entry as JSON.
pub fn entry_json(entry: &Entry) -> serde_json::Value {
    serde_json::to_value(EntryJson::from(entry)).unwrap_or(serde_json::Value::Null)
}
