//! `GET /l/{token}`: signing in with a link from an email.

use actix_web::{web, HttpRequest, HttpResponse};
use secrecy::ExposeSecret;

use super::cookies::{self, Jar};
use super::i18n::requested_language;
use super::login::{show_login, text, MEMBER};
use super::render::{failure, see_other};
use super::AppState;
use crate::usecases::links;

/// `GET /l/{token}`: a sign-in link from an email. A live link signs the member in and
/// lands on the card's store-discount block; an expired or unknown one shows the normal
/// sign-in page with a friendly note.
pub(crate) async fn link_landing(
    req: HttpRequest,
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> HttpResponse {
    let now = time::OffsetDateTime::now_utc();
    match links::sign_in_with_link(&state.pool, &state.config.keys, &token, now).await {
        Ok(Some(landing)) => {
            let secure = state.secure_cookies();
            let mut res = see_other(&format!(
                "/portal/cards/{}/{}#store-discount",
                landing.partner_id, landing.card_id
            ));
            let token = landing.signed_in.token.expose_secret().to_owned();
            let _ = res.add_cookie(&cookies::make(
                Jar::Member,
                token,
                secure,
                Some(landing.signed_in.expires_at),
            ));
            res
        }
        Ok(None) => {
            let (lang, _) = requested_language(&req, state.secure_cookies());
            let note = Some(text(&state, lang, "note_link_expired"));
            show_login(req, state, &MEMBER, note).await
        }
        Err(e) => failure(&state, &e),
    }
}
