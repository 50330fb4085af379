//! The `tessera` binary as an operator runs it: first start, restart, a second process on
//! the same folder, configuration errors, command-line administration, stop signals.

// Test code: failing loudly is its job.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

const TESSERA: &str = env!("CARGO_BIN_EXE_tessera");

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn tessera(args: &[&str]) -> Command {
    let mut command = Command::new(TESSERA);
    command.args(args);
    // The tests' own environment must not leak configuration into the binary.
    for (key, _) in std::env::vars() {
        if key.starts_with("TESSERA_") {
            command.env_remove(key);
        }
    }
    command.env("RUST_LOG", "info");
    command
}

struct Running {
    child: Child,
    port: u16,
}

impl Running {
    fn start(data_dir: &Path, extra: &[&str]) -> Running {
        let port = free_port();
        let listen = format!("127.0.0.1:{port}");
        let mut args = vec![
            "serve",
            "--listen",
            &listen,
            "--data-dir",
            data_dir.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        let child = tessera(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut running = Running { child, port };
        running.wait_ready();
        running
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn wait_ready(&mut self) {
        for _ in 0..300 {
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("tessera exited early with {status}");
            }
            if reqwest::blocking_get_status(&self.url("/readyz")) == Some(200) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("tessera did not become ready within 15 s");
    }

    /// Sends SIGTERM and collects what the process printed.
    fn stop(self) -> Output {
        let pid = self.child.id().to_string();
        assert!(
            Command::new("kill")
                .args(["-TERM", &pid])
                .status()
                .unwrap()
                .success()
        );
        self.child.wait_with_output().unwrap()
    }
}

/// A tiny blocking GET on top of reqwest's async client, for polling.
mod reqwest {
    pub fn blocking_get_status(url: &str) -> Option<u16> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .ok()?;
        runtime.block_on(async { ::reqwest::get(url).await.ok().map(|r| r.status().as_u16()) })
    }

    pub fn blocking_get_text(url: &str) -> String {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async { ::reqwest::get(url).await.unwrap().text().await.unwrap() })
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn first_start_creates_its_data_and_a_restart_reuses_it() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let first = Running::start(&data, &[]);

    // While it runs, a second process on the same folder is refused with a clear message.
    let second = tessera(&[
        "serve",
        "--listen",
        &format!("127.0.0.1:{}", free_port()),
        "--data-dir",
        data.to_str().unwrap(),
    ])
    .output()
    .unwrap();
    assert_eq!(second.status.code(), Some(1));
    let refusal = text(&second.stderr);
    assert!(refusal.contains("another Tessera process"), "{refusal}");
    assert!(
        refusal.contains(&format!("pid {}", first.child.id())),
        "{refusal}"
    );

    let output = first.stop();
    assert!(output.status.success(), "exit status {:?}", output.status);
    let stdout = text(&output.stdout);
    let stderr = text(&output.stderr);
    assert!(stdout.contains("Tessera has no operator yet"), "{stdout}");
    assert!(
        stdout.contains(&format!("http://localhost:{}/setup/", first_port(&stderr))),
        "{stdout}"
    );
    assert!(stderr.contains("created a new secret key"), "{stderr}");
    assert!(stderr.contains("stop signal received"), "{stderr}");
    assert!(stderr.contains("Tessera stopped"), "{stderr}");

    // The data folder is private, the key file 0600, the database in WAL mode.
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&data), 0o700);
    assert_eq!(mode(&data.join("secret.key")), 0o600);
    let db = std::fs::read(data.join("tessera.db")).unwrap();
    // SQLite header bytes 18 and 19 are 2 in WAL mode.
    assert_eq!((db[18], db[19]), (2, 2));
    let key = std::fs::read(data.join("secret.key")).unwrap();
    let kid = signing_key(&stderr);

    let again = Running::start(&data, &[]);
    let output = again.stop();
    let stderr = text(&output.stderr);
    assert!(!stderr.contains("created a new secret key"), "{stderr}");
    assert!(stderr.contains("created_root=false"), "{stderr}");
    assert_eq!(signing_key(&stderr), kid);
    assert_eq!(std::fs::read(data.join("secret.key")).unwrap(), key);
}

fn signing_key(log: &str) -> String {
    let start = log.find("signing_key=").unwrap() + "signing_key=".len();
    log[start..].split_whitespace().next().unwrap().to_owned()
}

fn first_port(log: &str) -> String {
    let start = log.find("listen=127.0.0.1:").unwrap() + "listen=127.0.0.1:".len();
    log[start..].split_whitespace().next().unwrap().to_owned()
}

#[test]
fn demo_data_is_loaded_and_its_accounts_printed() {
    let dir = tempfile::tempdir().unwrap();
    let running = Running::start(dir.path(), &["--demo"]);
    let home = reqwest::blocking_get_text(&running.url("/"));
    assert!(!home.contains("no operator yet"), "{home}");
    let output = running.stop();
    let stdout = text(&output.stdout);
    assert!(stdout.contains("Demonstration data loaded"), "{stdout}");
    assert!(stdout.contains("Tessera-Demo-2026"), "{stdout}");
    for email in [
        "operator@tessera.example",
        "erika.mustermann@bank-e.example",
        "zoe.papadopoulou@bank-f.example",
    ] {
        assert!(stdout.contains(email), "{email} missing: {stdout}");
    }
    assert!(!stdout.contains("/setup/"), "{stdout}");

    let again = Running::start(dir.path(), &["--demo"]);
    let stdout = text(&again.stop().stdout);
    assert!(stdout.contains("Demonstration data present"), "{stdout}");

    let verify = tessera(&[
        "audit",
        "verify",
        "--data-dir",
        dir.path().to_str().unwrap(),
    ])
    .output()
    .unwrap();
    assert!(verify.status.success(), "{}", text(&verify.stderr));
    assert!(
        // Two more than with ES256 alone: the RS256 and EdDSA keys made at the first start.
        text(&verify.stdout).contains("audit trail intact: 32 events"),
        "{}",
        text(&verify.stdout)
    );

    // The signing keys (one per algorithm) are rotated on the command line; the old ones
    // stay published.
    let rotate = tessera(&["keys", "rotate", "--data-dir", dir.path().to_str().unwrap()])
        .output()
        .unwrap();
    assert!(rotate.status.success(), "{}", text(&rotate.stderr));
    assert!(
        text(&rotate.stdout).contains("3 older key(s) published until"),
        "{}",
        text(&rotate.stdout)
    );
}

#[test]
fn the_command_line_creates_an_operator_and_ends_setup() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let create = |email: &str, password: &str| {
        let mut child = tessera(&[
            "admin",
            "create-operator",
            "--data-dir",
            data,
            "--email",
            email,
            "--first-name",
            "Olga",
            "--last-name",
            "Berger",
            "--language",
            "de",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
        writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
        child.wait_with_output().unwrap()
    };
    let weak = create("olga@tessera.example", "berger");
    assert_eq!(weak.status.code(), Some(1));
    let error = text(&weak.stderr);
    assert!(error.contains("Use at least 10 characters"), "{error}");
    assert!(error.contains("Do not use your name"), "{error}");

    let made = create("olga@tessera.example", "Winter-Lake-1987");
    assert!(made.status.success(), "{}", text(&made.stderr));
    assert!(text(&made.stdout).contains("Operator Olga Berger <olga@tessera.example> created."));

    let running = Running::start(dir.path(), &[]);
    let stdout = text(&running.stop().stdout);
    assert!(!stdout.contains("no operator yet"), "{stdout}");
}

#[test]
fn configuration_errors_name_the_key_and_defaults_check_out() {
    let dir = tempfile::tempdir().unwrap();
    let defaults = tessera(&["config", "defaults"]).output().unwrap();
    assert!(defaults.status.success());
    let file = dir.path().join("tessera.toml");
    std::fs::write(&file, &defaults.stdout).unwrap();
    let check = tessera(&["--config", file.to_str().unwrap(), "config", "check"])
        .output()
        .unwrap();
    assert!(check.status.success(), "{}", text(&check.stderr));
    assert!(text(&check.stdout).contains("configuration OK"));

    std::fs::write(&file, "listen = \"127.0.0.1:9000\"\nlisten_backlog = 5\n").unwrap();
    let bad = tessera(&["--config", file.to_str().unwrap(), "config", "check"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    let error = text(&bad.stderr);
    assert!(error.contains("listen_backlog"), "{error}");

    let env = tessera(&["config", "check"])
        .env("TESSERA_DATABSE_URL", "postgres://x")
        .output()
        .unwrap();
    assert_eq!(env.status.code(), Some(2));
    assert!(
        text(&env.stderr).contains("databse_url"),
        "{}",
        text(&env.stderr)
    );

    let serve = tessera(&["serve", "--listen", "nowhere"]).output().unwrap();
    assert_eq!(serve.status.code(), Some(2));
    assert!(
        text(&serve.stderr).contains("listen"),
        "{}",
        text(&serve.stderr)
    );
}

#[test]
fn json_logs_carry_the_request_id() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let child = tessera(&[
        "serve",
        "--listen",
        &format!("127.0.0.1:{port}"),
        "--data-dir",
        dir.path().to_str().unwrap(),
    ])
    .env("TESSERA_LOG__FORMAT", "json")
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    let mut running = Running { child, port };
    running.wait_ready();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        ::reqwest::Client::new()
            .get(running.url("/healthz"))
            .header("x-request-id", "trace-me-42")
            .send()
            .await
            .unwrap();
    });
    let stderr = text(&running.stop().stderr);
    let line = stderr
        .lines()
        .find(|l| l.contains("trace-me-42"))
        .unwrap_or_else(|| panic!("no log line with the request id: {stderr}"));
    let record: serde_json::Value = serde_json::from_str(line).unwrap();
    assert_eq!(record["span"]["request_id"], "trace-me-42");
    assert_eq!(record["status"], 200);
    for line in stderr.lines().filter(|l| !l.is_empty()) {
        assert!(
            serde_json::from_str::<serde_json::Value>(line).is_ok(),
            "not JSON: {line}"
        );
    }
}

#[test]
fn postgres_is_used_when_given_a_database_url() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let Some(db) = runtime
        .block_on(tessera_store::testing::TestDatabase::postgres())
        .unwrap()
    else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let running = Running::start(dir.path(), &["--database-url", &db.url]);
    let stderr = text(&running.stop().stderr);
    assert!(stderr.contains("backend=\"postgres\""), "{stderr}");
    assert!(!dir.path().join("tessera.db").exists());
    runtime.block_on(async move { drop(db) });
}
