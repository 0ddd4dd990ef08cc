//! `/partner/team` (owners only): who can sign in to the dashboard, inviting someone by
//! email, changing a role, removing someone.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse, ResponseError};
use serde::{Deserialize, Serialize};

use super::dashboard::{self, OwnerAuth};
use super::once::form_once;
use super::partner_woo::{form_key, not_found, when};
use super::render::{failure, page, see_other, stale_form};
use super::AppState;
use crate::usecases::team::{self, Invite, TeamError};

const HERE: &str = "/partner/team";

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct InviteForm {
    pub csrf: String,
    pub idem: String,
    pub email: String,
    pub name: String,
    pub role: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RoleForm {
    pub csrf: String,
    pub idem: String,
    pub role: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RemoveForm {
    pub csrf: String,
    pub idem: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DoneQuery {
    pub done: Option<String>,
}

/// One person on the list.
#[derive(Debug, Serialize)]
struct Row {
    id: i64,
    email: String,
    name: String,
    role: String,
    added: String,
    removed: Option<String>,
    you: bool,
}

fn done_message(code: &str) -> Option<&'static str> {
    Some(match code {
        "invited" => {
            "Invitation sent. They sign in at /partner/login with their email address and a code."
        }
        "role" => "Role changed.",
        "removed" => {
            "Removed from the team: they were signed out everywhere and can no longer sign in."
        }
        _ => return None,
    })
}

/// The page, with a notice or an error and the invite form's values.
async fn render(
    state: &AppState,
    auth: &OwnerAuth,
    notice: Option<&str>,
    error: Option<String>,
    typed: Option<&InviteForm>,
    status: StatusCode,
) -> HttpResponse {
    let users = async {
        let mut conn = database::pool::get(&state.pool).await?;
        database::partners::users_of_partner(&mut conn, auth.partner.id).await
    }
    .await;
    let users = match users {
        Ok(users) => users,
        Err(e) => return failure(state, &e),
    };
    let tz = auth.partner.timezone.as_str();
    let rows: Vec<Row> = users
        .iter()
        .map(|u| Row {
            id: u.id,
            email: u.email.clone(),
            name: u.name.clone(),
            role: u.role.clone(),
            added: when(tz, u.created_at),
            removed: u.disabled_at.map(|t| when(tz, t)),
            you: u.id == auth.user.id,
        })
        .collect();
    let mut ctx = dashboard::context(state, auth, "team");
    ctx.insert("idem", &form_key());
    ctx.insert("users", &rows);
    ctx.insert("notice", &notice);
    ctx.insert("error", &error);
    ctx.insert("email", &typed.map(|f| f.email.as_str()).unwrap_or(""));
    ctx.insert("name", &typed.map(|f| f.name.as_str()).unwrap_or(""));
    ctx.insert(
        "invite_role",
        &typed.map(|f| f.role.as_str()).unwrap_or("staff"),
    );
    page(state, "partner/team.html", ctx, status)
}

pub(crate) async fn show(
    state: web::Data<AppState>,
    auth: OwnerAuth,
    query: web::Query<DoneQuery>,
) -> HttpResponse {
    let notice = query.done.as_deref().and_then(done_message);
    render(&state, &auth, notice, None, None, StatusCode::OK).await
}

pub(crate) async fn invite(
    state: web::Data<AppState>,
    auth: OwnerAuth,
    form: web::Form<InviteForm>,
) -> HttpResponse {
    if !auth.csrf_ok(&state, &form.csrf) {
        return stale_form(&state);
    }
    let fields = [form.email.as_str(), form.name.as_str(), form.role.as_str()];
    form_once(
        &state,
        auth.partner.id,
        "form:team:invite",
        &form.idem,
        &fields,
        || async {
            let invite = Invite {
                email: form.email.clone(),
                name: form.name.clone(),
                role: form.role.clone(),
            };
            let sign_in_url = format!("{}/partner/login", state.config.public_base_url);
            let now = time::OffsetDateTime::now_utc();
            match team::invite(
                &state.pool,
                &auth.partner,
                &auth.user,
                &invite,
                &sign_in_url,
                now,
            )
            .await
            {
                Ok(_) => see_other(&format!("{HERE}?done=invited")),
                Err(e) => refused(&state, &auth, e, Some(&form)).await,
            }
        },
    )
    .await
}

pub(crate) async fn change_role(
    state: web::Data<AppState>,
    auth: OwnerAuth,
    user_id: web::Path<i64>,
    form: web::Form<RoleForm>,
) -> HttpResponse {
    if !auth.csrf_ok(&state, &form.csrf) {
        return stale_form(&state);
    }
    let user_id = user_id.into_inner();
    let scope = format!("form:team:{user_id}:role");
    form_once(
        &state,
        auth.partner.id,
        &scope,
        &form.idem,
        &[form.role.as_str()],
        || async {
            let now = time::OffsetDateTime::now_utc();
            match team::change_role(
                &state.pool,
                auth.partner.id,
                &auth.user,
                user_id,
                &form.role,
                now,
            )
            .await
            {
                Ok(_) => see_other(&format!("{HERE}?done=role")),
                Err(e) => refused(&state, &auth, e, None).await,
            }
        },
    )
    .await
}

pub(crate) async fn remove(
    state: web::Data<AppState>,
    auth: OwnerAuth,
    user_id: web::Path<i64>,
    form: web::Form<RemoveForm>,
) -> HttpResponse {
    if !auth.csrf_ok(&state, &form.csrf) {
        return stale_form(&state);
    }
    let user_id = user_id.into_inner();
    let scope = format!("form:team:{user_id}:remove");
    form_once(&state, auth.partner.id, &scope, &form.idem, &[], || async {
        let now = time::OffsetDateTime::now_utc();
        match team::remove(&state.pool, auth.partner.id, &auth.user, user_id, now).await {
            Ok(_) => see_other(&format!("{HERE}?done=removed")),
            Err(e) => refused(&state, &auth, e, None).await,
        }
    })
    .await
}

/// A refusal, explained on the page (an unknown person is a 404, as any unknown page).
async fn refused(
    state: &AppState,
    auth: &OwnerAuth,
    error: TeamError,
    typed: Option<&InviteForm>,
) -> HttpResponse {
    let status = match &error {
        TeamError::Db(e) => return failure(state, e),
        TeamError::NotFound => return not_found(state),
        TeamError::NotOwner => return dashboard::NotOwner::Staff.error_response(),
        TeamError::Email(_) | TeamError::Role | TeamError::Name => StatusCode::UNPROCESSABLE_ENTITY,
        TeamError::AlreadyOnTeam(_)
        | TeamError::OtherBusiness(_)
        | TeamError::Yourself
        | TeamError::LastOwner => StatusCode::CONFLICT,
    };
    render(state, auth, None, Some(error.to_string()), typed, status).await
}
