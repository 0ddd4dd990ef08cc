//! Turns a payload into a subject, an HTML body and a plain-text body in the member's
//! language, from the embedded templates under `templates/email/`.
//!
//! Layout: `email/<kind>/<lang>.subject.txt`, `<lang>.html` and `<lang>.txt` for every
//! kind and language; `email/layout.html` (the page around every HTML body),
//! `email/macros.html` (button, code box), `email/loop/<lang>.{html,txt}` (balance and
//! store discount) and `email/footer/<lang>.{html,txt}` (why you get this, opt-out).
//! Only `.html` templates are HTML-escaped; subjects and text bodies are plain text.
//! Numbers, money and dates arrive in the context already formatted (see
//! [`crate::email::format`]); templates only choose words.

use include_dir::Dir;

use crate::http::templates::TEMPLATE_DIR;
use tera::{Context, Tera};

use crate::email::format::{format_date, format_money, format_points};
use crate::email::message::{
    CouponEmail, EmailKind, EmailPayload, Envelope, Language, PointsLoop, Realm, SignInCodeEmail,
};

/// The email templates (`templates/email/`), embedded with the pages.
fn email_dir() -> &'static Dir<'static> {
    static EMPTY: Dir<'static> = Dir::new("email", &[]);
    TEMPLATE_DIR.get_dir("email").unwrap_or(&EMPTY)
}

/// A rendered email, ready for a transport.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// One line, no markup.
    pub subject: String,
    pub html: String,
    pub text: String,
}

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("could not render the {kind} email in {language}: {source}")]
    Template {
        kind: EmailKind,
        language: Language,
        #[source]
        source: tera::Error,
    },
}

/// Renders every kind of email in every language. Build it once at start-up.
#[derive(Debug)]
pub struct EmailRenderer {
    tera: Tera,
}

impl EmailRenderer {
    /// Parses the embedded templates and checks that every kind has a subject, an HTML
    /// and a text template in every language.
    pub fn load() -> Result<EmailRenderer, tera::Error> {
        let mut files = Vec::new();
        collect(email_dir(), &mut files);
        let mut tera = Tera::default();
        tera.autoescape_on(vec![".html"]);
        tera.set_escape_fn(escape_html);
        tera.add_raw_templates(files)?;
        for kind in EmailKind::ALL {
            for lang in Language::ALL {
                for part in Part::ALL {
                    let name = part.template(kind, lang);
                    if !tera.get_template_names().any(|n| n == name) {
                        return Err(tera::Error::msg(format!("missing email template {name}")));
                    }
                }
            }
        }
        Ok(EmailRenderer { tera })
    }

    /// Renders `payload` in `envelope.language`, with the opt-out footer when
    /// `envelope.unsubscribe_url` is given (not on sign-in codes).
    pub fn render(
        &self,
        payload: &EmailPayload,
        envelope: &Envelope,
    ) -> Result<Rendered, RenderError> {
        let kind = payload.kind();
        let lang = envelope.language;
        let failed = |source| RenderError::Template {
            kind,
            language: lang,
            source,
        };
        let mut context = context_for(payload, lang);
        context.insert("lang", lang.as_str());
        context.insert("unsubscribe_url", &envelope.unsubscribe_url);

        let subject = self
            .tera
            .render(&Part::Subject.template(kind, lang), &context)
            .map_err(failed)?;
        let subject = one_line(&subject);
        context.insert("subject", &subject);
        let html = self
            .tera
            .render(&Part::Html.template(kind, lang), &context)
            .map_err(failed)?;
        let text = self
            .tera
            .render(&Part::Text.template(kind, lang), &context)
            .map_err(failed)?;
        Ok(Rendered {
            subject,
            html: tidy(&html),
            text: tidy(&text),
        })
    }
}

#[derive(Clone, Copy)]
enum Part {
    Subject,
    Html,
    Text,
}

impl Part {
    const ALL: [Part; 3] = [Part::Subject, Part::Html, Part::Text];

    fn template(self, kind: EmailKind, lang: Language) -> String {
        let suffix = match self {
            Part::Subject => "subject.txt",
            Part::Html => "html",
            Part::Text => "txt",
        };
        format!("email/{}/{}.{suffix}", kind.as_str(), lang.as_str())
    }
}

/// Every `.html` and `.txt` file, named by its path under `templates/`
/// (`email/welcome/nl.html`), whichever folder the directory was embedded from.
fn collect(dir: &'static Dir<'static>, out: &mut Vec<(String, &'static str)>) {
    for file in dir.files() {
        let path = file.path().to_string_lossy().replace('\\', "/");
        let name = if path.starts_with("email/") {
            path
        } else {
            format!("email/{path}")
        };
        if name.ends_with(".html") || name.ends_with(".txt") {
            if let Some(text) = file.contents_utf8() {
                out.push((name, text));
            }
        }
    }
    for sub in dir.dirs() {
        collect(sub, out);
    }
}

/// Escapes text for HTML element content and quoted attributes. Unlike tera's default
/// it leaves `/` alone, so links read as written.
fn escape_html(input: &str) -> String {
    let mut out = String::with_capacity(input.len() + input.len() / 8);
    for c in input.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            _ => out.push(c),
        }
    }
    out
}

/// Line breaks and runs of ASCII spaces become one space; no-break spaces (French
/// `1 200`, `code :`) stay.
fn one_line(text: &str) -> String {
    text.split(|c: char| c.is_ascii_whitespace())
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Trailing spaces dropped, runs of blank lines cut to one, one final newline.
fn tidy(rendered: &str) -> String {
    let mut out = String::with_capacity(rendered.len());
    let mut blank_run = 0;
    for line in rendered.trim().lines() {
        let line = line.trim_end();
        if line.is_empty() {
            blank_run += 1;
            if blank_run > 1 {
                continue;
            }
        } else {
            blank_run = 0;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// Points formatted for reading, with the raw count for choosing singular or plural
/// (`{{ balance_count | pluralize(singular="punt", plural="punten") }}`).
fn insert_points(context: &mut Context, key: &str, points: i64, lang: Language) {
    context.insert(key, &format_points(points, lang));
    context.insert(format!("{key}_count"), &points);
}

fn context_for(payload: &EmailPayload, lang: Language) -> Context {
    let mut context = Context::new();
    match payload {
        EmailPayload::SignInCode(email) => sign_in_code(&mut context, email),
        EmailPayload::Welcome(email) => {
            common(&mut context, &email.business_name, &email.member_name);
            context.insert("card_name", &email.card_name);
            insert_points(&mut context, "points_earned", email.points_earned, lang);
            insert_points(&mut context, "welcome_bonus", email.welcome_bonus, lang);
            context.insert("order_reference", &email.order_reference);
            context.insert("sign_in_url", &email.sign_in_url);
            points_loop(&mut context, &email.loop_, lang);
        }
        EmailPayload::Points(email) => {
            common(&mut context, &email.business_name, &email.member_name);
            context.insert("card_name", &email.card_name);
            insert_points(&mut context, "points_earned", email.points_earned, lang);
            context.insert("order_reference", &email.order_reference);
            points_loop(&mut context, &email.loop_, lang);
        }
        EmailPayload::Coupon(email) => coupon(&mut context, email, lang),
        EmailPayload::Invitation(email) => {
            context.insert("business_name", &email.business_name);
            context.insert("invited_by", &email.invited_by);
            context.insert("owner", &(email.role == "owner"));
            context.insert("address", &email.address);
            context.insert("sign_in_url", &email.sign_in_url);
        }
    }
    context
}

fn common(context: &mut Context, business_name: &str, member_name: &str) {
    context.insert("business_name", business_name);
    context.insert("member_name", member_name.trim());
}

fn sign_in_code(context: &mut Context, email: &SignInCodeEmail) {
    context.insert("code", &email.code);
    context.insert("minutes_valid", &email.minutes_valid);
    context.insert("partner", &(email.realm == Realm::Partner));
    context.insert("sender_name", &email.sender_name);
}

fn coupon(context: &mut Context, email: &CouponEmail, lang: Language) {
    common(context, &email.business_name, &email.member_name);
    context.insert("code", &email.code.to_uppercase());
    context.insert(
        "amount",
        &format_money(&email.amount, &email.currency, lang),
    );
    context.insert("expires_on", &format_date(&email.expires_on, lang));
    insert_points(context, "points", email.points, lang);
    context.insert("store_url", &email.store_url);
}

/// The loop's keys: `balance` (+ `_count`); with a store discount `balance_value`,
/// `min_value` and, below the minimum, `points_to_go` (+ `_count`); `redeem_url`.
fn points_loop(context: &mut Context, points: &PointsLoop, lang: Language) {
    insert_points(context, "balance", points.balance, lang);
    let none: Option<&str> = None;
    context.insert("balance_value", &none);
    context.insert("min_value", &none);
    context.insert("points_to_go", &none);
    if let Some(discount) = &points.discount {
        let money = |amount: &str| format_money(amount, &discount.currency, lang);
        context.insert("balance_value", &money(&discount.balance_value));
        context.insert("min_value", &money(&discount.min_value));
        if let Some(to_go) = discount.points_to_go.filter(|n| *n > 0) {
            insert_points(context, "points_to_go", to_go, lang);
        }
    }
    context.insert("redeem_url", &points.redeem_url);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_covers_markup_and_quotes_but_not_slashes() {
        assert_eq!(
            escape_html(r#"Ann <b>&"'/"#),
            "Ann &lt;b&gt;&amp;&quot;&#x27;/"
        );
    }

    #[test]
    fn subjects_become_one_line_and_keep_no_break_spaces() {
        assert_eq!(
            one_line("  Bonus :\n 1\u{202F}200\tpoints \r\n"),
            "Bonus : 1\u{202F}200 points"
        );
    }

    #[test]
    fn tidy_trims_and_squeezes_blank_lines() {
        assert_eq!(tidy("\n\n a  \n\n\n\nb\n  \n"), "a\n\nb\n");
    }
}
