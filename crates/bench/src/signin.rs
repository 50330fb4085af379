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

use crate::report::{Samples, table};

type BenchError = Box<dyn std::error::Error + Send + Sync>;

/// The demo accounts (one per client, so that codes never cross) and their phones.
const ACCOUNTS: &[(&str, &str)] = &[
    ("operator@tessera.example", "+4915550100001"),
    ("erika.mustermann@bank-e.example", "+4915550100002"),
    ("pierre.dupont@bank-e.example", "+33615501003"),
    ("fiona.walsh@bank-f.example", "+353855501004"),
    ("zoe.papadopoulou@bank-f.example", "+306955010005"),
];
pub(crate) const PASSWORD: &str = "Tessera-Demo-2026";

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
    let mut server = start(tessera, data.path(), &spool, port, None)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let server_cpu_before = cpu_seconds(&format!("/proc/{}/stat", server.id()));
    let client_cpu_before = cpu_seconds("/proc/self/stat");
    let outcome = runtime.block_on(drive(port, &spool, clients, Duration::from_secs(seconds)));
    let server_cpu = cpu_seconds(&format!("/proc/{}/stat", server.id())) - server_cpu_before;
    let client_cpu = cpu_seconds("/proc/self/stat") - client_cpu_before;
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
    if count > 0 && server_cpu > 0.0 {
        let per = |cpu: f64| 1000.0 * cpu / count as f64;
        out.push_str(&format!(
            "CPU per sign-in: server {:.1} ms (one hash is {:.1} ms), this client {:.1} ms\n\n",
            per(server_cpu),
            1000.0 * cores as f64 / bound,
            per(client_cpu),
        ));
    }
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

/// User plus system CPU time of a process so far, from `/proc/<pid>/stat` (0 where there is
/// no such file).
pub(crate) fn cpu_seconds(stat: &str) -> f64 {
    let Ok(text) = std::fs::read_to_string(stat) else {
        return 0.0;
    };
    // Fields after the command name (which may hold spaces) start after the last ')'.
    let fields: Vec<&str> = text
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    // utime and stime are fields 14 and 15 of the file: 12 and 13 after the name.
    let ticks: f64 = [11, 12]
        .iter()
        .filter_map(|i| fields.get(*i).and_then(|v| v.parse::<f64>().ok()))
        .sum();
    // Clock ticks are 100 a second on Linux.
    ticks / 100.0
}

/// Password hashes per second with `threads` threads hashing for `span`.
fn argon2_rate(threads: usize, span: Duration) -> Result<f64, BenchError> {
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let workers: Vec<_> = (0..threads)
        .map(|_| {
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || {
                // Hashing exactly as the server does at sign-in (OWASP parameters, memory
                // kept between hashes), so the bound is what a sign-in's hash costs.
                let hasher = tessera_auth::PasswordHasher::new(1, 0);
                let mut done = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    if hasher.hash_now(PASSWORD).is_ok() {
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

pub(crate) fn start(
    tessera: &Path,
    data: &Path,
    spool: &Path,
    port: u16,
    database_url: Option<&str>,
) -> Result<Child, BenchError> {
    let mut command = Command::new(tessera);
    if let Some(url) = database_url {
        command.env("TESSERA_DATABASE_URL", url);
    }
    let mut child = command
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
    let codes = Codes::default();
    let watcher = tokio::spawn(watch_spool(
        spool.to_path_buf(),
        codes.clone(),
        deadline + Duration::from_secs(10),
    ));
    let mut tasks = Vec::new();
    for (email, phone) in ACCOUNTS.iter().take(clients) {
        let base = base.clone();
        let codes = codes.clone();
        tasks.push(tokio::spawn(async move {
            client_loop(&base, &codes, email, phone, deadline).await
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
    watcher.abort();
    Ok((count, started.elapsed().as_secs_f64(), timings))
}

fn ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1000.0
}

/// Codes read from the spool, by phone number, for the client waiting on each.
#[derive(Clone, Default)]
pub(crate) struct Codes(Arc<std::sync::Mutex<std::collections::HashMap<String, String>>>);

impl Codes {
    fn put(&self, phone: String, code: String) {
        if let Ok(mut codes) = self.0.lock() {
            codes.insert(phone, code);
        }
    }

    fn take(&self, phone: &str) -> Option<String> {
        self.0.lock().ok().and_then(|mut codes| codes.remove(phone))
    }
}

/// One watcher for all clients: reads each spooled message once, removes it, and files its
/// code under the recipient, so the clients' own work stays small beside the server's (they
/// share the machine's cores).
pub(crate) async fn watch_spool(spool: PathBuf, codes: Codes, until: Instant) {
    while Instant::now() < until {
        if let Ok(entries) = std::fs::read_dir(&spool) {
            for entry in entries.flatten() {
                let path = entry.path();
                let name = path.file_name().and_then(|n| n.to_str()).unwrap_or(".");
                if name.starts_with('.') || !name.ends_with(".json") {
                    continue;
                }
                let Ok(text) = std::fs::read_to_string(&path) else {
                    continue;
                };
                let Ok(message) = serde_json::from_str::<serde_json::Value>(&text) else {
                    continue;
                };
                let _ = std::fs::remove_file(&path);
                let digits: String = message["text"]
                    .as_str()
                    .unwrap_or("")
                    .chars()
                    .filter(char::is_ascii_digit)
                    .take(6)
                    .collect();
                if let Some(phone) = message["recipient"].as_str() {
                    codes.put(phone.to_owned(), digits);
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

/// The cookies a sign-in needs, kept by hand: one HTTP client (and connection) serves every
/// sign-in of a simulated person, each starting with no cookies, as a new browser would.
#[derive(Default)]
pub(crate) struct Cookies(Vec<(String, String)>);

impl Cookies {
    pub(crate) fn absorb(&mut self, answer: &reqwest::Response) {
        for header in answer.headers().get_all("set-cookie") {
            let Some((pair, _)) = header
                .to_str()
                .ok()
                .map(|h| h.split_once(';').unwrap_or((h, "")))
            else {
                continue;
            };
            if let Some((name, value)) = pair.split_once('=') {
                self.0.retain(|(n, _)| n != name);
                if !value.is_empty() {
                    self.0.push((name.to_owned(), value.to_owned()));
                }
            }
        }
    }

    pub(crate) fn header(&self) -> String {
        self.0
            .iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

async fn client_loop(
    base: &str,
    codes: &Codes,
    email: &str,
    phone: &str,
    deadline: Instant,
) -> Result<(usize, Timings), BenchError> {
    let mut timings = Timings::default();
    let mut count = 0;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    while Instant::now() < deadline {
        let mut cookies = Cookies::default();
        let whole = Instant::now();
        let answer = http.get(format!("{base}/signin?change=1")).send().await?;
        cookies.absorb(&answer);
        let csrf = cookies
            .get("tessera_csrf")
            .ok_or("no CSRF cookie")?
            .to_owned();

        let step = Instant::now();
        let answer = http
            .post(format!("{base}/signin"))
            .header("cookie", cookies.header())
            .form(&[("csrf", csrf.as_str()), ("email", email)])
            .send()
            .await?;
        expect(&answer, "/signin/password")?;
        cookies.absorb(&answer);
        timings.identifier.push(ms(step));

        let step = Instant::now();
        let answer = http
            .post(format!("{base}/signin/password"))
            .header("cookie", cookies.header())
            .form(&[
                ("csrf", csrf.as_str()),
                ("email", email),
                ("password", PASSWORD),
            ])
            .send()
            .await?;
        expect(&answer, "/signin/code")?;
        cookies.absorb(&answer);
        timings.password.push(ms(step));

        let step = Instant::now();
        let code = wait_for_code(codes, phone).await?;
        timings.code_delivery.push(ms(step));

        let step = Instant::now();
        let answer = http
            .post(format!("{base}/signin/code"))
            .header("cookie", cookies.header())
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

pub(crate) fn expect(answer: &reqwest::Response, location: &str) -> Result<(), BenchError> {
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

/// Waits for the watcher to file a code for `phone`.
pub(crate) async fn wait_for_code(codes: &Codes, phone: &str) -> Result<String, BenchError> {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(10) {
        if let Some(code) = codes.take(phone) {
            return Ok(code);
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    Err(format!("no code reached the spool for {phone}").into())
}
