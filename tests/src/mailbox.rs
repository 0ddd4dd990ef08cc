//! The dev mailbox (`/dev/mailbox`, dev mode without SMTP) as a test reads it: the
//! newest email to an address, its sign-in code, and signing a member in with it.

use super::html::{csrf, six_digit_code};
use super::TestServer;

/// The newest email to `to` whose subject contains `subject` ("" for any), as HTML.
pub async fn mail(server: &TestServer, to: &str, subject: &str) -> Option<String> {
    let (status, list) = server.page("/dev/mailbox").await;
    assert_eq!(status, 200, "the dev mailbox (TALLY_ENV=dev, no SMTP_URL)");
    let row = list
        .split("<tr>")
        .find(|row| row.contains(&format!("<td>{to}</td>")) && row.contains(subject))?;
    let start = row.find("href=\"/dev/mailbox/")? + "href=\"".len();
    let end = row[start..].find('"')? + start;
    Some(server.page(&row[start..end]).await.1)
}

/// The six-digit code in the newest email to `to`.
pub async fn code_for(server: &TestServer, to: &str) -> Option<String> {
    six_digit_code(&mail(server, to, "").await?)
}

/// Signs the member `email` in at `/login` with the code from the mailbox (the session
/// cookie stays on the server's client).
pub async fn sign_in_member(server: &TestServer, email: &str) {
    let (_, login) = server.page("/login").await;
    let res = server
        .post_form("/login", &[("email", email), ("csrf", &csrf(&login))])
        .await;
    let code_page = res.text().await.unwrap();
    let code = code_for(server, email).await.expect("a sign-in code");
    let res = server
        .post_form(
            "/login/code",
            &[
                ("email", email),
                ("code", &code),
                ("csrf", &csrf(&code_page)),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/portal");
}
