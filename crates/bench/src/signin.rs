//! The `signin` scenario: full sign-ins (e-mail, password, SMS code) against the release
//! binary with the demo data, by several clients at once, for a fixed time; beside it, in the
//! same run, the bound set by Argon2id alone: how many password hashes per second the machine
//! computes on as many threads as it has cores. Every sign-in verifies one password, so that
//! rate is the most sign-ins a second could reach.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use argon2::password_hash::PasswordHasher;
use argon2::{Algorithm, Argon2, Params, Version};

use crate::report::{Samples, table};

type BenchError = Box<dyn std::error::Error + Send + Sync>;

/// The demo accounts (one per client, so that codes never cross) and their phones.
const ACCOUNTS: &[(&str, &str)] = &[
    ("operator@tessera.example", "+4915550100001"),
    ("erika.mustermann@bank-e.example", "+4915550100002"),
    ("pierre.dupont@bank-e.example", "+3361550100003"),
    ("fiona.walsh@bank-f.example", "+35385550100004"),
    ("zoe.papadopoulou@bank-f.example", "+306955010005"),
];
const PASSWORD: &str = "Tessera-Demo-2026";

#[derive(Default)]
struct Timings {
    identifier: Vec<f64>,
    password: Vec<f64>,
    code_delivery: Vec<f64>,
    code: Vec<f64>,
    whole: Vec<f64>,
}

pub fn run(tessera: &Path, clients: usize, seconds: u64) -> Result<String, BenchError> {
    let clients = clients.clamp(1, ACCOUNTS.len());
    let cores = std::thread::available_parallelism().map_or(2, usize::from);
    let bound = argon2_rate(cores, Duration::from_secs(seconds.min(10)))?;

    let data = tempfile::tempdir()?;
    let spool = data.path().join("spool");
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let mut server = start(tessera, data.path(), &spool, port)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let outcome = runtime.block_on(drive(port, &spool, clients, Duration::from_secs(seconds)));
    let _ = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status();
    let _ = server.wait();
    let (count, elapsed, timings) = outcome?;

    let rate = count as f64 / elapsed;
    let mut out = format!(
        "signin: {clients} clients for {seconds} s against the release binary (SQLite, demo data, SMS to a spool folder)\n"
    );
    out.push_str(&format!(
        "full sign-ins: {count} in {elapsed:.1} s = {rate:.1}/s; Argon2id alone on {cores} threads: {bound:.1} hashes/s; ratio {:.0}%\n\n",
        100.0 * rate / bound
    ));
    let rows = [
        Samples::new("step 1: e-mail address", "ms", timings.identifier),
        Samples::new(
            "step 2: password (hash, code queued)",
            "ms",
            timings.password,
        ),
        Samples::new(
            "code delivered (spool) after step 2",
            "ms",
            timings.code_delivery,
        ),
        Samples::new("step 3: code, session opened", "ms", timings.code),
        Samples::new("whole sign-in", "ms", timings.whole),
    ];
    let refs: Vec<(&Samples, Option<&Samples>)> = rows.iter().map(|r| (r, None)).collect();
    out.push_str(&table("latency of each step (p50 is the median)", &refs));
    Ok(out)
}

/// Password hashes per second with `threads` threads hashing for `span`.
fn argon2_rate(threads: usize, span: Duration) -> Result<f64, BenchError> {
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let workers: Vec<_> = (0..threads)
        .map(|_| {
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || {
                let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::default());
                let mut done = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    if argon.hash_password(PASSWORD.as_bytes()).is_ok() {
                        done += 1;
                    }
                }
                done
            })
        })
        .collect();
    std::thread::sleep(span);
    stop.store(true, Ordering::Relaxed);
    let mut total = 0;
    for worker in workers {
        total += worker.join().map_err(|_| "an Argon2 thread failed")?;
    }
    Ok(total as f64 / started.elapsed().as_secs_f64())
}

fn start(tessera: &Path, data: &Path, spool: &Path, port: u16) -> Result<Child, BenchError> {
    let mut child = Command::new(tessera)
        .args([
            "serve",
            "--demo",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--data-dir",
        ])
        .arg(data)
        .env("TESSERA_LOG__LEVEL", "warn")
        .env("TESSERA_DELIVERY__SMS", "spool")
        .env("TESSERA_DELIVERY__SPOOL__DIR", spool)
        .env("TESSERA_SIGNIN__PER_ADDRESS_PER_MINUTE", "1000000")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    for _ in 0..800 {
        if let Some(status) = child.try_wait()? {
            return Err(format!("tessera exited with {status}").into());
        }
        if crate::startup::ready(port) {
            return Ok(child);
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    let _ = child.kill();
    Err("tessera did not start".into())
}

async fn drive(
    port: u16,
    spool: &Path,
    clients: usize,
    span: Duration,
) -> Result<(usize, f64, Timings), BenchError> {
    let base = format!("http://127.0.0.1:{port}");
    let started = Instant::now();
    let deadline = started + span;
    let mut tasks = Vec::new();
    for (email, phone) in ACCOUNTS.iter().take(clients) {
        let base = base.clone();
        let spool = spool.to_path_buf();
        tasks.push(tokio::spawn(async move {
            client_loop(&base, &spool, email, phone, deadline).await
        }));
    }
    let mut timings = Timings::default();
    let mut count = 0;
    for task in tasks {
        let (n, t) = task.await??;
        count += n;
        timings.identifier.extend(t.identifier);
        timings.password.extend(t.password);
        timings.code_delivery.extend(t.code_delivery);
        timings.code.extend(t.code);
        timings.whole.extend(t.whole);
    }
    Ok((count, started.elapsed().as_secs_f64(), timings))
}

fn ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1000.0
}

async fn client_loop(
    base: &str,
    spool: &Path,
    email: &str,
    phone: &str,
    deadline: Instant,
) -> Result<(usize, Timings), BenchError> {
    let mut timings = Timings::default();
    let mut count = 0;
    let mut seen: Vec<PathBuf> = Vec::new();
    while Instant::now() < deadline {
        let jar = Arc::new(reqwest::cookie::Jar::default());
        let http = reqwest::Client::builder()
            .cookie_provider(Arc::clone(&jar))
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        let whole = Instant::now();
        http.get(format!("{base}/signin?change=1")).send().await?;
        let url: reqwest::Url = base.parse()?;
        let csrf = reqwest::cookie::CookieStore::cookies(jar.as_ref(), &url)
            .and_then(|h| h.to_str().ok().map(str::to_owned))
            .and_then(|h| {
                h.split("; ")
                    .find_map(|p| p.strip_prefix("tessera_csrf=").map(str::to_owned))
            })
            .ok_or("no CSRF cookie")?;

        let step = Instant::now();
        let answer = http
            .post(format!("{base}/signin"))
            .form(&[("csrf", csrf.as_str()), ("email", email)])
            .send()
            .await?;
        expect(&answer, "/signin/password")?;
        timings.identifier.push(ms(step));

        let step = Instant::now();
        let answer = http
            .post(format!("{base}/signin/password"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("email", email),
                ("password", PASSWORD),
            ])
            .send()
            .await?;
        expect(&answer, "/signin/code")?;
        timings.password.push(ms(step));

        let step = Instant::now();
        let code = wait_for_code(spool, phone, &mut seen).await?;
        timings.code_delivery.push(ms(step));

        let step = Instant::now();
        let answer = http
            .post(format!("{base}/signin/code"))
            .form(&[("csrf", csrf.as_str()), ("code", code.as_str())])
            .send()
            .await?;
        expect(&answer, "/account")?;
        timings.code.push(ms(step));
        timings.whole.push(ms(whole));
        count += 1;
    }
    Ok((count, timings))
}

fn expect(answer: &reqwest::Response, location: &str) -> Result<(), BenchError> {
    let got = answer
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if answer.status().as_u16() == 303 && got == location {
        Ok(())
    } else {
        Err(format!(
            "expected 303 to {location}, got {} to {got:?}",
            answer.status()
        )
        .into())
    }
}

/// Waits for a spooled SMS to `phone` not seen before, and reads its code. Each file is read
/// once per client (names already judged are skipped), so the client's own work stays small
/// beside the server's: it shares the machine's cores.
async fn wait_for_code(
    spool: &Path,
    phone: &str,
    seen: &mut Vec<PathBuf>,
) -> Result<String, BenchError> {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(10) {
        if let Ok(entries) = std::fs::read_dir(spool) {
            for entry in entries.flatten() {
                let path = entry.path();
                let name = path.file_name().and_then(|n| n.to_str()).unwrap_or(".");
                if name.starts_with('.') || !name.ends_with(".json") || seen.contains(&path) {
                    continue;
                }
                let Ok(text) = std::fs::read_to_string(&path) else {
                    continue;
                };
                let Ok(message) = serde_json::from_str::<serde_json::Value>(&text) else {
                    continue;
                };
                seen.push(path.clone());
                if seen.len() > 4096 {
                    seen.drain(..2048);
                }
                if message["recipient"] != phone {
                    continue;
                }
                let _ = std::fs::remove_file(&path);
                let digits: String = message["text"]
                    .as_str()
                    .unwrap_or("")
                    .chars()
                    .filter(char::is_ascii_digit)
                    .take(6)
                    .collect();
                return Ok(digits);
            }
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    Err(format!("no code reached the spool for {phone}").into())
}
