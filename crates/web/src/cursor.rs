//! Keyset paging cursors: the last row's sort value and id, opaque to clients (base64url of a
//! small JSON array), shared by the Users page and the API.

use base64::Engine;
use uuid::Uuid;

pub fn encode(key: &str, id: Uuid) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(serde_json::json!([key, id]).to_string())
}

pub fn decode(text: &str) -> Option<(String, Uuid)> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text)
        .ok()?;
    serde_json::from_slice(&bytes).ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let id = uuid::Uuid::from_u128(7);
        assert_eq!(
            super::decode(&super::encode("müller", id)),
            Some(("müller".into(), id))
        );
        assert_eq!(super::decode("not a cursor"), None);
        assert_eq!(super::decode("W10"), None);
    }
}
