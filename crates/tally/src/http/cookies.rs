//! Cookies: HttpOnly, SameSite=Lax, and `Secure` with the `__Host-` prefix when Tally is
//! served over HTTPS (`PUBLIC_BASE_URL` starts with https).

use actix_web::cookie::{time::OffsetDateTime as CookieTime, Cookie, SameSite};

/// The cookies Tally sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Jar {
    /// The member session.
    Member,
    /// The partner-user session (a separate realm).
    Partner,
    /// A random value that binds sign-in forms (CSRF) before there is a session.
    PreSession,
    /// The language chosen before sign-in.
    Language,
}

impl Jar {
    fn base(self) -> &'static str {
        match self {
            Jar::Member => "tally-member",
            Jar::Partner => "tally-partner",
            Jar::PreSession => "tally-pre",
            Jar::Language => "tally-lang",
        }
    }

    /// The cookie's name: with the `__Host-` prefix when secure.
    pub fn name(self, secure: bool) -> String {
        if secure {
            format!("__Host-{}", self.base())
        } else {
            self.base().to_owned()
        }
    }
}

/// A cookie for `jar`, until `expires` (a session cookie when `None`).
pub fn make(jar: Jar, value: String, secure: bool, expires: Option<CookieTime>) -> Cookie<'static> {
    let mut cookie = Cookie::build(jar.name(secure), value)
        .path("/")
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Lax)
        .finish();
    if let Some(at) = expires {
        cookie.set_expires(at);
    }
    cookie
}

/// A cookie that removes `jar`'s cookie.
pub fn removal(jar: Jar, secure: bool) -> Cookie<'static> {
    let mut cookie = make(jar, String::new(), secure, None);
    cookie.make_removal();
    cookie
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secure_cookies_use_the_host_prefix_and_all_are_http_only_and_lax() {
        let c = make(Jar::Member, "v".into(), true, None);
        assert_eq!(c.name(), "__Host-tally-member");
        assert_eq!(c.secure(), Some(true));
        assert_eq!(c.http_only(), Some(true));
        assert_eq!(c.same_site(), Some(SameSite::Lax));
        assert_eq!(c.path(), Some("/"));
        let plain = make(Jar::Partner, "v".into(), false, None);
        assert_eq!(plain.name(), "tally-partner");
        assert_eq!(plain.secure(), Some(false));
    }
}
