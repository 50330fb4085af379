//! Message texts, from the Fluent files of `locales/<language>/` (at the repository's root), in the recipient's language
//! with English as fallback. Adding a language is adding a folder of `.ftl` files.
//!
//! Fluent's Unicode isolation marks are turned off: they would show up as stray characters
//! in e-mail and SMS text.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader};
use tessera_domain::message::{Channel, message_language};

fluent_templates::static_loader! {
    static LOCALES = {
        locales: "../../locales",
        fallback_language: "en",
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// The languages messages are written in.
pub const LANGUAGES: &[&str] = tessera_domain::language::LANGUAGES;

/// A message ready for an adapter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// The e-mail subject (also a title for spooled messages).
    pub subject: String,
    /// Plain text: the e-mail's text part, or the SMS or voice message.
    pub text: String,
    /// A simple HTML part for e-mail, with no remote resources.
    pub html: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("there is no message text '{0}'")]
    Unknown(String),
}

/// Renders a template for a channel in a language (English when it has no texts there).
pub fn render(
    channel: Channel,
    template: &str,
    language: &str,
    args: &BTreeMap<String, String>,
) -> Result<Rendered, TextError> {
    let language = message_language(language, LANGUAGES);
    let lang: LanguageIdentifier = language
        .parse()
        .map_err(|_| TextError::Unknown(format!("{template} ({language})")))?;
    let values: HashMap<Cow<'static, str>, FluentValue<'_>> = args
        .iter()
        .map(|(name, value)| {
            let value = if channel == Channel::Voice && name == "code" {
                // Voice messages read codes digit by digit.
                spell_digits(value)
            } else {
                value.clone()
            };
            (Cow::Owned(name.clone()), FluentValue::from(value))
        })
        .collect();
    let lookup = |suffix: &str| {
        LOCALES.try_lookup_with_args(&lang, &format!("{template}-{suffix}"), &values)
    };
    let subject =
        lookup("subject").ok_or_else(|| TextError::Unknown(format!("{template}-subject")))?;
    let body = match channel {
        Channel::Email => lookup("body"),
        Channel::Sms => lookup("sms").or_else(|| lookup("body")),
        Channel::Voice => lookup("voice").or_else(|| lookup("body")),
        // Posted forms are made by the app (single logout), not from texts.
        Channel::HttpPost => None,
    }
    .ok_or_else(|| TextError::Unknown(format!("{template}-body")))?;
    let text = body.trim().to_owned();
    Ok(Rendered {
        html: html_part(&subject, &text, language),
        subject,
        text,
    })
}

/// `524759` becomes `5, 2, 4, 7, 5, 9`.
fn spell_digits(code: &str) -> String {
    code.chars()
        .filter(|c| !c.is_whitespace())
        .map(String::from)
        .collect::<Vec<_>>()
        .join(", ")
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// The text as simple HTML: paragraphs, escaped, inline style only, nothing fetched.
fn html_part(subject: &str, text: &str, language: &str) -> String {
    let paragraphs: String = text
        .split("\n\n")
        .map(|p| format!("<p>{}</p>\n", escape(p.trim()).replace('\n', "<br>\n")))
        .collect();
    format!(
        "<!DOCTYPE html>\n<html lang=\"{language}\">\n<head><meta charset=\"utf-8\"><title>{}</title></head>\n\
         <body style=\"font-family: sans-serif; line-height: 1.5; color: #1b2430;\">\n{paragraphs}</body>\n</html>\n",
        escape(subject)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn every_template_exists_in_every_language_and_channel_without_isolation_marks() {
        let values = args(&[
            ("name", "Ζωή Παπαδοπούλου"),
            ("email", "zoe@bank-f.example"),
            ("url", "https://id.example.org/"),
            ("channel", "sms"),
            ("code", "524759"),
            ("link", "https://id.example.org/signin/reset/abc"),
            ("signin", "https://id.example.org/signin"),
            ("reset", "https://id.example.org/signin/reset"),
        ]);
        for template in [
            "registration-verify",
            "registration-notice",
            "operator-created",
            "test-message",
            "sign-in-code",
            "password-changed",
            "phone-confirmation",
            "invitation",
            "password-reset",
        ] {
            for language in LANGUAGES {
                for channel in Channel::ALL {
                    let rendered = render(channel, template, language, &values).unwrap();
                    for text in [&rendered.subject, &rendered.text, &rendered.html] {
                        assert!(
                            !text.contains('\u{2068}') && !text.contains('\u{2069}'),
                            "{text:?}"
                        );
                        assert!(!text.contains('{'), "unfilled placeholder: {text}");
                    }
                }
            }
        }
    }

    #[test]
    fn every_folder_is_a_language_with_every_english_text() {
        // A language is a folder of .ftl files; one that is not listed would never be used,
        // and one missing a text would send that message in English.
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../locales");
        let keys_of = |language: &str| -> Vec<String> {
            let mut keys = Vec::new();
            for file in std::fs::read_dir(root.join(language)).unwrap() {
                let text = std::fs::read_to_string(file.unwrap().path()).unwrap();
                keys.extend(
                    text.lines()
                        .filter(|l| !l.starts_with([' ', '#', '.']) && l.contains(" ="))
                        .filter_map(|l| l.split(" =").next().map(str::to_owned)),
                );
            }
            keys
        };
        let mut folders: Vec<String> = std::fs::read_dir(&root)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        folders.sort();
        let mut listed: Vec<String> = LANGUAGES.iter().map(|l| (*l).to_owned()).collect();
        listed.sort();
        assert_eq!(
            folders, listed,
            "LANGUAGES must name every folder of locales/"
        );
        let english = keys_of("en");
        assert!(english.len() > 10);
        for language in LANGUAGES {
            let keys = keys_of(language);
            for key in &english {
                assert!(keys.contains(key), "{language} has no text {key}");
            }
        }
    }

    #[test]
    fn texts_follow_the_language_with_english_as_fallback() {
        let values = args(&[("code", "524759")]);
        let text = |language| {
            render(Channel::Sms, "sign-in-code", language, &values)
                .unwrap()
                .text
        };
        assert_eq!(
            text("en"),
            "Your Tessera code is 524759. It expires in 3 minutes. Do not share it."
        );
        assert!(
            text("fr").starts_with("Votre code Tessera est 524759."),
            "{}",
            text("fr")
        );
        assert!(
            text("de").starts_with("Ihr Tessera-Code lautet 524759."),
            "{}",
            text("de")
        );
        assert_eq!(text("el"), text("en"));
    }

    #[test]
    fn voice_reads_codes_digit_by_digit() {
        let rendered = render(
            Channel::Voice,
            "sign-in-code",
            "en",
            &args(&[("code", "524759")]),
        )
        .unwrap();
        assert_eq!(
            rendered.text,
            "Your Tessera code is: 5, 2, 4, 7, 5, 9. Again: 5, 2, 4, 7, 5, 9."
        );
    }

    #[test]
    fn html_is_escaped_and_self_contained() {
        let values = args(&[
            ("name", "<script>alert(1)</script>"),
            ("email", "a@b.example"),
            ("url", "https://id.example.org/"),
        ]);
        let rendered = render(Channel::Email, "operator-created", "en", &values).unwrap();
        assert!(rendered.html.contains("&lt;script&gt;"));
        assert!(!rendered.html.contains("<script>"));
        assert!(!rendered.html.contains("src="));
        assert!(rendered.html.contains("<p>"));
        assert_eq!(rendered.subject, "Your Tessera operator account");
        assert!(
            rendered.text.contains("\n\n"),
            "paragraphs are kept: {:?}",
            rendered.text
        );
        assert_eq!(
            render(Channel::Email, "no-such-text", "en", &values),
            Err(TextError::Unknown("no-such-text-subject".into()))
        );
    }
}
