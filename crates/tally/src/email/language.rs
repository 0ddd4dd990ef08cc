//! The languages members read Tally in, and choosing one from a browser's
//! `Accept-Language`.

use serde::{Deserialize, Serialize};

/// The languages members read Tally in (emails and portal).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    #[default]
    En,
    Nl,
    De,
    Fr,
    Es,
}

impl Language {
    /// Every language, English first.
    pub const ALL: [Language; 5] = [
        Language::En,
        Language::Nl,
        Language::De,
        Language::Fr,
        Language::Es,
    ];

    /// The ISO 639-1 code: `"en"`, `"nl"`, `"de"`, `"fr"`, `"es"`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Language::En => "en",
            Language::Nl => "nl",
            Language::De => "de",
            Language::Fr => "fr",
            Language::Es => "es",
        }
    }

    /// Reads a language tag in any case, ignoring the region: `"nl"`, `"NL"`, `"nl-BE"`,
    /// `"de_AT"`. `None` for languages Tally does not speak.
    pub fn parse(tag: &str) -> Option<Language> {
        let primary = tag.trim().split(['-', '_']).next().unwrap_or_default();
        Language::ALL
            .into_iter()
            .find(|lang| lang.as_str().eq_ignore_ascii_case(primary))
    }

    /// The best language for an `Accept-Language` header such as
    /// `"fr-CH, fr;q=0.9, en;q=0.8, *;q=0.5"`: the supported language with the highest
    /// quality (the earliest on a tie), ignoring `q=0`; English when none matches.
    pub fn from_accept_language(header: &str) -> Language {
        let mut best: Option<(u16, Language)> = None;
        for item in header.split(',') {
            let mut parts = item.split(';');
            let Some(lang) = parts.next().and_then(Language::parse) else {
                continue;
            };
            let quality = parts
                .find_map(|param| {
                    let (key, value) = param.split_once('=')?;
                    key.trim()
                        .eq_ignore_ascii_case("q")
                        .then(|| quality_in_thousandths(value.trim()))
                })
                .unwrap_or(Some(1000));
            let Some(quality) = quality.filter(|q| *q > 0) else {
                continue;
            };
            if best.is_none_or(|(q, _)| quality > q) {
                best = Some((quality, lang));
            }
        }
        best.map_or(Language::En, |(_, lang)| lang)
    }

    /// The language's name in itself, for a language switcher: `"Nederlands"`.
    pub fn native_name(&self) -> &'static str {
        match self {
            Language::En => "English",
            Language::Nl => "Nederlands",
            Language::De => "Deutsch",
            Language::Fr => "Français",
            Language::Es => "Español",
        }
    }
}

impl std::fmt::Display for Language {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An HTTP quality value (`1`, `0.8`, `0.125`, at most three decimals) in thousandths,
/// or `None` when malformed.
fn quality_in_thousandths(text: &str) -> Option<u16> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if fraction.len() > 3 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let thousandths: u16 = format!("{fraction:0<3}").parse().ok()?;
    match whole {
        "0" => Some(thousandths),
        "1" if thousandths == 0 => Some(1000),
        _ => None,
    }
}
