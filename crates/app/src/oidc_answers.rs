//! What the OpenID Connect machine endpoints keep for a moment (the rules are in `fresh.rs`):
//! clients by `client_id`, for every request that authenticates one, and what an access token
//! stands for, for introspection and userinfo.

use std::sync::Arc;

use tessera_domain::UserId;
use tessera_domain::user::UserStatus;
use tessera_store::oidc::OidcClient;
use tessera_store::{OidcStore, Tx, Users};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::app::App;
use crate::error::AppResult;
use crate::fresh::{Fresh, KEEP_FOR};
use crate::oidc_introspect::Introspection;
use crate::oidc_tokens::{UserInfo, session_open};

/// The kept answers, one set per app.
#[derive(Default)]
pub(crate) struct Answers {
    /// Registered clients by `client_id`. Unknown ids are not kept: anyone can make them up.
    clients: Fresh<String, Arc<OidcClient>>,
    /// Introspection of live access tokens, by the token itself (so only the very string
    /// whose signature was checked finds the answer).
    introspections: Fresh<String, Introspection>,
    /// Userinfo of live access tokens, by the token itself.
    userinfos: Fresh<String, UserInfo>,
    /// Whether a person's sign-in still holds, by person and session.
    sign_ins: Fresh<(UserId, Uuid), SignIn>,
}

/// Where a sign-in stands, for tokens that came from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SignIn {
    Holds,
    /// The account is gone, or cannot sign in now (suspended, locked, expired).
    AccountUnusable,
    /// The single sign-on session was ended (signed out, or ended by someone).
    SessionEnded,
}

/// Where a cached answer may be found, and under which count it would be kept.
pub(crate) struct Lookup {
    pub changes: u64,
    pub now: OffsetDateTime,
}

impl App {
    /// The count of committed changes and the time, read before any database read whose
    /// answer is to be kept.
    pub(crate) fn lookup(&self) -> Lookup {
        Lookup {
            changes: self.store().changes().current(),
            now: self.now(),
        }
    }

    /// The client registered as `client_id`, as read at most [`KEEP_FOR`] ago.
    pub(crate) async fn client_named(&self, client_id: &str) -> AppResult<Option<Arc<OidcClient>>> {
        let at = self.lookup();
        if let Some(client) = self.answers().clients.get(client_id, at.changes, at.now) {
            return Ok(Some(client));
        }
        let mut tx = self.store().reads().await?;
        self.read_client(&mut tx, client_id, &at).await
    }

    /// The same through a connection the caller holds already (taking a second one from the
    /// pool while holding one could wait forever when every request does it at once).
    pub(crate) async fn client_named_on(
        &self,
        tx: &mut Tx,
        client_id: &str,
    ) -> AppResult<Option<Arc<OidcClient>>> {
        let at = self.lookup();
        if let Some(client) = self.answers().clients.get(client_id, at.changes, at.now) {
            return Ok(Some(client));
        }
        self.read_client(tx, client_id, &at).await
    }

    async fn read_client(
        &self,
        tx: &mut Tx,
        client_id: &str,
        at: &Lookup,
    ) -> AppResult<Option<Arc<OidcClient>>> {
        let Some(client) = tx.oidc_client(client_id).await?.map(Arc::new) else {
            return Ok(None);
        };
        self.answers().clients.put(
            client_id.to_owned(),
            Arc::clone(&client),
            at.changes,
            at.now,
            at.now + KEEP_FOR,
        );
        Ok(Some(client))
    }

    /// Where `user`'s sign-in of `session` stands, as read at most [`KEEP_FOR`] ago; read
    /// through `tx` when it is not kept.
    pub(crate) async fn sign_in(
        &self,
        tx: &mut Tx,
        user: UserId,
        session: Uuid,
    ) -> AppResult<SignIn> {
        let at = self.lookup();
        let key = (user, session);
        if let Some(state) = self.answers().sign_ins.get(&key, at.changes, at.now) {
            return Ok(state);
        }
        let state = match tx.user(user).await? {
            Some(person) if person.effective_status(at.now) == UserStatus::Active => {
                if session_open(tx, &person, session).await? {
                    SignIn::Holds
                } else {
                    SignIn::SessionEnded
                }
            }
            _ => SignIn::AccountUnusable,
        };
        self.answers()
            .sign_ins
            .put(key, state, at.changes, at.now, at.now + KEEP_FOR);
        Ok(state)
    }

    pub(crate) fn kept_introspection(&self, token: &str, at: &Lookup) -> Option<Introspection> {
        self.answers().introspections.get(token, at.changes, at.now)
    }

    /// Keeps an active access token's introspection, no longer than the token lives.
    pub(crate) fn keep_introspection(&self, token: &str, answer: &Introspection, at: &Lookup) {
        if let Some(until) = answer
            .exp
            .and_then(|exp| OffsetDateTime::from_unix_timestamp(exp).ok())
        {
            self.answers().introspections.put(
                token.to_owned(),
                answer.clone(),
                at.changes,
                at.now,
                until,
            );
        }
    }

    pub(crate) fn kept_userinfo(&self, token: &str, at: &Lookup) -> Option<UserInfo> {
        self.answers().userinfos.get(token, at.changes, at.now)
    }

    /// Keeps a token's userinfo until `exp` (the token's), at most [`KEEP_FOR`].
    pub(crate) fn keep_userinfo(&self, token: &str, answer: &UserInfo, exp: i64, at: &Lookup) {
        if let Ok(until) = OffsetDateTime::from_unix_timestamp(exp) {
            self.answers().userinfos.put(
                token.to_owned(),
                answer.clone(),
                at.changes,
                at.now,
                until,
            );
        }
    }
}
