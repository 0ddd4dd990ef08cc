//! A connected store's life (SPEC §3.4–3.7): pause, resume, disconnect, settings, the
//! webhook health check and re-activation, and what the Overview shows.

mod lifecycle;
mod overview;
mod settings;

pub use lifecycle::{
    access, check_health, disconnect, pause, reactivate, resume, Disconnected, Health,
    LifecycleError,
};
pub use overview::{explain_order, overview, public_url_warning, Explanation, Overview};
pub use settings::{update_settings, validate, FieldError, SettingsError, SettingsInput};

use database::integrations::{Integration, Settings};
use database::DbError;

/// The partner's integration (not another partner's), with its settings.
pub async fn load(
    pool: &database::Pool,
    partner_id: i64,
    id: i64,
) -> Result<Option<(Integration, Settings)>, DbError> {
    let mut conn = database::pool::get(pool).await?;
    database::integrations::find(&mut conn, partner_id, id).await
}
