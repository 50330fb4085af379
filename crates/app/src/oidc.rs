//! OpenID Connect provider, part one: registering clients and the authorization endpoint.
//! The token and userinfo endpoints are in `oidc_tokens.rs`.

use serde_json::json;
use tessera_domain::ValidationErrors;
use tessera_domain::application::Environment;
use tessera_domain::audit::NewAuditEvent;
use tessera_domain::session::Assurance;
use tessera_domain::setup::{token_digest, token_text};
use tessera_protocols::oauth::{
    AuthorizeParams, ClientRules, OAuthError, Refusal, validate_authorization, with_query,
};
use tessera_store::oidc::OidcCode;
pub use tessera_store::oidc::{ClientAuthMethod, OidcClient};
use tessera_store::{Applications, AuditLog, OidcStore, SessionApplications, StoreError};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::app::App;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::oidc_consent::ConsentStep;
use crate::signin::CurrentSession;

/// How long an authorization code may wait for the token endpoint.
pub const CODE_LIFETIME: Duration = Duration::seconds(60);

const DEFAULT_TOKEN_SECONDS: i64 = 300;
const TOKEN_SECONDS: std::ops::RangeInclusive<i64> = 60..=86_400;
const DEFAULT_REFRESH_SECONDS: i64 = 8 * 3600;
const REFRESH_SECONDS: std::ops::RangeInclusive<i64> = 300..=30 * 86_400;
const GRANT_TYPES: [&str; 3] = ["authorization_code", "refresh_token", "client_credentials"];
/// The algorithms a client may ask its ID tokens to be signed with.
pub const ID_TOKEN_ALGS: [&str; 3] = ["ES256", "RS256", "EdDSA"];

/// What an operator fills in to register a client.
#[derive(Debug, Clone, Default)]
pub struct ClientInput {
    pub application_id: Uuid,
    /// `production` or `pre_production`.
    pub environment: String,
    pub name: String,
    pub redirect_uris: Vec<String>,
    pub post_logout_redirect_uris: Vec<String>,
    /// A public client (a browser or mobile app) gets no secret and must use PKCE.
    pub public: bool,
    pub access_token_seconds: Option<i64>,
    pub id_token_seconds: Option<i64>,
    /// `authorization_code` (always), `refresh_token`, `client_credentials` (confidential
    /// clients only); empty means `authorization_code` alone.
    pub grant_types: Vec<String>,
    /// How long a refresh token lives; eight hours when left out.
    pub refresh_token_seconds: Option<i64>,
    /// Where logout tokens are posted (OIDC Back-Channel Logout 1.0); none when left out.
    pub backchannel_logout_uri: Option<String>,
    /// `low`, `medium` or `high`: what this client needs beyond its application's minimum.
    pub min_assurance: Option<String>,
    /// A third party: each person consents before it receives their data.
    pub third_party: bool,
    /// `client_secret_basic` (the default), `client_secret_post` or `private_key_jwt` for a
    /// confidential client; `none` (or nothing) for a public one.
    pub auth_method: Option<String>,
    /// The client's public keys as a JWK Set (JSON), for `private_key_jwt`.
    pub jwks: Option<String>,
    /// `ES256` (the default), `RS256` or `EdDSA`.
    pub id_token_alg: Option<String>,
}

/// What an operator may change of a client; the application and environment stay.
#[derive(Debug, Clone)]
pub struct ClientUpdate {
    pub settings: ClientInput,
    /// The version the operator saw: a stale edit is refused.
    pub version: i64,
    /// Issue a new secret (shown once) and forget the old one.
    pub new_secret: bool,
}

/// A client just registered, with its secret: shown once, never stored.
#[derive(Debug, Clone)]
pub struct RegisteredClient {
    pub client: OidcClient,
    pub secret: Option<String>,
}

/// What the authorization endpoint should do next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Authorization {
    /// Send the browser here: the client's redirect URI with a code, or with an error.
    Redirect(String),
    /// Show an error page and never redirect (unknown client, untrusted redirect URI).
    ErrorPage(String),
    /// Nobody is signed in: sign in, then come back to the same request.
    SignIn,
    /// The session is weaker than the application needs: step up, then come back.
    StepUp(Assurance),
    /// The client wants a fresh sign-in (`prompt=login`, or `max_age` passed): sign in
    /// again, then come back to the request without asking that again.
    Reauthenticate,
    /// Ask the person to allow the client what it asks for (`oidc_consent.rs`), then answer
    /// through [`App::oidc_authorize_answered`].
    Consent(crate::oidc_consent::ConsentPrompt),
}

/// A redirect URI must be absolute and exact: https, or http only to this machine (native
/// apps and development, RFC 8252 §7.3); no fragment.
fn check_redirect_uri(uri: &str) -> bool {
    let local = ["http://localhost", "http://127.0.0.1", "http://[::1]"]
        .iter()
        .any(|prefix| {
            uri.strip_prefix(prefix)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with([':', '/']))
        });
    (uri.starts_with("https://") && uri.len() > "https://".len() || local)
        && uri.len() <= 2000
        && !uri.contains('#')
        && !uri.chars().any(|c| c.is_whitespace() || c.is_control())
}

fn lifetime(errors: &mut ValidationErrors, field: &'static str, value: Option<i64>) -> i64 {
    let value = value.unwrap_or(DEFAULT_TOKEN_SECONDS);
    if !TOKEN_SECONDS.contains(&value) {
        errors.push(field, "range", "Between 60 seconds and one day.");
    }
    value
}

/// RFC 8176 method references for the session's sign-in methods.
pub(crate) fn amr_of(methods: &[String]) -> Vec<String> {
    let mut amr: Vec<String> = methods
        .iter()
        .map(|m| {
            match m.as_str() {
                "password" => "pwd",
                "sms" => "sms",
                "voice" => "tel",
                "authenticator_app" => "otp",
                "security_key" | "passkey" => "hwk",
                other => other,
            }
            .to_owned()
        })
        .collect();
    if methods.len() > 1 {
        amr.push("mfa".into());
    }
    amr
}

/// A client's settings once checked: what registering and editing both store.
struct ClientSettings {
    environment: Environment,
    name: String,
    redirect_uris: Vec<String>,
    post_logout_redirect_uris: Vec<String>,
    grant_types: Vec<String>,
    access_token_seconds: i64,
    id_token_seconds: i64,
    refresh_token_seconds: i64,
    backchannel_logout_uri: Option<String>,
    min_assurance: Option<Assurance>,
    third_party: bool,
    auth_method: ClientAuthMethod,
    jwks: Option<String>,
    id_token_alg: String,
}

impl ClientSettings {
    fn into_client(
        self,
        client_id: String,
        application_id: Uuid,
        secret_digest: Option<String>,
        now: OffsetDateTime,
    ) -> OidcClient {
        OidcClient {
            id: Uuid::now_v7(),
            client_id,
            application_id,
            environment: self.environment,
            name: self.name,
            secret_digest,
            redirect_uris: self.redirect_uris,
            post_logout_redirect_uris: self.post_logout_redirect_uris,
            grant_types: self.grant_types,
            access_token_seconds: self.access_token_seconds,
            id_token_seconds: self.id_token_seconds,
            refresh_token_seconds: self.refresh_token_seconds,
            backchannel_logout_uri: self.backchannel_logout_uri,
            min_assurance: self.min_assurance,
            third_party: self.third_party,
            auth_method: self.auth_method,
            jwks: self.jwks,
            id_token_alg: self.id_token_alg,
            version: 1,
            created_at: now,
            updated_at: now,
        }
    }
}

/// What the audit trail keeps of a client's settings: everything but the secret.
fn audited(client: &OidcClient) -> serde_json::Value {
    json!({
        "name": client.name,
        "auth_method": client.auth_method.as_str(),
        "redirect_uris": client.redirect_uris,
        "post_logout_redirect_uris": client.post_logout_redirect_uris,
        "backchannel_logout_uri": client.backchannel_logout_uri,
        "grant_types": client.grant_types,
        "access_token_seconds": client.access_token_seconds,
        "id_token_seconds": client.id_token_seconds,
        "refresh_token_seconds": client.refresh_token_seconds,
        "min_assurance": client.min_assurance.map(Assurance::as_str),
        "third_party": client.third_party,
        "id_token_alg": client.id_token_alg,
        "jwks": client.jwks.is_some(),
    })
}

/// Checks what an operator filled in, every field at once.
fn check_client(input: &ClientInput) -> Result<ClientSettings, ValidationErrors> {
    let mut errors = ValidationErrors::new();
    let (environment, name) =
        crate::applications::environment_and_name(&mut errors, &input.environment, &input.name);
    if input.redirect_uris.is_empty() {
        errors.push("redirect_uris", "required", "At least one redirect URI.");
    }
    let backchannel: Vec<String> = input.backchannel_logout_uri.iter().cloned().collect();
    for (field, uris) in [
        ("redirect_uris", &input.redirect_uris),
        (
            "post_logout_redirect_uris",
            &input.post_logout_redirect_uris,
        ),
        ("backchannel_logout_uri", &backchannel),
    ] {
        if let Some(bad) = uris.iter().find(|u| !check_redirect_uri(u)) {
            errors.push(
                field,
                "invalid",
                format!(
                    "{bad} is not usable: an absolute https address without a fragment \
                     (http only for localhost)."
                ),
            );
        }
    }
    let access_token_seconds = lifetime(
        &mut errors,
        "access_token_seconds",
        input.access_token_seconds,
    );
    let id_token_seconds = lifetime(&mut errors, "id_token_seconds", input.id_token_seconds);
    let refresh_token_seconds = input
        .refresh_token_seconds
        .unwrap_or(DEFAULT_REFRESH_SECONDS);
    if !REFRESH_SECONDS.contains(&refresh_token_seconds) {
        errors.push(
            "refresh_token_seconds",
            "range",
            "Between five minutes and thirty days.",
        );
    }
    let auth_method = match (input.public, input.auth_method.as_deref()) {
        (true, None | Some("none")) => ClientAuthMethod::None,
        (true, Some(_)) => {
            errors.push(
                "auth_method",
                "public",
                "A public client does not authenticate: leave the method out or choose none.",
            );
            ClientAuthMethod::None
        }
        (false, None) => ClientAuthMethod::ClientSecretBasic,
        (false, Some(text)) => match ClientAuthMethod::parse(text) {
            Some(ClientAuthMethod::None) => {
                errors.push(
                    "auth_method",
                    "none",
                    "Only a public client authenticates with none: tick public instead.",
                );
                ClientAuthMethod::None
            }
            Some(method) => method,
            None => {
                errors.push(
                    "auth_method",
                    "unknown",
                    "Choose client_secret_basic, client_secret_post or private_key_jwt.",
                );
                ClientAuthMethod::ClientSecretBasic
            }
        },
    };
    let jwks = input
        .jwks
        .as_deref()
        .map(str::trim)
        .filter(|j| !j.is_empty())
        .map(str::to_owned);
    match (&jwks, auth_method) {
        (None, ClientAuthMethod::PrivateKeyJwt) => errors.push(
            "jwks",
            "required",
            "private_key_jwt needs the client's public keys (a JWK Set).",
        ),
        (Some(text), _) => {
            if let Err(why) = tessera_protocols::jwk::check_client_jwks(text) {
                errors.push("jwks", "invalid", why);
            }
        }
        (None, _) => {}
    }
    let id_token_alg = input.id_token_alg.clone().unwrap_or_else(|| "ES256".into());
    if !ID_TOKEN_ALGS.contains(&id_token_alg.as_str()) {
        errors.push(
            "id_token_alg",
            "unknown",
            "ID tokens are signed with ES256, RS256 or EdDSA.",
        );
    }
    let min_assurance = match input.min_assurance.as_deref().filter(|a| !a.is_empty()) {
        None => None,
        Some(text) => {
            let parsed = Assurance::parse(text);
            if parsed.is_none() {
                errors.push("min_assurance", "unknown", "Choose low, medium or high.");
            }
            parsed
        }
    };
    // Every client signs people in with codes; the other grants are opted into.
    let mut grant_types = vec!["authorization_code".to_owned()];
    for grant in &input.grant_types {
        if !GRANT_TYPES.contains(&grant.as_str()) {
            errors.push(
                "grant_types",
                "unknown",
                format!("{grant} is not a grant type Tessera offers."),
            );
        } else if grant == "client_credentials" && input.public {
            errors.push(
                "grant_types",
                "public",
                "A public client cannot use client credentials: it has no secret.",
            );
        } else if !grant_types.contains(grant) {
            grant_types.push(grant.clone());
        }
    }
    match environment {
        Some(environment) if errors.is_empty() => Ok(ClientSettings {
            environment,
            name: name.to_owned(),
            redirect_uris: input.redirect_uris.clone(),
            post_logout_redirect_uris: input.post_logout_redirect_uris.clone(),
            grant_types,
            access_token_seconds,
            id_token_seconds,
            refresh_token_seconds,
            backchannel_logout_uri: input.backchannel_logout_uri.clone(),
            min_assurance,
            third_party: input.third_party,
            auth_method,
            jwks,
            id_token_alg,
        }),
        _ => Err(errors),
    }
}

impl App {
    /// Registers a relying party for one application environment (operators only). The
    /// secret comes back once; only its digest is kept.
    pub async fn register_oidc_client(
        &self,
        ctx: &Ctx,
        input: &ClientInput,
    ) -> AppResult<RegisteredClient> {
        let settings = check_client(input)?;
        let mut tx = self.store().begin().await?;
        let grants = self.grants_of_actor(&mut tx, ctx.actor).await?;
        self.authorize(
            ctx.actor,
            &grants,
            tessera_domain::access::Action::ManageApplications,
        )?;
        let application = tx
            .application(input.application_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let now = self.now();
        let client_id = format!(
            "{}-{}",
            application.code.to_lowercase().replace('_', "-"),
            hex::encode(self.random_bytes::<6>())
        );
        let secret = settings
            .auth_method
            .uses_secret()
            .then(|| token_text(self.random_bytes()));
        let client = settings.into_client(
            client_id,
            application.id,
            secret.as_deref().map(token_digest),
            now,
        );
        match tx.insert_oidc_client(&client).await {
            Ok(()) => {}
            // Random ids collide only in theory; say so rather than fail obscurely.
            Err(StoreError::Conflict) => {
                return Err(AppError::Conflict(
                    "try again: the client id was taken".into(),
                ));
            }
            Err(other) => return Err(other.into()),
        }
        tx.append_audit(
            NewAuditEvent::new(now, ctx.actor, "oidc_client.create", "oidc_client")
                .target(&client.client_id)
                .request(ctx.request_id.as_deref())
                .details(&json!({
                    "application": application.code,
                    "environment": client.environment.as_str(),
                    "settings": audited(&client),
                })),
        )
        .await?;
        tx.commit().await?;
        Ok(RegisteredClient { client, secret })
    }

    /// The clients of one application (operators only).
    pub async fn oidc_clients(&self, ctx: &Ctx, application: Uuid) -> AppResult<Vec<OidcClient>> {
        let mut tx = self.store().begin().await?;
        let grants = self.grants_of_actor(&mut tx, ctx.actor).await?;
        self.authorize(
            ctx.actor,
            &grants,
            tessera_domain::access::Action::ManageApplications,
        )?;
        Ok(tx.oidc_clients_of(application).await?)
    }

    /// One client by its row id (operators only).
    pub async fn oidc_client(&self, ctx: &Ctx, id: Uuid) -> AppResult<OidcClient> {
        let mut tx = self.store().begin().await?;
        let grants = self.grants_of_actor(&mut tx, ctx.actor).await?;
        self.authorize(
            ctx.actor,
            &grants,
            tessera_domain::access::Action::ManageApplications,
        )?;
        tx.oidc_client_by_id(id).await?.ok_or(AppError::NotFound)
    }

    /// Changes a client's settings (operators only); its application, environment and
    /// client id stay. A new secret, when asked for or when the client starts using one,
    /// comes back once.
    pub async fn update_oidc_client(
        &self,
        ctx: &Ctx,
        id: Uuid,
        update: &ClientUpdate,
    ) -> AppResult<RegisteredClient> {
        let mut tx = self.store().begin().await?;
        let grants = self.grants_of_actor(&mut tx, ctx.actor).await?;
        self.authorize(
            ctx.actor,
            &grants,
            tessera_domain::access::Action::ManageApplications,
        )?;
        let current = tx.oidc_client_by_id(id).await?.ok_or(AppError::NotFound)?;
        let mut input = update.settings.clone();
        input.environment = current.environment.as_str().to_owned();
        let settings = check_client(&input)?;
        let now = self.now();
        let needs_secret = settings.auth_method.uses_secret();
        let secret = (needs_secret && (update.new_secret || current.secret_digest.is_none()))
            .then(|| token_text(self.random_bytes()));
        let secret_digest = match &secret {
            Some(secret) => Some(token_digest(secret)),
            None if needs_secret => current.secret_digest.clone(),
            None => None,
        };
        let client = OidcClient {
            id: current.id,
            version: current.version + 1,
            created_at: current.created_at,
            ..settings.into_client(
                current.client_id.clone(),
                current.application_id,
                secret_digest,
                now,
            )
        };
        if !tx.update_oidc_client(&client, update.version).await? {
            return Err(AppError::Stale);
        }
        tx.append_audit(
            NewAuditEvent::new(now, ctx.actor, "oidc_client.update", "oidc_client")
                .target(&client.client_id)
                .request(ctx.request_id.as_deref())
                .details(&json!({
                    "settings": audited(&client),
                    "new_secret": secret.is_some(),
                })),
        )
        .await?;
        tx.commit().await?;
        Ok(RegisteredClient { client, secret })
    }

    /// Deletes a client (operators only): its codes, refresh tokens and consents go with it,
    /// so nothing it was issued works any more.
    pub async fn delete_oidc_client(&self, ctx: &Ctx, id: Uuid) -> AppResult<()> {
        let mut tx = self.store().begin().await?;
        let grants = self.grants_of_actor(&mut tx, ctx.actor).await?;
        self.authorize(
            ctx.actor,
            &grants,
            tessera_domain::access::Action::ManageApplications,
        )?;
        let client = tx.oidc_client_by_id(id).await?.ok_or(AppError::NotFound)?;
        tx.delete_oidc_client(id).await?;
        tx.append_audit(
            NewAuditEvent::new(self.now(), ctx.actor, "oidc_client.delete", "oidc_client")
                .target(&client.client_id)
                .request(ctx.request_id.as_deref())
                .details(&json!({ "name": client.name })),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The authorization endpoint: checks the request, then issues a code for the signed-in
    /// session when it is strong enough for the application, auditing the sign-in.
    pub async fn oidc_authorize(
        &self,
        session: Option<&CurrentSession>,
        params: &AuthorizeParams,
        ctx: &Ctx,
    ) -> AppResult<Authorization> {
        self.authorize_request(session, params, ctx, None).await
    }

    /// The authorization endpoint, with the person's answer to the consent page when they
    /// gave one.
    pub(crate) async fn authorize_request(
        &self,
        session: Option<&CurrentSession>,
        params: &AuthorizeParams,
        ctx: &Ctx,
        consent: Option<bool>,
    ) -> AppResult<Authorization> {
        let Some(client_id) = params.client_id.as_deref() else {
            return Ok(Authorization::ErrorPage(
                "The request names no client.".into(),
            ));
        };
        let mut tx = self.store().begin().await?;
        let Some(client) = tx.oidc_client(client_id).await? else {
            return Ok(Authorization::ErrorPage(
                "No application is registered under this client id.".into(),
            ));
        };
        let valid = match validate_authorization(
            params,
            ClientRules {
                redirect_uris: &client.redirect_uris,
                public: client.auth_method == ClientAuthMethod::None,
                grant_types: &client.grant_types,
            },
        ) {
            Ok(valid) => valid,
            Err(Refusal::Page(why)) => return Ok(Authorization::ErrorPage(why)),
            Err(refusal) => {
                return Ok(refusal.location().map_or(
                    Authorization::ErrorPage("Refused.".into()),
                    Authorization::Redirect,
                ));
            }
        };
        let refuse = |error: OAuthError, description: &str| {
            Refusal::Redirect {
                redirect_uri: valid.redirect_uri.clone(),
                error,
                description: description.to_owned(),
                state: valid.state.clone(),
            }
            .location()
            .map_or(
                Authorization::ErrorPage("Refused.".into()),
                Authorization::Redirect,
            )
        };
        let application = tx
            .application(client.application_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let Some(session) = session else {
            return Ok(if valid.prompt_none {
                refuse(OAuthError::LoginRequired, "nobody is signed in")
            } else {
                Authorization::SignIn
            });
        };
        if let Some(why) = self
            .external_refusal(&mut tx, &session.user, application.id, client.environment)
            .await?
        {
            return Ok(Authorization::ErrorPage(why));
        }
        let signed_in_for = (self.now() - session.created_at).whole_seconds();
        let too_old = valid
            .max_age
            .is_some_and(|max| signed_in_for > i64::try_from(max).unwrap_or(i64::MAX));
        if valid.prompt_login || too_old {
            return Ok(if valid.prompt_none {
                refuse(OAuthError::LoginRequired, "a fresh sign-in is needed")
            } else {
                Authorization::Reauthenticate
            });
        }
        // The client may ask for more than the application's minimum (acr_values, the least
        // of the values it lists that Tessera knows), never for less.
        let asked = valid
            .acr_values
            .iter()
            .filter_map(|value| Assurance::parse(value))
            .min();
        let floor = client.min_assurance.map_or(application.min_assurance, |c| {
            c.max(application.min_assurance)
        });
        let needed = asked.map_or(floor, |a| a.max(floor));
        if session.assurance < needed {
            return Ok(if valid.prompt_none {
                refuse(OAuthError::LoginRequired, "a stronger sign-in is needed")
            } else {
                Authorization::StepUp(needed)
            });
        }
        match self
            .consent_step(
                &mut tx,
                &client,
                &application,
                session,
                &valid,
                consent,
                ctx,
            )
            .await?
        {
            ConsentStep::Go => {}
            ConsentStep::Answer(answer) => return Ok(answer),
            // The refusal is audited: its transaction is committed, no code is issued.
            ConsentStep::Refused(answer) => {
                tx.commit().await?;
                return Ok(answer);
            }
        }

        let now = self.now();
        let code = token_text(self.random_bytes());
        tx.insert_oidc_code(&OidcCode {
            code_digest: token_digest(&code),
            client: client.id,
            user_id: session.user.id,
            session_id: session.session_id,
            redirect_uri: valid.redirect_uri.clone(),
            code_challenge: valid.code_challenge.clone(),
            code_challenge_method: valid.code_challenge.as_ref().map(|_| "S256".to_owned()),
            nonce: valid.nonce.clone(),
            scope: valid.scope.clone(),
            acr: session.assurance.as_str().to_owned(),
            amr: amr_of(&session.methods),
            auth_time: session.created_at,
            created_at: now,
            expires_at: now + CODE_LIFETIME,
        })
        .await?;
        tx.note_application_use(session.session_id, application.id, client.environment, now)
            .await?;
        self.note_oidc_participant(&mut tx, session.session_id, client.id)
            .await?;
        tx.append_audit(
            NewAuditEvent::new(now, ctx.actor, "sso.signin", "application")
                .target(application.id)
                .level(session.user.level_id)
                .request(ctx.request_id.as_deref())
                .details(&json!({
                    "protocol": "oidc",
                    "application": application.code,
                    "environment": client.environment.as_str(),
                    "client_id": client.client_id,
                    "session": session.session_id,
                    "acr": session.assurance.as_str(),
                })),
        )
        .await?;
        tx.commit().await?;
        let mut answer = vec![("code", code.as_str())];
        if let Some(state) = valid.state.as_deref() {
            answer.push(("state", state));
        }
        // RFC 9207: the issuer, so a client talking to several providers can tell them apart.
        answer.push(("iss", &self.config().public_url));
        Ok(Authorization::Redirect(with_query(
            &valid.redirect_uri,
            &answer,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_uris_are_https_or_local_without_fragments() {
        assert!(check_redirect_uri("https://casper.example/cb"));
        assert!(check_redirect_uri("http://127.0.0.1:8123/cb"));
        assert!(check_redirect_uri("http://localhost/cb"));
        assert!(!check_redirect_uri("http://localhost.evil.example/cb"));
        assert!(!check_redirect_uri("http://casper.example/cb"));
        assert!(!check_redirect_uri("https://casper.example/cb#x"));
        assert!(!check_redirect_uri("https://"));
        assert!(!check_redirect_uri("https://a.example/ b"));
    }

    #[test]
    fn methods_become_rfc_8176_references() {
        assert_eq!(amr_of(&["password".into()]), ["pwd"]);
        assert_eq!(
            amr_of(&["password".into(), "sms".into()]),
            ["pwd", "sms", "mfa"]
        );
    }
}
