//! Client libraries of other ecosystems (openid-client on Node.js, python-cas on Python) run
//! as child processes that the Rust test drives: one JSON request a line on their standard
//! input, one JSON answer a line on their standard output. Their programs are in
//! `crates/tests/interop/`.
//!
//! `scripts/install-test-deps` installs Node.js, npm, the npm packages and python-cas. Without
//! them, [`LineProgram::start`] gives `None` so the test can skip with a message, unless
//! `TESSERA_TEST_REQUIRE_INTEROP=1` (set by `scripts/test`), when their absence is an error.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};

use crate::BoxError;

/// How long one answer may take (discovery, a token request and its checks).
const ANSWER_TIMEOUT: Duration = Duration::from_secs(30);

fn interop_required() -> bool {
    std::env::var("TESSERA_TEST_REQUIRE_INTEROP").is_ok_and(|v| v == "1")
}

/// `crates/tests/interop/<name>`: where the programs of one ecosystem live.
pub fn programs_dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/interop")
        .join(name)
}

/// A child process answering JSON lines.
pub struct LineProgram {
    name: String,
    child: Child,
    stdin: ChildStdin,
    stdout: Lines<BufReader<ChildStdout>>,
}

impl LineProgram {
    /// Starts `program args…` in `dir` once `probe` (a command run in the same folder) has
    /// succeeded, showing that the tool and its library are installed. Without them: `None`
    /// after saying so, or an error when `TESSERA_TEST_REQUIRE_INTEROP` is 1.
    pub async fn start(
        name: &str,
        dir: &Path,
        probe: &[&str],
        program: &[&str],
    ) -> Result<Option<Self>, BoxError> {
        let (Some((probe_tool, probe_args)), Some((tool, args))) =
            (probe.split_first(), program.split_first())
        else {
            return Err("a probe and a program are needed".into());
        };
        let available = Command::new(probe_tool)
            .args(probe_args)
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .await
            .is_ok_and(|s| s.success());
        if !available {
            if interop_required() {
                return Err(format!("{name} is missing: run scripts/install-test-deps").into());
            }
            eprintln!("SKIPPED: {name} is not installed (run scripts/install-test-deps)");
            return Ok(None);
        }
        let mut child = Command::new(tool)
            .args(args)
            .current_dir(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            // Its complaints go to the test's output.
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()?;
        let stdin = child.stdin.take().ok_or("no standard input")?;
        let stdout = child.stdout.take().ok_or("no standard output")?;
        Ok(Some(Self {
            name: name.to_owned(),
            child,
            stdin,
            stdout: BufReader::new(stdout).lines(),
        }))
    }

    /// Sends one request and waits for its answer.
    pub async fn call(&mut self, request: &Value) -> Result<Value, BoxError> {
        let mut line = serde_json::to_string(request)?;
        line.push('\n');
        self.stdin.write_all(line.as_bytes()).await?;
        self.stdin.flush().await?;
        let answer = tokio::time::timeout(ANSWER_TIMEOUT, self.stdout.next_line())
            .await
            .map_err(|_| format!("{} gave no answer within {ANSWER_TIMEOUT:?}", self.name))??;
        let Some(answer) = answer else {
            let status = self.child.try_wait()?;
            return Err(format!("{} ended without answering ({status:?})", self.name).into());
        };
        Ok(serde_json::from_str(&answer)
            .map_err(|e| format!("{} answered {answer:?}: {e}", self.name))?)
    }
}
