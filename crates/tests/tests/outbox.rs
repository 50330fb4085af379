//! The outbox and its delivery, on both databases, against real receivers: an HTTP gateway
//! on loopback and aiosmtpd (a real SMTP server) started by the test.

// Test code: failing loudly is its job.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::VecDeque;
use std::path::Path;
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use tessera_app::{App, AppConfig, Clock, Ctx, NewOperator, SystemRandom};
use tessera_domain::message::{Channel, DeliveryState, NewMessage};
use tessera_notify::{
    Adapter, Adapters, DeliveryConfig, DeliveryWorker, GatewayConfig, SmtpConfig, WorkerConfig,
};
use tessera_store::AuditLog;
use tessera_store::testing::TestDatabase;
use tessera_testkit::{SmtpMode, SmtpServer};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

struct TestClock(Mutex<OffsetDateTime>);

impl TestClock {
    fn advance(&self, by: Duration) {
        *self.0.lock().unwrap() += by;
    }
}

impl Clock for TestClock {
    fn now(&self) -> OffsetDateTime {
        *self.0.lock().unwrap()
    }
}

async fn app(db: &TestDatabase) -> (App, Arc<TestClock>) {
    let clock = Arc::new(TestClock(Mutex::new(datetime!(2026-09-01 10:00 UTC))));
    let app = App::with_ports(
        db.store.clone(),
        AppConfig::new("https://id.example.org"),
        &[9; 32],
        clock.clone(),
        Arc::new(SystemRandom),
    )
    .unwrap();
    app.bootstrap().await.unwrap();
    (app, clock)
}

/// What the gateway received: the JSON body, the Authorization header, the status it gave.
type Received = (serde_json::Value, Option<String>, u16);

/// An SMS gateway on loopback that answers with the statuses it is given, then 200.
#[derive(Clone, Default)]
struct Gateway {
    answers: Arc<Mutex<VecDeque<u16>>>,
    received: Arc<Mutex<Vec<Received>>>,
}

impl Gateway {
    async fn start(answers: &[u16]) -> (Self, String) {
        let gateway = Gateway::default();
        gateway.answers.lock().unwrap().extend(answers);
        let router = axum::Router::new()
            .route("/send", post(receive))
            .with_state(gateway.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/send", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, router).await });
        (gateway, url)
    }

    fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

/// The scripted answer `HANG` never answers: the request stays in flight.
const HANG: u16 = 0;

async fn receive(State(gateway): State<Gateway>, headers: HeaderMap, body: String) -> StatusCode {
    let status = gateway.answers.lock().unwrap().pop_front().unwrap_or(200);
    let auth = headers
        .get("authorization")
        .map(|v| v.to_str().unwrap().to_owned());
    let json = serde_json::from_str(&body).unwrap();
    gateway.received.lock().unwrap().push((json, auth, status));
    if status == HANG {
        tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
    }
    StatusCode::from_u16(status).unwrap()
}

fn gateway_adapters(url: &str) -> Adapters {
    let mut config = DeliveryConfig::default();
    config.sms = "gateway".into();
    config.voice = "gateway".into();
    config.gateway = GatewayConfig {
        url: url.into(),
        headers: [("Authorization".to_owned(), "Bearer gw-secret".to_owned())].into(),
        ..config.gateway
    };
    Adapters::from_config(&config, Path::new("/nonexistent")).unwrap()
}

fn worker(app: &App, adapters: Adapters) -> DeliveryWorker {
    DeliveryWorker::new(app.clone(), adapters, WorkerConfig::default())
}

async fn queue_code(app: &App, to: &str, code: &str) -> uuid::Uuid {
    let mut tx = app.store().begin().await.unwrap();
    let message = NewMessage::new(Channel::Sms, to, "sign-in-code", "fr").secret_arg("code", code);
    let id = app.enqueue_message(&mut tx, message).await.unwrap();
    tx.commit().await.unwrap();
    id
}

tessera_store::on_both_databases!(
    a_message_whose_transaction_rolls_back_is_never_delivered,
    a_gateway_that_fails_twice_then_succeeds_delivers_exactly_once,
    a_worker_that_dies_mid_delivery_leaves_the_message_to_another,
    permanent_refusals_and_old_messages_are_given_up_and_audited,
    several_workers_deliver_each_message_once,
    operators_see_states_but_never_codes,
    email_reaches_a_real_smtp_server_in_the_recipients_language,
);

async fn a_message_whose_transaction_rolls_back_is_never_delivered(db: &TestDatabase) {
    let (app, _) = app(db).await;
    let (gateway, url) = Gateway::start(&[]).await;
    let mut tx = app.store().begin().await.unwrap();
    let message = NewMessage::new(Channel::Sms, "+33612345678", "sign-in-code", "fr")
        .secret_arg("code", "111111");
    app.enqueue_message(&mut tx, message).await.unwrap();
    tx.rollback().await.unwrap();
    assert_eq!(
        worker(&app, gateway_adapters(&url))
            .run_once()
            .await
            .unwrap(),
        0
    );
    assert!(gateway.received().is_empty());
    let view = app.outbox_view(&Ctx::system(), None, 10).await.unwrap();
    assert_eq!((view.queued, view.delivered, view.failed), (0, 0, 0));
}

async fn a_gateway_that_fails_twice_then_succeeds_delivers_exactly_once(db: &TestDatabase) {
    let (app, clock) = app(db).await;
    let (gateway, url) = Gateway::start(&[503, 500]).await;
    let worker = worker(&app, gateway_adapters(&url));
    let id = queue_code(&app, "+33612345678", "524759").await;

    assert_eq!(worker.run_once().await.unwrap(), 1);
    // Not due yet: the retry waits (5 s after the first failure, 10 s after the second).
    assert_eq!(worker.run_once().await.unwrap(), 0);
    clock.advance(Duration::seconds(7));
    assert_eq!(worker.run_once().await.unwrap(), 1);
    clock.advance(Duration::seconds(4));
    assert_eq!(worker.run_once().await.unwrap(), 0);
    clock.advance(Duration::seconds(10));
    assert_eq!(worker.run_once().await.unwrap(), 1);
    clock.advance(Duration::hours(1));
    assert_eq!(worker.run_once().await.unwrap(), 0);

    let received = gateway.received();
    let statuses: Vec<u16> = received.iter().map(|r| r.2).collect();
    assert_eq!(statuses, [503, 500, 200]);
    let (body, auth, _) = &received[2];
    assert_eq!(body["to"], "+33612345678");
    assert_eq!(body["channel"], "sms");
    assert_eq!(
        body["text"],
        "Votre code Tessera est 524759. Il expire dans 3 minutes. Ne le communiquez pas."
    );
    assert_eq!(auth.as_deref(), Some("Bearer gw-secret"));

    let view = app.outbox_view(&Ctx::system(), None, 10).await.unwrap();
    assert_eq!((view.queued, view.delivered, view.failed), (0, 1, 0));
    assert_eq!(view.items[0].attempts, 3);
    let attempts = app.outbox_attempts(&Ctx::system(), id).await.unwrap();
    let outcomes: Vec<&str> = attempts.iter().map(|a| a.outcome.as_str()).collect();
    assert_eq!(outcomes, ["error", "error", "delivered"]);
    assert_eq!(
        attempts[0].error.as_deref(),
        Some("gateway answered 503 Service Unavailable")
    );

    // A voice message goes to the same gateway, marked as voice, its code read digit by digit.
    let mut tx = app.store().begin().await.unwrap();
    let voice = NewMessage::new(Channel::Voice, "+33612345678", "sign-in-code", "en")
        .secret_arg("code", "524759");
    app.enqueue_message(&mut tx, voice).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(worker.run_once().await.unwrap(), 1);
    let (body, _, status) = gateway.received().pop().unwrap();
    assert_eq!(status, 200);
    assert_eq!(body["channel"], "voice");
    assert_eq!(
        body["text"],
        "Your Tessera code is: 5, 2, 4, 7, 5, 9. Again: 5, 2, 4, 7, 5, 9."
    );
}

async fn a_worker_that_dies_mid_delivery_leaves_the_message_to_another(db: &TestDatabase) {
    let (app, clock) = app(db).await;
    let (gateway, url) = Gateway::start(&[HANG]).await;
    let id = queue_code(&app, "+33612345678", "524759").await;

    // A worker is killed while its request to the gateway is in flight.
    let doomed = worker(&app, gateway_adapters(&url));
    let running = tokio::spawn(async move { doomed.run_once().await });
    for _ in 0..200 {
        if !gateway.received().is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert_eq!(
        gateway.received().len(),
        1,
        "the first attempt never reached the gateway"
    );
    running.abort();
    assert!(running.await.unwrap_err().is_cancelled());

    // Its claim holds until the lease runs out; then another worker delivers.
    let survivor = worker(&app, gateway_adapters(&url));
    assert_eq!(
        survivor.run_once().await.unwrap(),
        0,
        "the claim is still held"
    );
    clock.advance(Duration::seconds(61));
    assert_eq!(survivor.run_once().await.unwrap(), 1);
    let attempts = app.outbox_attempts(&Ctx::system(), id).await.unwrap();
    assert_eq!(attempts.len(), 1, "the killed worker recorded nothing");
    assert_eq!(attempts[0].attempt, 2);
    assert_eq!(attempts[0].worker, survivor.id());
    assert_eq!(attempts[0].outcome, "delivered");
    // At least once: the gateway saw the message twice (the first request may or may not
    // have reached the phone), which is the documented cost of never losing a message.
    assert_eq!(gateway.received().len(), 2);
    let view = app
        .outbox_view(&Ctx::system(), Some(DeliveryState::Delivered), 10)
        .await
        .unwrap();
    assert_eq!(view.items.len(), 1);
}

async fn permanent_refusals_and_old_messages_are_given_up_and_audited(db: &TestDatabase) {
    let (app, clock) = app(db).await;
    // A 400 for the first message, then a gateway that stays down.
    let answers: Vec<u16> = std::iter::once(400)
        .chain(std::iter::repeat_n(503, 500))
        .collect();
    let (gateway, url) = Gateway::start(&answers).await;
    let worker = worker(&app, gateway_adapters(&url));
    queue_code(&app, "+33612345678", "111111").await;
    assert_eq!(worker.run_once().await.unwrap(), 1);
    let failed = app
        .outbox_view(&Ctx::system(), Some(DeliveryState::Failed), 10)
        .await
        .unwrap();
    assert_eq!(failed.items.len(), 1, "a 400 is not retried");
    assert_eq!(
        failed.items[0].last_error.as_deref(),
        Some("gateway answered 400 Bad Request")
    );

    // A gateway that stays down: retried with growing delays until a day has passed.
    queue_code(&app, "+33612345679", "222222").await;
    let mut attempts = 0;
    loop {
        attempts += worker.run_once().await.unwrap();
        let view = app.outbox_view(&Ctx::system(), None, 10).await.unwrap();
        if view.queued == 0 {
            break;
        }
        clock.advance(Duration::minutes(31));
        assert!(attempts < 200, "never gave up");
    }
    assert!(attempts > 10, "only {attempts} attempts in a day");
    assert!(gateway.received().iter().all(|r| r.2 != 200));
    let view = app.outbox_view(&Ctx::system(), None, 10).await.unwrap();
    assert_eq!(view.failed, 2);

    let mut tx = app.store().read().await.unwrap();
    let events = tx.audit_events_after(0, 100).await.unwrap();
    let give_ups: Vec<_> = events
        .iter()
        .filter(|e| e.action == "message.give_up")
        .collect();
    assert_eq!(give_ups.len(), 2);
    assert!(
        give_ups[0].details.contains("+33******678"),
        "{}",
        give_ups[0].details
    );
    assert!(!give_ups[0].details.contains("111111"));
}

async fn several_workers_deliver_each_message_once(db: &TestDatabase) {
    let (app, _) = app(db).await;
    let (gateway, url) = Gateway::start(&[]).await;
    for n in 0..30 {
        queue_code(&app, &format!("+336123456{n:02}"), "333333").await;
    }
    let workers: Vec<_> = (0..3)
        .map(|_| {
            let worker = DeliveryWorker::new(
                app.clone(),
                gateway_adapters(&url),
                WorkerConfig {
                    batch: 4,
                    ..WorkerConfig::default()
                },
            );
            tokio::spawn(async move {
                let mut total = 0;
                loop {
                    let n = worker.run_once().await.unwrap();
                    if n == 0 {
                        break total;
                    }
                    total += n;
                }
            })
        })
        .collect();
    let mut total = 0;
    for worker in workers {
        total += worker.await.unwrap();
    }
    assert_eq!(total, 30);
    let mut recipients: Vec<String> = gateway
        .received()
        .iter()
        .map(|r| r.0["to"].as_str().unwrap().to_owned())
        .collect();
    recipients.sort();
    recipients.dedup();
    assert_eq!(recipients.len(), 30, "a message was delivered twice");
    assert_eq!(gateway.received().len(), 30);
}

async fn operators_see_states_but_never_codes(db: &TestDatabase) {
    let (app, _) = app(db).await;
    let mut input = NewOperator {
        first_name: "Olga".into(),
        last_name: "Berger".into(),
        email: "olga@tessera.example".into(),
        language: "de".into(),
        password: "Winter-Lake-1987".into(),
        confirm: None,
    };
    let operator = app
        .create_operator(input.clone(), &Ctx::system())
        .await
        .unwrap();
    queue_code(&app, "+33612345678", "987654").await;
    let as_operator = Ctx {
        actor: tessera_domain::audit::Actor::User(operator.id),
        request_id: None,
    };
    let view = app.outbox_view(&as_operator, None, 10).await.unwrap();
    assert_eq!(view.queued, 2, "the code and the operator's welcome e-mail");
    let shown = serde_json::to_string(&view).unwrap();
    assert!(!shown.contains("987654"), "{shown}");
    assert!(!shown.contains("+33612345678"), "{shown}");
    assert!(shown.contains("o***@tessera.example"), "{shown}");

    // Someone who is not an operator sees nothing.
    input.email = "hans@tessera.example".into();
    let mut tx = app.store().begin().await.unwrap();
    let root = tessera_store::Levels::root_level(&mut tx)
        .await
        .unwrap()
        .unwrap();
    let fields = tessera_domain::user::NewUser::parse(
        "Hans",
        "Meier",
        "hans@bank-e.example",
        "de",
        &["en", "fr", "de"],
    )
    .unwrap();
    let hans = fields.into_user(
        tessera_domain::UserId::new(OffsetDateTime::now_utc(), [5; 10]),
        root.id,
        tessera_domain::user::UserStatus::Active,
        None,
        OffsetDateTime::now_utc(),
    );
    tessera_store::Users::insert_user(&mut tx, &hans)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let as_user = Ctx {
        actor: tessera_domain::audit::Actor::User(hans.id),
        request_id: None,
    };
    assert!(matches!(
        app.outbox_view(&as_user, None, 10).await,
        Err(tessera_app::AppError::Forbidden)
    ));
    assert!(matches!(
        app.send_test_message(&as_user, Channel::Email, "x@bank-e.example", "en")
            .await,
        Err(tessera_app::AppError::Forbidden)
    ));
}

async fn email_reaches_a_real_smtp_server_in_the_recipients_language(db: &TestDatabase) {
    let Some(smtp) = SmtpServer::start(SmtpMode::Plain, None, None).unwrap() else {
        return;
    };
    let (app, _) = app(db).await;
    let adapters = Adapters {
        email: Adapter::Smtp(
            tessera_notify::Adapter::smtp(&SmtpConfig {
                host: "127.0.0.1".into(),
                port: smtp.port,
                security: "none".into(),
                username: String::new(),
                password: String::new(),
                from: "Tessera <no-reply@id.example.org>".into(),
                timeout_secs: 5,
                ca_file: String::new(),
            })
            .unwrap(),
        ),
        ..Adapters::console()
    };
    let worker = worker(&app, adapters);
    // Creating an operator tells them by e-mail, in their language.
    for (email, language) in [
        ("olga@tessera.example", "de"),
        ("odile@tessera.example", "fr"),
    ] {
        app.create_operator(
            NewOperator {
                first_name: "Olga".into(),
                last_name: "Berger".into(),
                email: email.into(),
                language: language.into(),
                password: "Winter-Lake-1987".into(),
                confirm: None,
            },
            &Ctx::system(),
        )
        .await
        .unwrap();
    }
    assert_eq!(worker.run_once().await.unwrap(), 2);
    let mut messages = smtp.messages();
    messages.sort();
    assert_eq!(messages.len(), 2, "{messages:?}");
    let german = messages
        .iter()
        .find(|m| m.contains("olga@tessera.example"))
        .unwrap();
    assert!(
        german.contains("Subject: Ihr Tessera-Operatorkonto"),
        "{german}"
    );
    assert!(
        german.contains("From: Tessera <no-reply@id.example.org>"),
        "{german}"
    );
    assert!(german.contains("multipart/alternative"), "{german}");
    assert!(german.contains("text/plain"), "{german}");
    assert!(german.contains("text/html"), "{german}");
    assert!(german.contains("https://id.example.org/"), "{german}");
    let french = messages
        .iter()
        .find(|m| m.contains("odile@tessera.example"))
        .unwrap();
    assert!(
        french.contains("Subject: =?utf-8?") || french.contains("Votre compte"),
        "{french}"
    );
    let view = app.outbox_view(&Ctx::system(), None, 10).await.unwrap();
    assert_eq!(view.delivered, 2);
}
