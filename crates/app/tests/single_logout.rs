//! Logout use cases: the rules of RP-initiated logout (who signs out at once, who is asked,
//! where the browser may go), and the notices queued for the applications of a session when
//! it ends, by logout or by the sweep.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::{app, as_person, full_sign_in};
use serde_json::Value;
use tessera_app::{
    App, Authorization, CasLogin, CasLoginRequest, CasServiceInput, ClientInput, Ctx, EndSession,
    EndSessionRequest, Outgoing, TokenRequest,
};
use tessera_domain::message::Channel;
use tessera_protocols::oauth::AuthorizeParams;
use tessera_store::testing::TestDatabase;
use tessera_store::{Applications, AuditLog};
use time::Duration;

tessera_store::on_both_databases!(
    rp_initiated_logout_signs_out_only_when_sure_and_redirects_only_where_registered,
    a_confirmed_logout_ends_the_session_and_goes_back,
    a_lapsed_session_tells_its_cas_service_when_swept,
);

const ERIKA: &str = "erika.mustermann@bank-e.example";
const CASPER_CALLBACK: &str = "https://casper.example/callback";
const CASPER_BYE: &str = "https://casper.example/bye";
const CASPER_BACKCHANNEL: &str = "https://casper.example/backchannel";
const IMAS_BYE: &str = "https://imas.example/bye";

struct Registered {
    client_id: String,
    secret: String,
}

async fn register(app: &App, db: &TestDatabase, code: &str, bye: &str) -> Registered {
    let operator = as_person(db, "operator@tessera.example").await;
    let application = {
        let mut tx = db.store.reads().await.unwrap();
        tx.application_by_code(code).await.unwrap().unwrap().id
    };
    let registered = app
        .register_oidc_client(
            &operator,
            &ClientInput {
                application_id: application,
                environment: "production".into(),
                name: format!("{code} web"),
                redirect_uris: vec![CASPER_CALLBACK.into()],
                post_logout_redirect_uris: vec![bye.into()],
                backchannel_logout_uri: (code == "CASPER").then(|| CASPER_BACKCHANNEL.into()),
                ..ClientInput::default()
            },
        )
        .await
        .unwrap();
    Registered {
        client_id: registered.client.client_id,
        secret: registered.secret.unwrap(),
    }
}

/// Erika's ID token from the code flow, in the session behind `token`.
async fn id_token(app: &App, session_token: &str, client: &Registered) -> String {
    let session = app.current_session(session_token).await.unwrap().unwrap();
    let params = AuthorizeParams {
        response_type: Some("code".into()),
        client_id: Some(client.client_id.clone()),
        redirect_uri: Some(CASPER_CALLBACK.into()),
        scope: Some("openid".into()),
        nonce: Some("n-1".into()),
        ..AuthorizeParams::default()
    };
    let Authorization::Redirect(location) = app
        .oidc_authorize(Some(&session), &params, &session.ctx(None))
        .await
        .unwrap()
    else {
        panic!("no code");
    };
    // Codes are URL-safe already: no decoding needed.
    let code = location
        .split(['?', '&'])
        .find_map(|pair| pair.strip_prefix("code="))
        .unwrap()
        .to_owned();
    let answer = app
        .oidc_token(&TokenRequest {
            grant_type: Some("authorization_code".into()),
            code: Some(code),
            redirect_uri: Some(CASPER_CALLBACK.into()),
            basic: Some((client.client_id.clone(), client.secret.clone())),
            ..TokenRequest::default()
        })
        .await
        .unwrap()
        .unwrap();
    answer.id_token.unwrap()
}

fn claims_of(jwt: &str) -> Value {
    let payload = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

/// The single logout notices queued so far, claimed as a worker would.
async fn notices(app: &App) -> Vec<Outgoing> {
    app.claim_outgoing("test", Duration::minutes(1), 100)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.channel == Channel::HttpPost)
        .collect()
}

async fn rp_initiated_logout_signs_out_only_when_sure_and_redirects_only_where_registered(
    db: &TestDatabase,
) {
    let (app, clock) = app(db);
    app.bootstrap().await.unwrap();
    app.load_demo().await.unwrap();
    let casper = register(&app, db, "CASPER", CASPER_BYE).await;
    let imas = register(&app, db, "IMAS", IMAS_BYE).await;
    let token = full_sign_in(&app, ERIKA).await;
    let hint = id_token(&app, &token, &casper).await;
    let session = app.current_session(&token).await.unwrap().unwrap();
    let ctx = session.ctx(None);
    assert_eq!(
        claims_of(&hint)["sid"],
        session.session_id.to_string(),
        "the ID token names its session"
    );
    let ask = |request: EndSessionRequest| {
        let app = app.clone();
        let session = session.clone();
        let ctx = ctx.clone();
        async move {
            app.oidc_end_session(Some(&session), &request, &ctx)
                .await
                .unwrap()
        }
    };

    // No hint: the person is asked first, even with a registered redirect URI.
    assert_eq!(
        ask(EndSessionRequest::default()).await,
        EndSession::Confirm { client: None }
    );
    assert_eq!(
        ask(EndSessionRequest {
            client_id: Some(casper.client_id.clone()),
            post_logout_redirect_uri: Some(CASPER_BYE.into()),
            ..EndSessionRequest::default()
        })
        .await,
        EndSession::Confirm {
            client: Some("CASPER web".into())
        }
    );
    // A hint issued to another client than the one named: refused, never redirected.
    assert!(matches!(
        ask(EndSessionRequest {
            id_token_hint: Some(hint.clone()),
            client_id: Some(imas.client_id.clone()),
            post_logout_redirect_uri: Some(IMAS_BYE.into()),
            ..EndSessionRequest::default()
        })
        .await,
        EndSession::ErrorPage(_)
    ));
    // A hint Tessera did not sign as it is.
    let mut parts: Vec<String> = hint.split('.').map(str::to_owned).collect();
    parts[1] = URL_SAFE_NO_PAD.encode(
        serde_json::to_vec(
            &serde_json::json!({"iss": "http://localhost:8080", "sub": "x",
            "aud": casper.client_id}),
        )
        .unwrap(),
    );
    assert!(matches!(
        ask(EndSessionRequest {
            id_token_hint: Some(parts.join(".")),
            ..EndSessionRequest::default()
        })
        .await,
        EndSession::ErrorPage(_)
    ));
    assert!(matches!(
        ask(EndSessionRequest {
            client_id: Some("nobody".into()),
            ..EndSessionRequest::default()
        })
        .await,
        EndSession::ErrorPage(_)
    ));
    assert!(
        app.current_session(&token).await.unwrap().is_some(),
        "nothing so far ended the session"
    );
    assert!(notices(&app).await.is_empty());

    // The hint of this session, expired by now, with a URI registered for another client
    // only: signed out at once, and not sent anywhere.
    clock.advance(Duration::minutes(10));
    assert_eq!(
        ask(EndSessionRequest {
            id_token_hint: Some(hint.clone()),
            post_logout_redirect_uri: Some(IMAS_BYE.into()),
            state: Some("s1".into()),
            ..EndSessionRequest::default()
        })
        .await,
        EndSession::SignedOut { redirect: None }
    );
    assert!(app.current_session(&token).await.unwrap().is_none());
    let signouts = {
        let mut tx = db.store.reads().await.unwrap();
        tx.audit_events_after(0, 10_000)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.action == "signout")
            .count()
    };
    assert_eq!(signouts, 1);

    // CASPER registered a back-channel URI: its logout token is queued, signed on delivery.
    let queued = notices(&app).await;
    assert_eq!(queued.len(), 1, "IMAS took no part, CASPER did");
    assert_eq!(queued[0].recipient, CASPER_BACKCHANNEL);
    let form = app.outgoing_form(&queued[0]).await.unwrap().unwrap();
    assert_eq!(form[0].0, "logout_token");
    let header: Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(form[0].1.split('.').next().unwrap())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(header["typ"], "logout+jwt");
    let logout = claims_of(&form[0].1);
    assert_eq!(logout["aud"], casper.client_id);
    assert_eq!(logout["sid"], claims_of(&hint)["sid"]);
    assert_eq!(logout["sub"], claims_of(&hint)["sub"]);
    assert!(logout.get("nonce").is_none());
    assert!(logout["events"]["http://schemas.openid.net/event/backchannel-logout"].is_object());

    // Nobody signed in any more: the registered URI of the hint's client, with the state.
    let again = app
        .oidc_end_session(
            None,
            &EndSessionRequest {
                id_token_hint: Some(hint.clone()),
                post_logout_redirect_uri: Some(CASPER_BYE.into()),
                state: Some("s 2".into()),
                ..EndSessionRequest::default()
            },
            &Ctx::anonymous(None),
        )
        .await
        .unwrap();
    assert_eq!(
        again,
        EndSession::SignedOut {
            redirect: Some(format!("{CASPER_BYE}?state=s%202"))
        }
    );
    // A URI that is not exactly the registered one is never followed.
    let near = app
        .oidc_end_session(
            None,
            &EndSessionRequest {
                client_id: Some(casper.client_id.clone()),
                post_logout_redirect_uri: Some(format!("{CASPER_BYE}/")),
                ..EndSessionRequest::default()
            },
            &Ctx::anonymous(None),
        )
        .await
        .unwrap();
    assert_eq!(near, EndSession::SignedOut { redirect: None });
}

async fn a_confirmed_logout_ends_the_session_and_goes_back(db: &TestDatabase) {
    let (app, _) = app(db);
    app.bootstrap().await.unwrap();
    app.load_demo().await.unwrap();
    let casper = register(&app, db, "CASPER", CASPER_BYE).await;
    let token = full_sign_in(&app, ERIKA).await;
    let _ = id_token(&app, &token, &casper).await;
    let session = app.current_session(&token).await.unwrap().unwrap();
    let request = EndSessionRequest {
        client_id: Some(casper.client_id.clone()),
        post_logout_redirect_uri: Some(CASPER_BYE.into()),
        state: Some("abc".into()),
        ..EndSessionRequest::default()
    };
    let ctx = session.ctx(None);
    assert!(matches!(
        app.oidc_end_session(Some(&session), &request, &ctx)
            .await
            .unwrap(),
        EndSession::Confirm { .. }
    ));
    assert_eq!(
        app.oidc_end_session_confirmed(Some(&session), &request, &ctx)
            .await
            .unwrap(),
        EndSession::SignedOut {
            redirect: Some(format!("{CASPER_BYE}?state=abc"))
        }
    );
    assert!(app.current_session(&token).await.unwrap().is_none());
    assert_eq!(notices(&app).await.len(), 1);
    // Ending it again (another tab) tells nobody twice.
    app.oidc_end_session_confirmed(Some(&session), &request, &ctx)
        .await
        .unwrap();
    app.sign_out(&token, &ctx).await.unwrap();
    assert!(notices(&app).await.is_empty());
}

async fn a_lapsed_session_tells_its_cas_service_when_swept(db: &TestDatabase) {
    let (app, clock) = app(db);
    app.bootstrap().await.unwrap();
    app.load_demo().await.unwrap();
    let operator = as_person(db, "operator@tessera.example").await;
    let application = {
        let mut tx = db.store.reads().await.unwrap();
        tx.application_by_code("CASPER").await.unwrap().unwrap().id
    };
    app.register_cas_service(
        &operator,
        &CasServiceInput {
            application_id: application,
            environment: "production".into(),
            name: "CASPER classic".into(),
            service_url: "https://casper.example/cas/".into(),
            match_kind: Some("prefix".into()),
            single_logout_url: Some("https://casper.example/slo".into()),
            ..CasServiceInput::default()
        },
    )
    .await
    .unwrap();
    let token = full_sign_in(&app, ERIKA).await;
    let session = app.current_session(&token).await.unwrap().unwrap();
    let CasLogin::Redirect(location) = app
        .cas_login(
            Some(&session),
            &CasLoginRequest {
                service: Some("https://casper.example/cas/home".into()),
                ..CasLoginRequest::default()
            },
            &session.ctx(None),
        )
        .await
        .unwrap()
    else {
        panic!("no ticket");
    };
    let ticket = location.split("ticket=").nth(1).unwrap().to_owned();

    // Still in use: the sweep leaves it alone.
    app.sweep(Duration::days(7)).await.unwrap();
    assert!(notices(&app).await.is_empty());

    clock.advance(Duration::minutes(31));
    let swept = app.sweep(Duration::days(7)).await.unwrap();
    assert_eq!(swept.expired_sessions, 1);
    let queued = notices(&app).await;
    assert_eq!(queued.len(), 1);
    assert_eq!(queued[0].recipient, "https://casper.example/slo");
    assert_eq!(queued[0].template, "cas-single-logout");
    let form = app.outgoing_form(&queued[0]).await.unwrap().unwrap();
    assert_eq!(form[0].0, "logoutRequest");
    assert!(
        form[0].1.contains(&format!(
            "<samlp:SessionIndex>{ticket}</samlp:SessionIndex>"
        )),
        "{}",
        form[0].1
    );
    let mut tx = db.store.reads().await.unwrap();
    let events = tx.audit_events_after(0, 10_000).await.unwrap();
    assert!(events.iter().any(|e| e.action == "session.expire"));
    // Swept again: nothing more to tell.
    drop(tx);
    app.sweep(Duration::days(7)).await.unwrap();
    assert!(notices(&app).await.is_empty());
}
