//! What the app layer's test files share: a clock the test moves, and an app on a test
//! database.

#![allow(clippy::unwrap_used, dead_code)]

use std::sync::{Arc, Mutex};

use tessera_app::{
    App, AppConfig, AppError, ClientInfo, Clock, Ctx, DEMO_PASSWORD, PasswordOutcome, SystemRandom,
};
use tessera_store::testing::TestDatabase;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

pub struct TestClock(Mutex<OffsetDateTime>);

impl TestClock {
    pub fn advance(&self, by: Duration) {
        let mut now = self.0.lock().unwrap();
        *now += by;
    }
}

impl Clock for TestClock {
    fn now(&self) -> OffsetDateTime {
        *self.0.lock().unwrap()
    }
}

pub const KEY: [u8; 32] = [7; 32];

pub fn app_on(db: &TestDatabase, clock: Arc<TestClock>, key: &[u8]) -> Result<App, AppError> {
    App::with_ports(
        db.store.clone(),
        AppConfig::new("http://localhost:8080/"),
        key,
        clock,
        Arc::new(SystemRandom),
    )
}

pub fn app(db: &TestDatabase) -> (App, Arc<TestClock>) {
    let clock = Arc::new(TestClock(Mutex::new(datetime!(2026-05-04 08:00 UTC))));
    (app_on(db, clock.clone(), &KEY).unwrap(), clock)
}

/// Signs a demo person in (password, then the SMS code from the outbox); the session token.
pub async fn full_sign_in(app: &App, email: &str) -> String {
    let ctx = Ctx::anonymous(None);
    match app
        .sign_in_with_password(email, DEMO_PASSWORD, None, ClientInfo::default(), &ctx)
        .await
        .unwrap()
    {
        PasswordOutcome::SignedIn(signed_in) => signed_in.token,
        PasswordOutcome::NeedsCode(step) => {
            let sent = app
                .claim_outgoing("test", Duration::minutes(1), 100)
                .await
                .unwrap();
            let code = sent
                .iter()
                .rev()
                .find_map(|message| message.args.get("code").cloned())
                .unwrap();
            app.verify_sign_in_code(&step.challenge, &code, None, ClientInfo::default(), &ctx)
                .await
                .unwrap()
                .token
        }
    }
}

/// The account with this address.
pub async fn person(db: &TestDatabase, email: &str) -> tessera_domain::UserId {
    let mut tx = db.store.reads().await.unwrap();
    tessera_store::Users::user_by_email_key(&mut tx, email)
        .await
        .unwrap()
        .unwrap()
        .id
}

/// Acting as the account with this address.
pub async fn as_person(db: &TestDatabase, email: &str) -> Ctx {
    Ctx {
        actor: tessera_domain::audit::Actor::User(person(db, email).await),
        request_id: None,
    }
}

/// Exchanges an authorization code at the token endpoint (it must succeed).
pub async fn exchange_code(
    app: &App,
    code: &str,
    redirect_uri: &str,
    basic: Option<(String, String)>,
) -> tessera_app::TokenResponse {
    app.oidc_token(&tessera_app::TokenRequest {
        grant_type: Some("authorization_code".into()),
        code: Some(code.to_owned()),
        redirect_uri: Some(redirect_uri.into()),
        basic,
        ..tessera_app::TokenRequest::default()
    })
    .await
    .unwrap()
    .unwrap()
}
