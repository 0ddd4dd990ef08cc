//! Who is signed in: extractors for the member and partner realms.
//!
//! A handler that takes [`MemberAuth`] or [`PartnerAuth`] only runs for a live
//! server-side session of that realm; anyone else is sent to the realm's sign-in page.

use std::future::Future;
use std::pin::Pin;

use actix_web::{web, FromRequest, HttpRequest, HttpResponse, ResponseError};
use database::members::Member;
use database::partners::{Partner, PartnerUser};
use database::sessions::Session;

use super::cookies::Jar;
use super::AppState;
use crate::email::message::Realm;
use crate::usecases::signin;

/// Not signed in (or the session ended): go to the sign-in page.
#[derive(Debug)]
pub struct SignInFirst {
    location: &'static str,
    failed: bool,
}

impl std::fmt::Display for SignInFirst {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("sign in first")
    }
}

impl ResponseError for SignInFirst {
    fn status_code(&self) -> actix_web::http::StatusCode {
        if self.failed {
            actix_web::http::StatusCode::SERVICE_UNAVAILABLE
        } else {
            actix_web::http::StatusCode::SEE_OTHER
        }
    }

    fn error_response(&self) -> HttpResponse {
        if self.failed {
            return HttpResponse::ServiceUnavailable()
                .content_type("text/plain; charset=utf-8")
                .body("Something went wrong on our side. Please try again in a moment.");
        }
        HttpResponse::SeeOther()
            .insert_header(("location", self.location))
            .finish()
    }
}

async fn session_of(
    req: &HttpRequest,
    realm: Realm,
    jar: Jar,
    login: &'static str,
) -> Result<(web::Data<AppState>, Session), SignInFirst> {
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return Err(SignInFirst {
            location: login,
            failed: true,
        });
    };
    let secure = state.secure_cookies();
    let Some(cookie) = req.cookie(&jar.name(secure)) else {
        return Err(SignInFirst {
            location: login,
            failed: false,
        });
    };
    let now = time::OffsetDateTime::now_utc();
    match signin::current_session(&state.pool, &state.config.keys, realm, cookie.value(), now).await
    {
        Ok(Some(session)) => Ok((state, session)),
        Ok(None) => Err(SignInFirst {
            location: login,
            failed: false,
        }),
        Err(e) => {
            tracing::error!(error = %e, "session lookup failed");
            Err(SignInFirst {
                location: login,
                failed: true,
            })
        }
    }
}

/// A signed-in member.
#[derive(Debug)]
pub struct MemberAuth {
    pub session: Session,
    pub member: Member,
    /// The CSRF token forms of this session carry.
    pub csrf: String,
}

impl MemberAuth {
    pub fn csrf_ok(&self, state: &AppState, presented: &str) -> bool {
        state
            .config
            .keys
            .verify_csrf(&self.session.token_hash, presented)
    }
}

impl FromRequest for MemberAuth {
    type Error = SignInFirst;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let (state, session) = session_of(&req, Realm::Member, Jar::Member, "/login").await?;
            let member_id = session.member_id.ok_or(SignInFirst {
                location: "/login",
                failed: false,
            })?;
            let mut conn = database::pool::get(&state.pool)
                .await
                .map_err(|_| SignInFirst {
                    location: "/login",
                    failed: true,
                })?;
            let member = database::members::find_by_id(&mut conn, member_id)
                .await
                .map_err(|_| SignInFirst {
                    location: "/login",
                    failed: true,
                })?
                .filter(|m| m.deleted_at.is_none())
                .ok_or(SignInFirst {
                    location: "/login",
                    failed: false,
                })?;
            let csrf = state
                .config
                .keys
                .csrf_token(&session.token_hash)
                .map_err(|_| SignInFirst {
                    location: "/login",
                    failed: true,
                })?;
            Ok(MemberAuth {
                session,
                member,
                csrf,
            })
        })
    }
}

/// A signed-in partner user, with their partner.
#[derive(Debug)]
pub struct PartnerAuth {
    pub session: Session,
    pub user: PartnerUser,
    pub partner: Partner,
    pub csrf: String,
}

impl PartnerAuth {
    pub fn csrf_ok(&self, state: &AppState, presented: &str) -> bool {
        state
            .config
            .keys
            .verify_csrf(&self.session.token_hash, presented)
    }
}

impl FromRequest for PartnerAuth {
    type Error = SignInFirst;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            const LOGIN: &str = "/partner/login";
            let denied = |failed| SignInFirst {
                location: LOGIN,
                failed,
            };
            let (state, session) = session_of(&req, Realm::Partner, Jar::Partner, LOGIN).await?;
            let (Some(partner_id), Some(user_id)) = (session.partner_id, session.partner_user_id)
            else {
                return Err(denied(false));
            };
            let mut conn = database::pool::get(&state.pool)
                .await
                .map_err(|_| denied(true))?;
            let user = database::partners::find_user(&mut conn, partner_id, user_id)
                .await
                .map_err(|_| denied(true))?
                .filter(|u| u.disabled_at.is_none())
                .ok_or(denied(false))?;
            let partner = database::partners::find(&mut conn, partner_id)
                .await
                .map_err(|_| denied(true))?
                .ok_or(denied(false))?;
            let csrf = state
                .config
                .keys
                .csrf_token(&session.token_hash)
                .map_err(|_| denied(true))?;
            Ok(PartnerAuth {
                session,
                user,
                partner,
                csrf,
            })
        })
    }
}

/// Signs out: revokes the server-side session, clears the realm's cookie and goes to
/// `location` (the realm's sign-in page).
pub async fn end_session(
    state: &AppState,
    session_id: i64,
    jar: Jar,
    location: &str,
) -> HttpResponse {
    if let Err(e) = signin::sign_out(&state.pool, session_id, time::OffsetDateTime::now_utc()).await
    {
        return super::render::failure(state, &e);
    }
    let mut res = super::render::see_other(location);
    let _ = res.add_cookie(&super::cookies::removal(jar, state.secure_cookies()));
    res
}
