//! Onboarding a partner and its first user (the operator's `tally admin create-partner`).

use database::partners::{self, NewPartner, Partner, PartnerUser};
use database::{DbError, ScopedFutureExt};
use identity::Email;
use time::OffsetDateTime;

#[derive(Debug, Clone)]
pub struct PartnerForm {
    pub name: String,
    pub email: String,
    pub timezone: String,
}

#[derive(Debug)]
pub struct Onboarded {
    pub partner: Partner,
    pub owner: PartnerUser,
}

#[derive(Debug, thiserror::Error)]
pub enum OnboardingError {
    #[error("Enter the business name (1 to 200 characters).")]
    Name,
    #[error("{0}")]
    Email(#[from] identity::EmailError),
    #[error("'{0}' is not a timezone name like Europe/Amsterdam or UTC.")]
    Timezone(String),
    #[error(transparent)]
    Db(#[from] DbError),
}

/// A timezone Tally knows (`UTC`, `Europe/Amsterdam`, `America/Argentina/Salta`).
fn plausible_timezone(tz: &str) -> bool {
    crate::timezone::is_known(tz)
}

pub async fn create_partner(
    pool: &database::Pool,
    form: &PartnerForm,
    now: OffsetDateTime,
) -> Result<Onboarded, OnboardingError> {
    let name = form.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(OnboardingError::Name);
    }
    let email = Email::parse(&form.email)?;
    let timezone = form.timezone.trim().to_owned();
    if !plausible_timezone(&timezone) {
        return Err(OnboardingError::Timezone(timezone));
    }
    database::transaction(pool, |conn| {
        async move {
            let new = NewPartner {
                name: &name,
                business_email: email.as_str(),
                timezone: &timezone,
                owner_email: email.as_str(),
                owner_email_normalized: email.normalized(),
                owner_name: "",
                now,
            };
            let (partner, owner) = partners::create_with_owner(conn, &new).await?;
            Ok::<_, OnboardingError>(Onboarded { partner, owner })
        }
        .scope_boxed()
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timezones_are_checked_against_the_tz_database() {
        for ok in [
            "UTC",
            "Europe/Amsterdam",
            "America/Argentina/Salta",
            "Etc/GMT+2",
        ] {
            assert!(plausible_timezone(ok), "{ok}");
        }
        for bad in [
            "",
            "Amsterdam",
            "Europe/",
            "Europe/Amster dam",
            "../etc",
            "Europe/Atlantis",
        ] {
            assert!(!plausible_timezone(bad), "{bad}");
        }
    }
}
