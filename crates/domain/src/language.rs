//! The languages of pages and messages: every folder of `locales/` (found by the build
//! script, so adding a folder is all it takes).

include!(concat!(env!("OUT_DIR"), "/languages.rs"));

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_comes_first_and_french_and_german_are_there() {
        assert_eq!(LANGUAGES.first(), Some(&"en"));
        assert!(LANGUAGES.contains(&"fr") && LANGUAGES.contains(&"de"));
    }
}
