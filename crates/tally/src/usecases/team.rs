//! A business's team: owners invite people by email (as staff or as owners), change
//! their roles and remove them. An invitation is an email (through the outbox, in the
//! same transaction) pointing to the dashboard's sign-in page, where the new user signs
//! in with a code like everyone else.
//!
//! Owners never change their own role or remove themselves, and every change locks the
//! business's owners first, so two owners acting at once cannot leave it without one.
//! A removed user keeps their row (entries and the log still name them), loses every
//! session at once and can be invited again.

use database::activity::{self, Actor, NewActivity};
use database::partners::{self, NewPartnerUser, Partner, PartnerUser};
use database::{outbox, sessions, DbError, ScopedFutureExt};
use identity::Email;
use time::OffsetDateTime;

use crate::email::message::{EmailPayload, InvitationEmail};

/// What a user may do: everything (owner), or the counter and members (staff).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Owner,
    Staff,
}

impl Role {
    pub fn parse(text: &str) -> Option<Role> {
        match text.trim() {
            "owner" => Some(Role::Owner),
            "staff" => Some(Role::Staff),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Staff => "staff",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TeamError {
    #[error("{0}")]
    Email(#[from] identity::EmailError),
    #[error("Choose a role: staff or owner.")]
    Role,
    #[error("A name is at most 200 characters.")]
    Name,
    #[error("{0} is already on your team.")]
    AlreadyOnTeam(String),
    #[error("{0} already signs in to another business on Tally, and an address signs in to one business only. Invite another address.")]
    OtherBusiness(String),
    #[error("You cannot change your own role or remove yourself. Another owner can.")]
    Yourself,
    #[error("A business needs at least one owner: make someone else an owner first.")]
    LastOwner,
    #[error("This person is not on your team.")]
    NotFound,
    #[error("Only an owner can change the team.")]
    NotOwner,
    #[error(transparent)]
    Db(#[from] DbError),
}

/// An invitation as the owner typed it.
#[derive(Debug, Clone)]
pub struct Invite {
    pub email: String,
    pub name: String,
    pub role: String,
}

/// Adds `invite.email` to the team (or gives a removed user access again) and emails
/// them an invitation from `actor`, linking to `sign_in_url`.
pub async fn invite(
    pool: &database::Pool,
    partner: &Partner,
    actor: &PartnerUser,
    invite: &Invite,
    sign_in_url: &str,
    now: OffsetDateTime,
) -> Result<PartnerUser, TeamError> {
    let email = Email::parse(&invite.email)?;
    let role = Role::parse(&invite.role).ok_or(TeamError::Role)?;
    let name = invite.name.trim().to_owned();
    if name.chars().count() > 200 {
        return Err(TeamError::Name);
    }
    let payload = EmailPayload::Invitation(InvitationEmail {
        business_name: partner.name.clone(),
        invited_by: display_name(actor).to_owned(),
        role: role.as_str().to_owned(),
        address: email.as_str().to_owned(),
        sign_in_url: sign_in_url.to_owned(),
    })
    .to_json();
    let (partner_id, actor_id) = (partner.id, actor.id);
    database::transaction(pool, |conn| {
        async move {
            owners_with(conn, partner_id, actor_id).await?;
            let existing =
                partners::find_user_by_email(conn, partner_id, email.normalized()).await?;
            if existing.as_ref().is_some_and(|u| u.disabled_at.is_none()) {
                return Err(TeamError::AlreadyOnTeam(email.as_str().to_owned()));
            }
            let elsewhere = partners::users_by_email(conn, email.normalized()).await?;
            if elsewhere.iter().any(|u| u.partner_id != partner_id) {
                return Err(TeamError::OtherBusiness(email.as_str().to_owned()));
            }
            let user = match existing {
                Some(removed) => {
                    let name = if name.is_empty() {
                        &removed.name
                    } else {
                        &name
                    };
                    partners::restore_user(conn, partner_id, removed.id, role.as_str(), name)
                        .await?
                        .ok_or(TeamError::NotFound)?
                }
                None => {
                    let new = NewPartnerUser {
                        partner_id,
                        email: email.as_str(),
                        email_normalized: email.normalized(),
                        name: &name,
                        role: role.as_str(),
                        now,
                    };
                    partners::add_user(conn, &new)
                        .await?
                        .ok_or_else(|| TeamError::AlreadyOnTeam(email.as_str().to_owned()))?
                }
            };
            outbox::enqueue(
                conn,
                &outbox::NewEmail {
                    partner_id: Some(partner_id),
                    member_id: None,
                    kind: "invitation",
                    to_address: email.as_str(),
                    language: "en",
                    payload: &payload,
                    idempotency_key: &format!(
                        "invitation:{partner_id}:{}:{}",
                        user.id,
                        now.unix_timestamp_nanos()
                    ),
                    now,
                },
            )
            .await?;
            log(
                conn,
                partner_id,
                actor_id,
                "team_member_invited",
                &user,
                serde_json::json!({ "user_id": user.id, "role": role.as_str() }),
                now,
            )
            .await?;
            Ok(user)
        }
        .scope_boxed()
    })
    .await
}

/// Gives team member `user_id` the role `role` (unchanged roles change nothing).
pub async fn change_role(
    pool: &database::Pool,
    partner_id: i64,
    actor: &PartnerUser,
    user_id: i64,
    role: &str,
    now: OffsetDateTime,
) -> Result<PartnerUser, TeamError> {
    let role = Role::parse(role).ok_or(TeamError::Role)?;
    let actor_id = actor.id;
    database::transaction(pool, |conn| {
        async move {
            let (target, owners) = target_of(conn, partner_id, actor_id, user_id).await?;
            if target.role == role.as_str() {
                return Ok(target);
            }
            if role == Role::Staff && !owners.iter().any(|o| o.id != target.id) {
                return Err(TeamError::LastOwner);
            }
            let changed = partners::set_role(conn, partner_id, target.id, role.as_str())
                .await?
                .ok_or(TeamError::NotFound)?;
            let details = serde_json::json!({
                "user_id": changed.id, "from": target.role, "to": changed.role,
            });
            log(
                conn,
                partner_id,
                actor_id,
                "team_role_changed",
                &changed,
                details,
                now,
            )
            .await?;
            Ok(changed)
        }
        .scope_boxed()
    })
    .await
}

/// Removes team member `user_id`: no more access, every session ended now.
pub async fn remove(
    pool: &database::Pool,
    partner_id: i64,
    actor: &PartnerUser,
    user_id: i64,
    now: OffsetDateTime,
) -> Result<PartnerUser, TeamError> {
    let actor_id = actor.id;
    database::transaction(pool, |conn| {
        async move {
            let (target, owners) = target_of(conn, partner_id, actor_id, user_id).await?;
            if target.role == "owner" && !owners.iter().any(|o| o.id != target.id) {
                return Err(TeamError::LastOwner);
            }
            let removed = partners::disable_user(conn, partner_id, target.id, now)
                .await?
                .ok_or(TeamError::NotFound)?;
            let ended =
                sessions::revoke_all_of_partner_user(conn, partner_id, removed.id, now).await?;
            let details = serde_json::json!({
                "user_id": removed.id, "role": removed.role, "sessions_ended": ended,
            });
            log(
                conn,
                partner_id,
                actor_id,
                "team_member_removed",
                &removed,
                details,
                now,
            )
            .await?;
            Ok(removed)
        }
        .scope_boxed()
    })
    .await
}

/// How a user is named to others: their name, or their email.
pub fn display_name(user: &PartnerUser) -> &str {
    let name = user.name.trim();
    if name.is_empty() {
        &user.email
    } else {
        name
    }
}

/// The business's owners, locked; refuses unless `actor_id` is still one of them.
async fn owners_with(
    conn: &mut database::Connection,
    partner_id: i64,
    actor_id: i64,
) -> Result<Vec<PartnerUser>, TeamError> {
    let owners = partners::lock_owners(conn, partner_id).await?;
    if owners.iter().any(|o| o.id == actor_id) {
        Ok(owners)
    } else {
        Err(TeamError::NotOwner)
    }
}

/// The active team member another owner wants to change, with the locked owners.
async fn target_of(
    conn: &mut database::Connection,
    partner_id: i64,
    actor_id: i64,
    user_id: i64,
) -> Result<(PartnerUser, Vec<PartnerUser>), TeamError> {
    let owners = owners_with(conn, partner_id, actor_id).await?;
    let target = partners::find_user(conn, partner_id, user_id)
        .await?
        .filter(|u| u.disabled_at.is_none())
        .ok_or(TeamError::NotFound)?;
    if target.id == actor_id {
        return Err(TeamError::Yourself);
    }
    Ok((target, owners))
}

async fn log(
    conn: &mut database::Connection,
    partner_id: i64,
    actor_id: i64,
    action: &str,
    subject: &PartnerUser,
    details: serde_json::Value,
    now: OffsetDateTime,
) -> Result<(), DbError> {
    activity::record(
        conn,
        &NewActivity {
            partner_id,
            actor: Actor::PartnerUser(actor_id),
            action,
            subject: Some(&subject.email),
            details,
            now,
        },
    )
    .await
}
