//! The store contract of CAPTCHA challenges, on SQLite and on PostgreSQL alike: kept by the
//! digest of their id, consumed once and only while live, counted per client, swept.

// Test code: failing loudly is its job.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use tessera_domain::captcha::{CaptchaKind, Difficulty};
use tessera_store::captcha::StoredCaptcha;
use tessera_store::housekeeping::SweepBefore;
use tessera_store::testing::TestDatabase;
use tessera_store::{CaptchaStore, Housekeeping};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

tessera_store::on_both_databases!(
    a_challenge_reads_back_as_stored,
    a_challenge_is_consumed_once_and_only_while_live,
    concurrent_consumers_get_it_once,
    issues_are_counted_per_client_and_expired_ones_swept,
);

const T0: OffsetDateTime = datetime!(2026-03-01 09:00:00 UTC);

fn challenge(n: u8, client: Option<&str>, created_at: OffsetDateTime) -> StoredCaptcha {
    StoredCaptcha {
        id_digest: format!("{n:064x}"),
        kind: if n.is_multiple_of(2) {
            CaptchaKind::ProofOfWorkOrCode
        } else {
            CaptchaKind::CodeOnly
        },
        nonce: format!("{n:032x}"),
        difficulty: Difficulty::new(u32::from(n % 33)).unwrap(),
        code_digest: format!("{:064x}", u32::from(n) + 1000),
        code_sealed: vec![n, 0, 255, 7],
        client_key: client.map(str::to_owned),
        created_at,
        expires_at: created_at + Duration::minutes(10),
        consumed_at: None,
    }
}

async fn a_challenge_reads_back_as_stored(db: &TestDatabase) {
    let first = challenge(18, Some("client-a"), T0);
    let second = challenge(3, None, T0);
    let mut tx = db.store.begin().await.unwrap();
    tx.insert_captcha(&first).await.unwrap();
    tx.insert_captcha(&second).await.unwrap();
    tx.commit().await.unwrap();

    let mut tx = db.store.begin().await.unwrap();
    assert_eq!(
        tx.captcha(&first.id_digest).await.unwrap(),
        Some(first.clone())
    );
    assert_eq!(tx.captcha(&second.id_digest).await.unwrap(), Some(second));
    assert_eq!(tx.captcha("unknown").await.unwrap(), None);
    // The same id twice is a conflict, never a second challenge.
    assert!(tx.insert_captcha(&first).await.is_err());
}

async fn a_challenge_is_consumed_once_and_only_while_live(db: &TestDatabase) {
    let live = challenge(2, None, T0);
    let old = challenge(4, None, T0 - Duration::minutes(30));
    let mut tx = db.store.begin().await.unwrap();
    tx.insert_captcha(&live).await.unwrap();
    tx.insert_captcha(&old).await.unwrap();
    tx.commit().await.unwrap();

    let now = T0 + Duration::minutes(1);
    let mut tx = db.store.begin().await.unwrap();
    let taken = tx
        .consume_captcha(&live.id_digest, now)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(taken.consumed_at, Some(now));
    assert_eq!(taken.code_digest, live.code_digest);
    assert_eq!(
        tx.consume_captcha(&live.id_digest, now).await.unwrap(),
        None
    );
    // Expired: not consumed, and left as it was.
    assert_eq!(tx.consume_captcha(&old.id_digest, now).await.unwrap(), None);
    assert_eq!(
        tx.captcha(&old.id_digest)
            .await
            .unwrap()
            .unwrap()
            .consumed_at,
        None
    );
    assert_eq!(tx.consume_captcha("unknown", now).await.unwrap(), None);
    tx.commit().await.unwrap();

    // Exactly at its expiry a challenge is over.
    let edge = challenge(6, None, T0);
    let mut tx = db.store.begin().await.unwrap();
    tx.insert_captcha(&edge).await.unwrap();
    assert_eq!(
        tx.consume_captcha(&edge.id_digest, edge.expires_at)
            .await
            .unwrap(),
        None
    );
    tx.commit().await.unwrap();

    let mut tx = db.store.begin().await.unwrap();
    let seen = tx.captcha(&live.id_digest).await.unwrap().unwrap();
    assert_eq!(seen.consumed_at, Some(now));
}

async fn concurrent_consumers_get_it_once(db: &TestDatabase) {
    let shared = challenge(8, None, T0);
    let mut tx = db.store.begin().await.unwrap();
    tx.insert_captcha(&shared).await.unwrap();
    tx.commit().await.unwrap();

    // As two nodes would: each in its own transaction, at the same moment.
    let now = T0 + Duration::seconds(5);
    let attempts = (0..4).map(|_| {
        let store = db.store.clone();
        let digest = shared.id_digest.clone();
        tokio::spawn(async move {
            let mut tx = store.begin().await.unwrap();
            let taken = tx.consume_captcha(&digest, now).await.unwrap();
            tx.commit().await.unwrap();
            taken.is_some()
        })
    });
    let mut winners = 0;
    for attempt in attempts.collect::<Vec<_>>() {
        if attempt.await.unwrap() {
            winners += 1;
        }
    }
    assert_eq!(winners, 1);
}

async fn issues_are_counted_per_client_and_expired_ones_swept(db: &TestDatabase) {
    let mut tx = db.store.begin().await.unwrap();
    for (n, seconds) in [(10u8, 0i64), (12, 30), (14, 50), (16, 59)] {
        tx.insert_captcha(&challenge(n, Some("a"), T0 + Duration::seconds(seconds)))
            .await
            .unwrap();
    }
    tx.insert_captcha(&challenge(20, Some("b"), T0))
        .await
        .unwrap();
    tx.insert_captcha(&challenge(22, None, T0)).await.unwrap();
    tx.commit().await.unwrap();

    let mut tx = db.store.begin().await.unwrap();
    assert_eq!(
        tx.captchas_issued_since("a", T0 - Duration::seconds(1))
            .await
            .unwrap(),
        4
    );
    assert_eq!(
        tx.captchas_issued_since("a", T0 + Duration::seconds(40))
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        tx.captchas_issued_since("b", T0 - Duration::seconds(1))
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        tx.captchas_issued_since("c", T0 - Duration::seconds(1))
            .await
            .unwrap(),
        0
    );

    // Challenges expire ten minutes after T0 (and up to a minute later); the sweep takes
    // those that expired before its time, used or not.
    let late = challenge(24, None, T0 + Duration::hours(1));
    tx.insert_captcha(&late).await.unwrap();
    tx.consume_captcha(&late.id_digest, T0 + Duration::hours(1))
        .await
        .unwrap()
        .unwrap();
    let at = T0 + Duration::minutes(11);
    let swept = tx
        .sweep(
            SweepBefore {
                sessions: at,
                expired: at,
                failures: at,
                messages: at,
            },
            at,
        )
        .await
        .unwrap();
    assert_eq!(swept.captchas, 6);
    assert!(tx.captcha(&late.id_digest).await.unwrap().is_some());
    assert_eq!(tx.delete_expired_captchas(at).await.unwrap(), 0);
    assert_eq!(
        tx.delete_expired_captchas(T0 + Duration::hours(2))
            .await
            .unwrap(),
        1
    );
}
