//! The Overview's buttons (SPEC §3.4, §3.7): pause, resume, check the webhook now,
//! re-activate it, check for missed orders, and disconnect (after a confirmation).
//!
//! A double submit is answered by the use cases' own state checks ("already paused"),
//! shown as a friendly message rather than an error page.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use database::activity::Actor;

use super::forms::ActionForm;
use super::overview::render;
use super::{base_context, gate_owner, integration_context, integration_of, link, ok};
use crate::http::auth::PartnerAuth;
use crate::http::once::form_once;
use crate::http::render::{failure, page, see_other, stale_form};
use crate::http::AppState;
use crate::usecases::integration::{
    check_health, disconnect as disconnect_store, pause as pause_store,
    reactivate as reactivate_hook, resume as resume_store, LifecycleError,
};
use crate::usecases::reconcile::request_check;
use database::integrations::{Integration, Settings};

#[derive(Debug, Clone, Copy)]
enum Action {
    Pause,
    Resume,
    Health,
    Reactivate,
    Check,
}

async fn act(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: i64,
    form: web::Form<ActionForm>,
    action: Action,
) -> HttpResponse {
    let auth = match gate_owner(&state, &req).await {
        Ok(auth) => auth,
        Err(res) => return res,
    };
    let (integration, settings) = match integration_of(&state, &auth, id).await {
        Ok(found) => found,
        Err(res) => return res,
    };
    if !auth.csrf_ok(&state, &form.csrf) {
        return stale_form(&state);
    }
    let scope = format!("form:woo:{}:{action:?}", integration.id);
    form_once(&state, auth.partner.id, &scope, &form.idem, &[], || {
        perform(&state, &auth, integration, settings, action)
    })
    .await
}

async fn perform(
    state: &AppState,
    auth: &PartnerAuth,
    integration: Integration,
    settings: Settings,
    action: Action,
) -> HttpResponse {
    let now = time::OffsetDateTime::now_utc();
    let actor = Actor::PartnerUser(auth.user.id);
    let (pool, keys, woo) = (&state.pool, &state.config.keys, &*state.woo);
    let result: Result<&str, LifecycleError> = match action {
        Action::Pause => pause_store(pool, &integration, actor, now)
            .await
            .map(|()| "paused"),
        Action::Resume => resume_store(pool, &integration, actor, now)
            .await
            .map(|()| "resumed"),
        Action::Health if integration.status == "disconnected" => Err(LifecycleError::Disconnected),
        Action::Health => check_health(pool, keys, woo, &integration, now)
            .await
            .map(|_| "health"),
        Action::Reactivate if integration.status == "disconnected" => {
            Err(LifecycleError::Disconnected)
        }
        Action::Reactivate => reactivate_hook(pool, keys, woo, &integration, actor, now)
            .await
            .map(|_| "reactivated"),
        Action::Check if integration.status == "disconnected" => Err(LifecycleError::Disconnected),
        // An unfinished check is returned rather than a second one started.
        Action::Check => match request_check(pool, &integration, Some(auth.user.id), now).await {
            Ok(_) => Ok("check"),
            Err(e) => return failure(state, &e),
        },
    };
    match result {
        Ok(done) => see_other(&format!("{}?done={done}", link(integration.id, ""))),
        Err(LifecycleError::Db(e)) => failure(state, &e),
        Err(e) => {
            let status = match e {
                LifecycleError::Store(_) => StatusCode::BAD_GATEWAY,
                LifecycleError::ManualWebhook => StatusCode::UNPROCESSABLE_ENTITY,
                _ => StatusCode::CONFLICT,
            };
            let flash = Some(("error", e.to_string()));
            render(state, auth, integration, settings, flash, None, status).await
        }
    }
}

pub(crate) async fn pause(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<i64>,
    form: web::Form<ActionForm>,
) -> HttpResponse {
    act(state, req, id.into_inner(), form, Action::Pause).await
}

pub(crate) async fn resume(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<i64>,
    form: web::Form<ActionForm>,
) -> HttpResponse {
    act(state, req, id.into_inner(), form, Action::Resume).await
}

pub(crate) async fn health(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<i64>,
    form: web::Form<ActionForm>,
) -> HttpResponse {
    act(state, req, id.into_inner(), form, Action::Health).await
}

pub(crate) async fn reactivate(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<i64>,
    form: web::Form<ActionForm>,
) -> HttpResponse {
    act(state, req, id.into_inner(), form, Action::Reactivate).await
}

pub(crate) async fn check(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<i64>,
    form: web::Form<ActionForm>,
) -> HttpResponse {
    act(state, req, id.into_inner(), form, Action::Check).await
}

/// The confirmation step before disconnecting.
pub(crate) async fn confirm_disconnect(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<i64>,
) -> HttpResponse {
    let auth = match gate_owner(&state, &req).await {
        Ok(auth) => auth,
        Err(res) => return res,
    };
    let (integration, _) = match integration_of(&state, &auth, id.into_inner()).await {
        Ok(found) => found,
        Err(res) => return res,
    };
    let mut ctx = base_context(&state, &auth);
    integration_context(&mut ctx, &integration, "overview");
    ctx.insert("disconnected", &(integration.status == "disconnected"));
    ok(&state, "partner/woo/disconnect.html", ctx)
}

pub(crate) async fn disconnect(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<i64>,
    form: web::Form<ActionForm>,
) -> HttpResponse {
    let auth = match gate_owner(&state, &req).await {
        Ok(auth) => auth,
        Err(res) => return res,
    };
    let (integration, _) = match integration_of(&state, &auth, id.into_inner()).await {
        Ok(found) => found,
        Err(res) => return res,
    };
    if !auth.csrf_ok(&state, &form.csrf) {
        return stale_form(&state);
    }
    let mut ctx = base_context(&state, &auth);
    integration_context(&mut ctx, &integration, "overview");
    if form.confirm.as_deref() != Some("yes") {
        ctx.insert("disconnected", &(integration.status == "disconnected"));
        ctx.insert(
            "error",
            "Tick “I understand” to disconnect. Nothing was changed.",
        );
        return page(
            &state,
            "partner/woo/disconnect.html",
            ctx,
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    let scope = format!("form:woo:{}:disconnect", integration.id);
    form_once(&state, auth.partner.id, &scope, &form.idem, &[], || async {
        let done = disconnect_store(
            &state.pool,
            &state.config.keys,
            &*state.woo,
            &integration,
            Actor::PartnerUser(auth.user.id),
            time::OffsetDateTime::now_utc(),
        )
        .await;
        disconnected(&state, ctx, done)
    })
    .await
}

fn disconnected(
    state: &AppState,
    mut ctx: tera::Context,
    done: Result<crate::usecases::integration::Disconnected, LifecycleError>,
) -> HttpResponse {
    match done {
        Ok(done) => {
            ctx.insert("webhook_deleted", &done.webhook_deleted);
            ctx.insert("message", &done.message);
            ok(state, "partner/woo/disconnected.html", ctx)
        }
        // A second submit: the first one disconnected it.
        Err(LifecycleError::Disconnected) => {
            ctx.insert("webhook_deleted", &false);
            ctx.insert(
                "message",
                "This store was already disconnected. Members keep every point.",
            );
            ok(state, "partner/woo/disconnected.html", ctx)
        }
        Err(e) => failure(state, &e),
    }
}
