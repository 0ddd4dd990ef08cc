//! Business settings (SPEC §2): the name members see as the sender of their emails, the
//! business email replies go to, and the timezone that decides the days of the charts
//! and the last day of a coupon. Checked field by field; changes go to the activity log.

use database::activity::{self, Actor, NewActivity};
use database::partners::{self, BusinessSettings, Partner};
use database::{DbError, ScopedFutureExt};
use identity::Email;
use time::OffsetDateTime;

/// The settings as typed.
#[derive(Debug, Clone, Default)]
pub struct BusinessForm {
    pub name: String,
    pub business_email: String,
    pub timezone: String,
}

/// One refused field and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub field: &'static str,
    pub message: String,
}

#[derive(Debug, thiserror::Error)]
pub enum BusinessError {
    #[error("some settings are not valid")]
    Invalid(Vec<Problem>),
    #[error(transparent)]
    Db(#[from] DbError),
}

/// The form, checked: every problem at once, so each field can say what is wrong.
fn check(form: &BusinessForm) -> Result<(String, Email, String), Vec<Problem>> {
    let mut problems = Vec::new();
    let name = form.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 200 {
        problems.push(Problem {
            field: "name",
            message: "Enter the business name (1 to 200 characters).".into(),
        });
    }
    let email = Email::parse(&form.business_email).map_err(|e| Problem {
        field: "business_email",
        message: e.to_string(),
    });
    let timezone = form.timezone.trim().to_owned();
    if !crate::timezone::is_known(&timezone) {
        problems.push(Problem {
            field: "timezone",
            message: if timezone.is_empty() {
                "Choose a timezone, like Europe/Amsterdam or UTC.".into()
            } else {
                format!("“{timezone}” is not a timezone Tally knows. Choose one from the list, like Europe/Amsterdam or UTC.")
            },
        });
    }
    match email {
        Ok(email) if problems.is_empty() => Ok((name, email, timezone)),
        Ok(_) => Err(problems),
        Err(problem) => {
            problems.push(problem);
            Err(problems)
        }
    }
}

/// Saves the settings of `partner`; logs what changed (nothing is logged when nothing
/// changed).
pub async fn update(
    pool: &database::Pool,
    partner: &Partner,
    actor: Actor,
    form: &BusinessForm,
    now: OffsetDateTime,
) -> Result<Partner, BusinessError> {
    let (name, email, timezone) = check(form).map_err(BusinessError::Invalid)?;
    let mut changed = serde_json::Map::new();
    for (field, before, after) in [
        ("name", partner.name.as_str(), name.as_str()),
        (
            "business_email",
            partner.business_email.as_str(),
            email.as_str(),
        ),
        ("timezone", partner.timezone.as_str(), timezone.as_str()),
    ] {
        if before != after {
            changed.insert(
                field.to_owned(),
                serde_json::json!({ "from": before, "to": after }),
            );
        }
    }
    let partner_id = partner.id;
    database::transaction(pool, |conn| {
        async move {
            let settings = BusinessSettings {
                name: &name,
                business_email: email.as_str(),
                timezone: &timezone,
            };
            let saved = partners::update_business(conn, partner_id, &settings).await?;
            if !changed.is_empty() {
                activity::record(
                    conn,
                    &NewActivity {
                        partner_id,
                        actor,
                        action: "business_settings_changed",
                        subject: None,
                        details: serde_json::Value::Object(changed),
                        now,
                    },
                )
                .await?;
            }
            Ok(saved)
        }
        .scope_boxed()
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(name: &str, email: &str, timezone: &str) -> BusinessForm {
        BusinessForm {
            name: name.into(),
            business_email: email.into(),
            timezone: timezone.into(),
        }
    }

    fn fields(form: &BusinessForm) -> Vec<&'static str> {
        check(form)
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|p| p.field)
            .collect()
    }

    #[test]
    fn good_settings_are_trimmed() {
        let checked = check(&form(
            " Corner Café ",
            " Hello@Corner.test ",
            " Europe/Amsterdam ",
        ));
        let (name, email, timezone) = checked.unwrap_or_else(|p| panic!("{p:?}"));
        assert_eq!(name, "Corner Café");
        assert_eq!(email.normalized(), "hello@corner.test");
        assert_eq!(timezone, "Europe/Amsterdam");
    }

    #[test]
    fn every_bad_field_is_named_at_once() {
        assert_eq!(
            fields(&form(" ", "not-an-email", "Europe/Atlantis")),
            ["name", "timezone", "business_email"]
        );
        assert_eq!(fields(&form("Café", "a@b.test", "")), ["timezone"]);
        assert_eq!(fields(&form(&"x".repeat(201), "a@b.test", "UTC")), ["name"]);
    }
}
