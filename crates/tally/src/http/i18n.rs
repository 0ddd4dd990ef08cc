//! Page strings in the members' five languages (`templates/i18n/<lang>.json`), and how a
//! page picks its language: the `lang` query, then the language cookie, then the
//! browser's `Accept-Language`. The partner dashboard is in English.

use std::collections::HashMap;

use actix_web::HttpRequest;

use super::cookies::Jar;
use super::templates::TEMPLATE_DIR;
use crate::email::message::Language;

#[derive(Debug)]
pub struct Strings {
    by_language: HashMap<Language, serde_json::Value>,
}

impl Strings {
    pub fn load() -> Result<Strings, String> {
        let mut by_language = HashMap::new();
        for lang in Language::ALL {
            let path = format!("i18n/{}.json", lang.as_str());
            let file = TEMPLATE_DIR
                .get_file(&path)
                .ok_or_else(|| format!("missing {path}"))?;
            let value: serde_json::Value =
                serde_json::from_slice(file.contents()).map_err(|e| format!("{path}: {e}"))?;
            by_language.insert(lang, value);
        }
        Ok(Strings { by_language })
    }

    /// Every string of `lang` (falls back to English for a missing language).
    pub fn of(&self, lang: Language) -> &serde_json::Value {
        self.by_language
            .get(&lang)
            .or_else(|| self.by_language.get(&Language::En))
            .unwrap_or(&serde_json::Value::Null)
    }
}

/// The language a page before sign-in speaks, and whether the query asked to switch.
pub fn requested_language(req: &HttpRequest, secure: bool) -> (Language, bool) {
    let query = req.query_string();
    if let Some(lang) = query
        .split('&')
        .filter_map(|kv| kv.strip_prefix("lang="))
        .find_map(Language::parse)
    {
        return (lang, true);
    }
    if let Some(lang) = req
        .cookie(&Jar::Language.name(secure))
        .and_then(|c| Language::parse(c.value()))
    {
        return (lang, false);
    }
    let header = req
        .headers()
        .get("accept-language")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    (Language::from_accept_language(header), false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(value: &serde_json::Value, prefix: &str, out: &mut Vec<String>) {
        if let Some(map) = value.as_object() {
            for (k, v) in map {
                keys(v, &format!("{prefix}{k}."), out);
            }
        } else {
            out.push(prefix.trim_end_matches('.').to_owned());
        }
    }

    #[test]
    fn every_language_has_every_string_and_no_english_left_over() {
        let strings = Strings::load().unwrap();
        let mut english = Vec::new();
        keys(strings.of(Language::En), "", &mut english);
        assert!(english.len() > 20);
        for lang in Language::ALL {
            let mut have = Vec::new();
            keys(strings.of(lang), "", &mut have);
            let mut want = english.clone();
            want.sort();
            have.sort();
            assert_eq!(have, want, "{} has other keys than en", lang.as_str());
            if lang != Language::En {
                let same: Vec<_> = english
                    .iter()
                    .filter(|k| {
                        let pick = |l: Language| {
                            k.split('.')
                                .fold(strings.of(l), |v, p| &v[p])
                                .as_str()
                                .unwrap_or("")
                                .to_owned()
                        };
                        let en = pick(Language::En);
                        en.split_whitespace().count() > 2 && pick(lang) == en
                    })
                    .collect();
                assert!(
                    same.is_empty(),
                    "{} still has English text for {same:?}",
                    lang.as_str()
                );
            }
        }
    }
}
