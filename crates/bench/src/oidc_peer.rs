//! The peer of the `oidc` scenario: the oidc-provider package on Node, started from the
//! script in `crates/bench/peer/` (installed there with `npm ci` when its packages are
//! missing), and the child processes' clean-up.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use crate::oidc::OidcBenchError;

/// The peer's folder as it lies in the source tree this program was built from.
pub fn default_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("peer")
}

/// A child process that is stopped (SIGTERM, then killed after a grace period) when this
/// goes away, whether the benchmark ends well or not.
pub struct Running {
    name: &'static str,
    child: Child,
    /// Held open: the peer exits when it closes, even if this program is killed.
    _stdin: Option<ChildStdin>,
}

impl Running {
    pub fn new(name: &'static str, mut child: Child) -> Self {
        let stdin = child.stdin.take();
        Self {
            name,
            child,
            _stdin: stdin,
        }
    }

    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// The child's standard output, when it was piped and not taken yet.
    pub fn stdout(&mut self) -> Option<ChildStdout> {
        self.child.stdout.take()
    }

    /// Fails when the process has already ended.
    pub fn check(&mut self) -> Result<(), OidcBenchError> {
        match self.child.try_wait() {
            Ok(Some(status)) => Err(OidcBenchError::Setup(format!(
                "{} exited with {status}",
                self.name
            ))),
            Ok(None) => Ok(()),
            Err(error) => Err(OidcBenchError::Io(error)),
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(Some(_))) {
            return;
        }
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .stderr(Stdio::null())
            .status();
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(5) {
            if !matches!(self.child.try_wait(), Ok(None)) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The first line a child writes on its standard output, or None when none came within
/// `limit`: read by a thread of its own, so that a silent child cannot block the benchmark.
pub fn first_line(stdout: ChildStdout, limit: Duration) -> Option<String> {
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let read = BufReader::new(stdout).read_line(&mut line);
        let _ = sender.send(read.map(|_| line));
    });
    match receiver.recv_timeout(limit) {
        Ok(Ok(line)) if !line.trim().is_empty() => Some(line),
        _ => None,
    }
}

/// What the peer printed once it listened.
#[derive(Debug, serde::Deserialize)]
pub struct PeerTokens {
    pub client_id: String,
    pub client_secret: String,
    pub refresh_tokens: Vec<String>,
    pub access_token: String,
}

/// Installs the peer's packages when they are missing (`npm ci`, from the committed lock
/// file).
pub fn install(dir: &Path) -> Result<(), OidcBenchError> {
    if dir.join("node_modules/oidc-provider/package.json").exists() {
        return Ok(());
    }
    if !dir.join("package-lock.json").exists() {
        return Err(OidcBenchError::Setup(format!(
            "no peer script at {} (give --peer-dir)",
            dir.display()
        )));
    }
    eprintln!(
        "tessera-bench: installing the peer's packages (npm ci) in {}",
        dir.display()
    );
    let status = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
        .current_dir(dir)
        .stdout(Stdio::null())
        .status()
        .map_err(|e| {
            OidcBenchError::Setup(format!(
                "npm could not be started ({e}); install Node.js and npm (scripts/bench does)"
            ))
        })?;
    if !status.success() {
        return Err(OidcBenchError::Setup(format!(
            "npm ci failed with {status}"
        )));
    }
    Ok(())
}

/// The version of the oidc-provider package installed, and of Node.
pub fn versions(dir: &Path) -> (String, String) {
    let package = std::fs::read_to_string(dir.join("node_modules/oidc-provider/package.json"))
        .ok()
        .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
        .and_then(|json| json["version"].as_str().map(str::to_owned))
        .unwrap_or_else(|| "?".to_owned());
    let node = Command::new("node")
        .arg("--version")
        .output()
        .ok()
        .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_owned())
        .unwrap_or_else(|| "?".to_owned());
    (package, node)
}

/// Starts the peer on `port` with `chains` refresh tokens minted, and waits for its tokens.
/// Its messages go to `log`.
pub fn start(
    dir: &Path,
    port: u16,
    chains: usize,
    log: &Path,
) -> Result<(Running, PeerTokens), OidcBenchError> {
    let child = Command::new("node")
        .arg("peer.js")
        .arg(port.to_string())
        .arg(chains.to_string())
        .current_dir(dir)
        .env("NODE_ENV", "production")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(log)?)
        .spawn()
        .map_err(|e| OidcBenchError::Setup(format!("node could not be started: {e}")))?;
    let mut running = Running::new("the peer (node)", child);
    let stdout = running
        .stdout()
        .ok_or_else(|| OidcBenchError::Setup("no output from the peer".into()))?;
    // The first line is the tokens, printed once the peer listens.
    let Some(line) = first_line(stdout, Duration::from_secs(30)) else {
        running.check()?;
        let said = std::fs::read_to_string(log).unwrap_or_default();
        return Err(OidcBenchError::Setup(format!(
            "the peer did not start: {}",
            said.chars().take(2000).collect::<String>()
        )));
    };
    let tokens: PeerTokens = serde_json::from_str(&line)?;
    Ok((running, tokens))
}
