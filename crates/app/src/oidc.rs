//! OpenID Connect provider, part one: registering clients and the authorization endpoint.
//! The token and userinfo endpoints are in `oidc_tokens.rs`.

use serde_json::json;
use tessera_domain::ValidationErrors;
use tessera_domain::audit::NewAuditEvent;
use tessera_domain::session::Assurance;
use tessera_domain::setup::{token_digest, token_text};
use tessera_protocols::oauth::{
    AuthorizeParams, ClientRules, OAuthError, Refusal, validate_authorization, with_query,
};
pub use tessera_store::oidc::OidcClient;
use tessera_store::oidc::OidcCode;
use tessera_store::{Applications, AuditLog, OidcStore, SessionApplications, StoreError};
use time::Duration;
use uuid::Uuid;

use crate::app::App;
use crate::context::Ctx;
use crate::error::{AppError, AppResult};
use crate::signin::CurrentSession;

/// How long an authorization code may wait for the token endpoint.
pub const CODE_LIFETIME: Duration = Duration::seconds(60);

const DEFAULT_TOKEN_SECONDS: i64 = 300;
const TOKEN_SECONDS: std::ops::RangeInclusive<i64> = 60..=86_400;
const DEFAULT_REFRESH_SECONDS: i64 = 8 * 3600;
const REFRESH_SECONDS: std::ops::RangeInclusive<i64> = 300..=30 * 86_400;
const GRANT_TYPES: [&str; 3] = ["authorization_code", "refresh_token", "client_credentials"];

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

impl App {
    /// Registers a relying party for one application environment (operators only). The
    /// secret comes back once; only its digest is kept.
    pub async fn register_oidc_client(
        &self,
        ctx: &Ctx,
        input: &ClientInput,
    ) -> AppResult<RegisteredClient> {
        let mut errors = ValidationErrors::new();
        let (environment, name) =
            crate::applications::environment_and_name(&mut errors, &input.environment, &input.name);
        if input.redirect_uris.is_empty() {
            errors.push("redirect_uris", "required", "At least one redirect URI.");
        }
        for (field, uris) in [
            ("redirect_uris", &input.redirect_uris),
            (
                "post_logout_redirect_uris",
                &input.post_logout_redirect_uris,
            ),
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
        let Some(environment) = environment.filter(|_| errors.is_empty()) else {
            return Err(errors.into());
        };

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
        let secret = (!input.public).then(|| token_text(self.random_bytes()));
        let client = OidcClient {
            id: Uuid::now_v7(),
            client_id,
            application_id: application.id,
            environment,
            name: name.to_owned(),
            secret_digest: secret.as_deref().map(token_digest),
            redirect_uris: input.redirect_uris.clone(),
            post_logout_redirect_uris: input.post_logout_redirect_uris.clone(),
            grant_types,
            access_token_seconds,
            id_token_seconds,
            refresh_token_seconds,
            version: 1,
            created_at: now,
            updated_at: now,
        };
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
                    "environment": environment.as_str(),
                    "name": client.name,
                    "public": input.public,
                    "redirect_uris": client.redirect_uris,
                    "grant_types": client.grant_types,
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

    /// The authorization endpoint: checks the request, then issues a code for the signed-in
    /// session when it is strong enough for the application, auditing the sign-in.
    pub async fn oidc_authorize(
        &self,
        session: Option<&CurrentSession>,
        params: &AuthorizeParams,
        ctx: &Ctx,
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
                public: client.secret_digest.is_none(),
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
        let needed = asked.map_or(application.min_assurance, |a| {
            a.max(application.min_assurance)
        });
        if session.assurance < needed {
            return Ok(if valid.prompt_none {
                refuse(OAuthError::LoginRequired, "a stronger sign-in is needed")
            } else {
                Authorization::StepUp(needed)
            });
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
