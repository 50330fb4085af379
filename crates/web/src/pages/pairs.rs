//! Forms and queries whose fields repeat (checkboxes sharing a name), read as name-value
//! pairs in the order the browser sent them.

use serde::Deserialize;

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(transparent)]
pub struct Pairs(pub Vec<(String, String)>);

impl Pairs {
    /// The first value of a field, or "" when it was not sent.
    pub fn first(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// Every value of a field, in order.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

impl crate::csrf::CsrfProtected for Pairs {
    fn csrf_token(&self) -> &str {
        self.first("csrf")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_fields_keep_every_value() {
        let uri: axum::http::Uri = "/x?csrf=t&add=a&add=b&search=casper".parse().unwrap();
        let axum::extract::Query(pairs) =
            axum::extract::Query::<Pairs>::try_from_uri(&uri).unwrap();
        assert_eq!(pairs.first("csrf"), "t");
        assert_eq!(pairs.all("add").collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(pairs.first("missing"), "");
    }
}
