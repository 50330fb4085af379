//! Phone numbers: international format, checked against the numbering plan of their country
//! (libphonenumber's rules, through the phonenumber crate), kept as E.164 (`+4915123456789`).

use phonenumber::Mode;

use crate::error::FieldError;

/// Validates a phone number typed by a person and gives it in E.164.
pub fn phone_number(field: &'static str, raw: &str) -> Result<String, FieldError> {
    let typed = raw.trim();
    let error = |code: &'static str, message: &str| FieldError {
        field,
        code,
        message: message.into(),
    };
    if typed.is_empty() {
        return Err(error("required", "Enter a phone number."));
    }
    let compact: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && !"-./()".contains(*c))
        .collect();
    let international = if let Some(rest) = compact.strip_prefix("00") {
        format!("+{rest}")
    } else {
        compact
    };
    if !international.starts_with('+') {
        return Err(error(
            "not_international",
            "Enter the number in international format: + and the country code first (for example +49 151 2345 6789), not a national number.",
        ));
    }
    let number = phonenumber::parse(None, &international).map_err(|_| {
        error(
            "invalid",
            "This is not a phone number: use + and the country code, then the number (for example +49 151 2345 6789).",
        )
    })?;
    if !phonenumber::is_valid(&number) {
        return Err(error(
            "invalid",
            "This number does not exist in its country's numbering plan. Check the country code and the digits.",
        ));
    }
    Ok(number.format().mode(Mode::E164).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_kept_in_e164() {
        assert_eq!(
            phone_number("phone", " +49 151 2345 6789 ").unwrap(),
            "+4915123456789"
        );
        assert_eq!(
            phone_number("phone", "0033 6 12 34 56 78").unwrap(),
            "+33612345678"
        );
        assert_eq!(
            phone_number("phone", "+353 (85) 123-4567").unwrap(),
            "+353851234567"
        );
    }

    #[test]
    fn national_and_impossible_numbers_say_what_is_wrong() {
        let national = phone_number("phone", "0151 2345 6789").unwrap_err();
        assert_eq!(
            (national.field, national.code),
            ("phone", "not_international")
        );
        assert!(national.message.contains("international format"));
        assert_eq!(phone_number("phone", "").unwrap_err().code, "required");
        assert_eq!(phone_number("phone", "+49 1").unwrap_err().code, "invalid");
        assert_eq!(phone_number("phone", "+hello").unwrap_err().code, "invalid");
    }
}
