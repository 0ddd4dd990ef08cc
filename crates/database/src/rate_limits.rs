//! Fixed-window rate-limit counters in PostgreSQL, shared by every server process.

use diesel::prelude::*;
use diesel::upsert::excluded;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use time::OffsetDateTime;

use crate::schema::rate_limits;
use crate::DbError;

/// Counts one event for `key` in the window starting at `window_start`; returns the
/// count including this one.
pub async fn hit(
    conn: &mut AsyncPgConnection,
    key: &str,
    window_start: OffsetDateTime,
) -> Result<i32, DbError> {
    Ok(diesel::insert_into(rate_limits::table)
        .values((
            rate_limits::key.eq(key),
            rate_limits::window_start.eq(window_start),
            rate_limits::count.eq(1),
        ))
        .on_conflict((rate_limits::key, rate_limits::window_start))
        .do_update()
        .set(rate_limits::count.eq(rate_limits::count + excluded(rate_limits::count)))
        .returning(rate_limits::count)
        .get_result(conn)
        .await?)
}

/// Removes windows that started before `before`.
pub async fn delete_before(
    conn: &mut AsyncPgConnection,
    before: OffsetDateTime,
) -> Result<usize, DbError> {
    Ok(
        diesel::delete(rate_limits::table.filter(rate_limits::window_start.lt(before)))
            .execute(conn)
            .await?,
    )
}
