//! Security keys and passkeys (WebAuthn) through webauthn-rs: the relying party, and the
//! ceremonies of registering a key and of signing in with one.
//!
//! Ceremony state and credentials cross this module as JSON text, so the store keeps them as
//! plain columns and nothing outside this module depends on webauthn-rs types.

use webauthn_rs::prelude::{
    AuthenticationResult, CreationChallengeResponse, DiscoverableAuthentication, Passkey,
    PasskeyAuthentication, PasskeyRegistration, PublicKeyCredential, RegisterPublicKeyCredential,
    RequestChallengeResponse, Url, Uuid, Webauthn, WebauthnBuilder,
};
use webauthn_rs_proto::ResidentKeyRequirement;

#[derive(Debug, thiserror::Error)]
pub enum PasskeyError {
    /// The public address cannot be a WebAuthn relying party (an IP address, say).
    #[error("security keys cannot be used at {0}: {1}")]
    Setup(String, String),
    /// The browser's answer did not check out (wrong origin, signature, challenge...).
    #[error("the security key's answer was not accepted: {0}")]
    Refused(String),
    /// The browser sent something that is not a WebAuthn answer.
    #[error("the security key's answer could not be read: {0}")]
    Malformed(String),
    #[error("stored security key data could not be read: {0}")]
    Stored(String),
}

/// A key just registered: its credential id (unique across all accounts) and what to keep.
#[derive(Debug, Clone)]
pub struct NewKey {
    pub credential_id: Vec<u8>,
    pub passkey: String,
}

/// A key that answered a sign-in ceremony.
#[derive(Debug, Clone)]
pub struct KeyUsed {
    pub credential_id: Vec<u8>,
    /// The key checked its PIN or biometric as well as presence.
    pub user_verified: bool,
    /// The stored key with its new signature counter, when it changed.
    pub updated_passkey: Option<String>,
}

/// Tessera as a WebAuthn relying party.
pub struct Passkeys {
    webauthn: Webauthn,
}

fn json<T: serde::Serialize>(value: &T) -> Result<String, PasskeyError> {
    serde_json::to_string(value).map_err(|e| PasskeyError::Stored(e.to_string()))
}

fn stored<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, PasskeyError> {
    serde_json::from_str(text).map_err(|e| PasskeyError::Stored(e.to_string()))
}

fn answer<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, PasskeyError> {
    serde_json::from_str(text).map_err(|e| PasskeyError::Malformed(e.to_string()))
}

fn refused(error: impl std::fmt::Display) -> PasskeyError {
    PasskeyError::Refused(error.to_string())
}

impl Passkeys {
    /// The relying party for the address people reach Tessera at: its host is the relying
    /// party id, so keys registered there work on every node behind that address.
    pub fn new(public_url: &str, name: &str) -> Result<Self, PasskeyError> {
        let setup = |e: String| PasskeyError::Setup(public_url.to_owned(), e);
        let origin = Url::parse(public_url).map_err(|e| setup(e.to_string()))?;
        let host = origin
            .host_str()
            .ok_or_else(|| setup("the address has no host name".into()))?
            .to_owned();
        let webauthn = WebauthnBuilder::new(&host, &origin)
            .map_err(|e| setup(e.to_string()))?
            .rp_name(name)
            .build()
            .map_err(|e| setup(e.to_string()))?;
        Ok(Self { webauthn })
    }

    /// Options for the browser to create a key, and the state to keep until it answers. The
    /// key is asked to be discoverable, so it can later sign in without an e-mail address.
    pub fn start_registration(
        &self,
        user_handle: Uuid,
        email: &str,
        display_name: &str,
        existing: &[String],
    ) -> Result<(serde_json::Value, String), PasskeyError> {
        let exclude = existing
            .iter()
            .map(|text| stored::<Passkey>(text).map(|key| key.cred_id().clone()))
            .collect::<Result<Vec<_>, _>>()?;
        let (mut options, state): (CreationChallengeResponse, PasskeyRegistration) = self
            .webauthn
            .start_passkey_registration(user_handle, email, display_name, Some(exclude))
            .map_err(refused)?;
        if let Some(selection) = options.public_key.authenticator_selection.as_mut() {
            selection.resident_key = Some(ResidentKeyRequirement::Preferred);
        }
        let options =
            serde_json::to_value(&options).map_err(|e| PasskeyError::Stored(e.to_string()))?;
        Ok((options, json(&state)?))
    }

    /// Checks the browser's answer to a registration.
    pub fn finish_registration(&self, response: &str, state: &str) -> Result<NewKey, PasskeyError> {
        let response: RegisterPublicKeyCredential = answer(response)?;
        let state: PasskeyRegistration = stored(state)?;
        let key = self
            .webauthn
            .finish_passkey_registration(&response, &state)
            .map_err(refused)?;
        Ok(NewKey {
            credential_id: key.cred_id().clone(),
            passkey: json(&key)?,
        })
    }

    /// Options to sign in with one of these keys (a second factor after the password).
    pub fn start_authentication(
        &self,
        keys: &[String],
    ) -> Result<(serde_json::Value, String), PasskeyError> {
        let keys = keys
            .iter()
            .map(|text| stored::<Passkey>(text))
            .collect::<Result<Vec<_>, _>>()?;
        let (options, state): (RequestChallengeResponse, PasskeyAuthentication) = self
            .webauthn
            .start_passkey_authentication(&keys)
            .map_err(refused)?;
        let options =
            serde_json::to_value(&options).map_err(|e| PasskeyError::Stored(e.to_string()))?;
        Ok((options, json(&state)?))
    }

    /// The credential id of an answer, to find the stored key it belongs to.
    pub fn credential_of(&self, response: &str) -> Result<Vec<u8>, PasskeyError> {
        let response: PublicKeyCredential = answer(response)?;
        Ok(response.get_credential_id().to_vec())
    }

    /// Checks an answer to [`Self::start_authentication`] made with the stored key `key`.
    pub fn finish_authentication(
        &self,
        response: &str,
        state: &str,
        key: &str,
    ) -> Result<KeyUsed, PasskeyError> {
        let response: PublicKeyCredential = answer(response)?;
        let state: PasskeyAuthentication = stored(state)?;
        let result = self
            .webauthn
            .finish_passkey_authentication(&response, &state)
            .map_err(refused)?;
        used(result, key)
    }

    /// Options to sign in with a passkey alone: the browser offers the person's passkeys for
    /// this site, so no e-mail address is typed.
    pub fn start_discoverable(&self) -> Result<(serde_json::Value, String), PasskeyError> {
        let (options, state): (RequestChallengeResponse, DiscoverableAuthentication) = self
            .webauthn
            .start_discoverable_authentication()
            .map_err(refused)?;
        let options =
            serde_json::to_value(&options).map_err(|e| PasskeyError::Stored(e.to_string()))?;
        Ok((options, json(&state)?))
    }

    /// Who a passkey answer claims to be: the user handle and the credential id.
    pub fn identify(&self, response: &str) -> Result<(Uuid, Vec<u8>), PasskeyError> {
        let response: PublicKeyCredential = answer(response)?;
        let (handle, credential) = self
            .webauthn
            .identify_discoverable_authentication(&response)
            .map_err(refused)?;
        Ok((handle, credential.to_vec()))
    }

    /// Checks an answer to [`Self::start_discoverable`] against the stored key it named.
    pub fn finish_discoverable(
        &self,
        response: &str,
        state: &str,
        key: &str,
    ) -> Result<KeyUsed, PasskeyError> {
        let response: PublicKeyCredential = answer(response)?;
        let state: DiscoverableAuthentication = stored(state)?;
        let passkey: Passkey = stored(key)?;
        let result = self
            .webauthn
            .finish_discoverable_authentication_v2(&response, state, &passkey)
            .map_err(refused)?;
        used(result, key)
    }
}

fn used(result: AuthenticationResult, key: &str) -> Result<KeyUsed, PasskeyError> {
    let mut passkey: Passkey = stored(key)?;
    if passkey.cred_id() != result.cred_id() {
        return Err(PasskeyError::Refused("another key answered".into()));
    }
    let updated_passkey = match passkey.update_credential(&result) {
        Some(true) => Some(json(&passkey)?),
        _ => None,
    };
    Ok(KeyUsed {
        credential_id: result.cred_id().clone(),
        user_verified: result.user_verified(),
        updated_passkey,
    })
}
