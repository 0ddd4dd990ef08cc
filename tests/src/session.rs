//! A partner user signed in on a client of their own, so one test can hold the
//! sessions of several users (an owner, a staff member, another partner's owner).

use reqwest::Method;

use super::html::{csrf, six_digit_code};
use super::mailbox::mail;
use super::TestServer;

/// A signed-in dashboard session: its own cookie jar and a CSRF token for its forms.
#[derive(Debug)]
pub struct PartnerSession {
    pub client: reqwest::Client,
    pub csrf: String,
    base_url: String,
}

/// Signs `email` in at `/partner/login` with the code from the dev mailbox
/// (`TALLY_ENV=dev` without SMTP).
pub async fn sign_in_partner(server: &TestServer, email: &str) -> PartnerSession {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .build()
        .unwrap();
    let url = |path: &str| server.url(path);
    let login = client.get(url("/partner/login")).send().await.unwrap();
    let login = login.text().await.unwrap();
    let res = client
        .post(url("/partner/login"))
        .form(&[("email", email), ("csrf", &csrf(&login))])
        .send()
        .await
        .unwrap();
    let code_page = res.text().await.unwrap();
    let email_html = mail(server, email, "").await.expect("a sign-in code email");
    let code = six_digit_code(&email_html).expect("a code in the email");
    let res = client
        .post(url("/partner/login/code"))
        .form(&[
            ("email", email),
            ("code", code.as_str()),
            ("csrf", csrf(&code_page).as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303, "{email} signs in");
    let home = client.get(url("/partner")).send().await.unwrap();
    assert_eq!(home.status(), 200, "{email} sees the dashboard");
    let home = home.text().await.unwrap();
    PartnerSession {
        client,
        csrf: csrf(&home),
        base_url: server.base_url.clone(),
    }
}

impl PartnerSession {
    /// A request on this session's cookies.
    pub fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.client
            .request(method, format!("{}{path}", self.base_url))
    }

    /// A GET; returns the status and the body.
    pub async fn page(&self, path: &str) -> (u16, String) {
        let res = self.request(Method::GET, path).send().await.unwrap();
        (res.status().as_u16(), res.text().await.unwrap())
    }

    /// A form POST with this session's CSRF token added; returns status and body.
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> (u16, String) {
        let mut all: Vec<(&str, &str)> = vec![("csrf", self.csrf.as_str())];
        all.extend_from_slice(fields);
        let res = self
            .request(Method::POST, path)
            .form(&all)
            .send()
            .await
            .unwrap();
        (res.status().as_u16(), res.text().await.unwrap())
    }
}
