//! The CAPTCHA use cases on both databases: a proof of work solved here in Rust passes once;
//! a typed code passes whatever its case; a wrong answer burns the challenge; an expired one
//! is refused; the difficulty comes from the configuration; one address gets a bounded
//! number of challenges a minute; the picture's code is the one that passes.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use tessera_app::{
    App, AppConfig, AppError, CAPTCHA_FIELD, CaptchaAnswer, CaptchaChallenge, CaptchaError, Clock,
    SystemRandom,
};
use tessera_domain::captcha::{self, Difficulty};
use tessera_store::CaptchaStore;
use tessera_store::testing::TestDatabase;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

tessera_store::on_both_databases!(
    a_solved_proof_of_work_passes_once,
    a_typed_code_passes_and_a_wrong_one_burns_the_challenge,
    an_expired_challenge_is_refused,
    difficulty_and_limits_come_from_the_configuration,
    answers_that_cannot_be_judged_are_refused_clearly,
);

struct MovableClock(Mutex<OffsetDateTime>);

impl MovableClock {
    fn advance(&self, by: Duration) {
        *self.0.lock().unwrap() += by;
    }
}

impl Clock for MovableClock {
    fn now(&self) -> OffsetDateTime {
        *self.0.lock().unwrap()
    }
}

fn app_with(db: &TestDatabase, configure: impl FnOnce(&mut AppConfig)) -> (App, Arc<MovableClock>) {
    let clock = Arc::new(MovableClock(Mutex::new(datetime!(2026-05-04 08:00 UTC))));
    let mut config = AppConfig::new("http://localhost:8080");
    // Cheap for the test to solve; the default stays for the web.
    config.captcha.difficulty = Difficulty::new(10).unwrap();
    configure(&mut config);
    let app = App::with_ports(
        db.store.clone(),
        config,
        &[7; 32],
        clock.clone(),
        Arc::new(SystemRandom),
    )
    .unwrap();
    (app, clock)
}

fn solve(challenge: &CaptchaChallenge) -> String {
    let difficulty = Difficulty::new(u32::from(challenge.difficulty)).unwrap();
    captcha::solve(&challenge.nonce, difficulty, 1 << 24).expect("a solution within 2^24 tries")
}

fn answer(challenge: &CaptchaChallenge, solution: &str, code: &str) -> CaptchaAnswer {
    CaptchaAnswer {
        id: challenge.id.clone(),
        solution: solution.into(),
        code: code.into(),
    }
}

async fn a_solved_proof_of_work_passes_once(db: &TestDatabase) {
    let (app, _) = app_with(db, |_| {});
    let challenge = app.issue_captcha(None).await.unwrap();
    assert_eq!(challenge.difficulty, 10);
    assert_eq!(challenge.nonce.len(), 32);
    let solution = solve(&challenge);

    app.verify_captcha(&answer(&challenge, &solution, ""))
        .await
        .unwrap();
    assert!(matches!(
        app.verify_captcha(&answer(&challenge, &solution, "")).await,
        Err(CaptchaError::Gone)
    ));
    // Nothing left to look at or listen to either.
    assert!(matches!(
        app.captcha_picture(&challenge.id).await,
        Err(CaptchaError::Gone)
    ));

    // Another challenge's nonce: the solution of the first does not carry over (the check
    // is independent of luck: a solution that happened to fit is found and skipped).
    let other = app.issue_captcha(None).await.unwrap();
    let fits = captcha::solves(
        &other.nonce,
        Difficulty::new(u32::from(other.difficulty)).unwrap(),
        &solution,
    );
    let verdict = app.verify_captcha(&answer(&other, &solution, "")).await;
    if fits {
        verdict.unwrap();
    } else {
        assert!(matches!(verdict, Err(CaptchaError::Wrong)));
    }
}

async fn a_typed_code_passes_and_a_wrong_one_burns_the_challenge(db: &TestDatabase) {
    let (app, _) = app_with(db, |_| {});
    let challenge = app.issue_captcha(None).await.unwrap();
    let picture = app.captcha_picture(&challenge.id).await.unwrap();
    assert_eq!(picture.code.len(), captcha::CODE_LENGTH);
    assert!(picture.code.bytes().all(|b| captcha::ALPHABET.contains(&b)));
    // The same challenge always shows the same picture.
    assert_eq!(app.captcha_picture(&challenge.id).await.unwrap(), picture);

    // Typed in lower case, with a space: still the code.
    let typed = format!(
        "{} {}",
        picture.code[..3].to_ascii_lowercase(),
        &picture.code[3..]
    );
    app.verify_captcha(&answer(&challenge, "", &typed))
        .await
        .unwrap();
    assert!(matches!(
        app.verify_captcha(&answer(&challenge, "", &picture.code))
            .await,
        Err(CaptchaError::Gone)
    ));

    // A wrong code is refused and burns the challenge: the right one no longer helps, nor
    // does a right proof of work.
    let challenge = app.issue_captcha(None).await.unwrap();
    let code = app.captcha_picture(&challenge.id).await.unwrap().code;
    let wrong = if code == "AAAAAA" { "EEEEEE" } else { "AAAAAA" };
    assert!(matches!(
        app.verify_captcha(&answer(&challenge, "", wrong)).await,
        Err(CaptchaError::Wrong)
    ));
    assert!(matches!(
        app.verify_captcha(&answer(&challenge, "", &code)).await,
        Err(CaptchaError::Gone)
    ));
    let solution = solve(&challenge);
    assert!(matches!(
        app.verify_captcha(&answer(&challenge, &solution, "")).await,
        Err(CaptchaError::Gone)
    ));
    // What the store holds: the digest of the id, never the id or the code in clear.
    let mut tx = db.store.reads().await.unwrap();
    let stored = tx
        .captcha(&captcha::id_digest(&challenge.id))
        .await
        .unwrap()
        .unwrap();
    assert!(stored.consumed_at.is_some());
    assert_ne!(stored.code_digest, code);
    assert!(
        !stored
            .code_sealed
            .windows(code.len())
            .any(|w| w == code.as_bytes())
    );
}

async fn an_expired_challenge_is_refused(db: &TestDatabase) {
    let (app, clock) = app_with(db, |_| {});
    // The sweep at the end also rotates signing keys, which need to exist.
    app.bootstrap().await.unwrap();
    let challenge = app.issue_captcha(None).await.unwrap();
    assert_eq!(
        challenge.expires_at,
        datetime!(2026-05-04 08:10 UTC),
        "ten minutes"
    );
    let code = app.captcha_picture(&challenge.id).await.unwrap().code;
    let solution = solve(&challenge);
    clock.advance(Duration::minutes(10));
    assert!(matches!(
        app.captcha_picture(&challenge.id).await,
        Err(CaptchaError::Gone)
    ));
    assert!(matches!(
        app.verify_captcha(&answer(&challenge, &solution, &code))
            .await,
        Err(CaptchaError::Expired)
    ));
    // Still expired (not "used") on a second try: an expired challenge is not consumed.
    assert!(matches!(
        app.verify_captcha(&answer(&challenge, &solution, "")).await,
        Err(CaptchaError::Expired)
    ));
    // The sweep removes it a day later.
    clock.advance(Duration::days(1) + Duration::minutes(1));
    let swept = app.sweep(Duration::days(90)).await.unwrap();
    assert_eq!(swept.captchas, 1);
    assert!(matches!(
        app.verify_captcha(&answer(&challenge, &solution, "")).await,
        Err(CaptchaError::Gone)
    ));
}

async fn difficulty_and_limits_come_from_the_configuration(db: &TestDatabase) {
    let (app, clock) = app_with(db, |config| {
        config.captcha.difficulty = Difficulty::new(4).unwrap();
        config.captcha.per_address_per_minute = 3;
    });
    let address: IpAddr = "192.0.2.7".parse().unwrap();
    let neighbour: IpAddr = "192.0.2.8".parse().unwrap();
    for _ in 0..3 {
        let challenge = app.issue_captcha(Some(address)).await.unwrap();
        assert_eq!(challenge.difficulty, 4);
    }
    assert!(matches!(
        app.issue_captcha(Some(address)).await,
        Err(CaptchaError::TooMany)
    ));
    app.issue_captcha(Some(neighbour)).await.unwrap();
    app.issue_captcha(None).await.unwrap();
    clock.advance(Duration::seconds(61));
    app.issue_captcha(Some(address)).await.unwrap();

    // Difficulty 0: the proof of work is off, only the code counts.
    let (code_only, _) = app_with(db, |config| {
        config.captcha.difficulty = Difficulty::new(0).unwrap();
    });
    let challenge = code_only.issue_captcha(None).await.unwrap();
    assert_eq!(challenge.difficulty, 0);
    assert!(matches!(
        code_only.verify_captcha(&answer(&challenge, "0", "")).await,
        Err(CaptchaError::Wrong)
    ));
    let challenge = code_only.issue_captcha(None).await.unwrap();
    let code = code_only.captcha_picture(&challenge.id).await.unwrap().code;
    code_only
        .verify_captcha(&answer(&challenge, "0", &code))
        .await
        .unwrap();
}

async fn answers_that_cannot_be_judged_are_refused_clearly(db: &TestDatabase) {
    let (app, _) = app_with(db, |_| {});
    let challenge = app.issue_captcha(None).await.unwrap();
    // Nothing answered: nothing judged, the challenge stays usable.
    let missing = app
        .verify_captcha(&answer(&challenge, " ", ""))
        .await
        .unwrap_err();
    assert!(matches!(missing, CaptchaError::Missing));
    let field = missing.field_error().unwrap();
    assert_eq!(field.field, CAPTCHA_FIELD);
    assert_eq!(field.message, "Enter the code shown in the picture.");
    app.verify_captcha(&answer(&challenge, &solve(&challenge), ""))
        .await
        .unwrap();

    for id in [
        "",
        "short",
        &"x".repeat(5000),
        &format!("{}/", "a".repeat(42)),
    ] {
        let bogus = CaptchaAnswer {
            id: id.to_owned(),
            solution: "1".into(),
            code: "AEF479".into(),
        };
        assert!(matches!(
            app.verify_captcha(&bogus).await,
            Err(CaptchaError::Gone)
        ));
    }
    // A never-issued id of the right shape.
    let unknown = CaptchaAnswer {
        id: "A".repeat(43),
        solution: "1".into(),
        code: String::new(),
    };
    assert!(matches!(
        app.verify_captcha(&unknown).await,
        Err(CaptchaError::Gone)
    ));

    // Use cases that `?` it get an error at the captcha field.
    let as_app: AppError = CaptchaError::Wrong.into();
    let AppError::Invalid(errors) = as_app else {
        panic!("not a field error");
    };
    assert_eq!(
        errors.for_field(CAPTCHA_FIELD),
        Some("The code was not correct. Enter the new code.")
    );
}
