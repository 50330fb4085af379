//! A real SMTP server for tests: `scripts/smtp-test-server` (aiosmtpd) on a free loopback
//! port, plain, with required STARTTLS, or with implicit TLS, optionally with
//! authentication, keeping what it receives in a maildir.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::BoxError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpMode {
    Plain,
    StartTls,
    ImplicitTls,
}

pub struct SmtpServer {
    child: Child,
    pub port: u16,
    maildir: tempfile::TempDir,
}

/// A certificate authority and a server certificate for 127.0.0.1, made with `openssl`.
pub struct TestCa {
    dir: tempfile::TempDir,
}

impl TestCa {
    pub fn new() -> Result<Self, BoxError> {
        let dir = tempfile::tempdir()?;
        let run = |args: &[&str]| -> Result<(), BoxError> {
            let output = Command::new("openssl")
                .args(args)
                .current_dir(dir.path())
                .output()?;
            if output.status.success() {
                Ok(())
            } else {
                Err(format!(
                    "openssl {args:?}: {}",
                    String::from_utf8_lossy(&output.stderr)
                )
                .into())
            }
        };
        run(&[
            "ecparam",
            "-name",
            "prime256v1",
            "-genkey",
            "-noout",
            "-out",
            "ca.key",
        ])?;
        run(&[
            "req",
            "-x509",
            "-new",
            "-key",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "2",
            "-subj",
            "/CN=Tessera Test CA",
        ])?;
        run(&[
            "ecparam",
            "-name",
            "prime256v1",
            "-genkey",
            "-noout",
            "-out",
            "server.key",
        ])?;
        run(&[
            "req",
            "-new",
            "-key",
            "server.key",
            "-out",
            "server.csr",
            "-subj",
            "/CN=127.0.0.1",
        ])?;
        std::fs::write(
            dir.path().join("server.ext"),
            "basicConstraints=CA:FALSE\nsubjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n",
        )?;
        run(&[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "server.pem",
            "-days",
            "2",
            "-extfile",
            "server.ext",
        ])?;
        Ok(Self { dir })
    }

    pub fn ca_file(&self) -> PathBuf {
        self.dir.path().join("ca.pem")
    }

    fn cert(&self) -> PathBuf {
        self.dir.path().join("server.pem")
    }

    fn key(&self) -> PathBuf {
        self.dir.path().join("server.key")
    }
}

fn smtp_required() -> bool {
    std::env::var("TESSERA_TEST_REQUIRE_SMTP").is_ok_and(|v| v == "1")
}

impl SmtpServer {
    /// Starts a server, or gives `None` (after saying so) when aiosmtpd is not installed and
    /// `TESSERA_TEST_REQUIRE_SMTP` is not 1.
    pub fn start(
        mode: SmtpMode,
        ca: Option<&TestCa>,
        credentials: Option<(&str, &str)>,
    ) -> Result<Option<Self>, BoxError> {
        let available = Command::new("python3")
            .args(["-c", "import aiosmtpd"])
            .status()
            .is_ok_and(|s| s.success());
        if !available {
            if smtp_required() {
                return Err("aiosmtpd is missing: run scripts/install-test-deps".into());
            }
            eprintln!("SKIPPED: aiosmtpd is not installed (run scripts/install-test-deps)");
            return Ok(None);
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let maildir = tempfile::tempdir()?;
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/smtp-test-server");
        let mut command = Command::new("python3");
        command
            .arg(script)
            .args(["--port", &port.to_string()])
            .arg("--maildir")
            .arg(maildir.path().join("mail"))
            .args([
                "--mode",
                match mode {
                    SmtpMode::Plain => "plain",
                    SmtpMode::StartTls => "starttls",
                    SmtpMode::ImplicitTls => "tls",
                },
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if let Some(ca) = ca {
            command
                .arg("--cert")
                .arg(ca.cert())
                .arg("--key")
                .arg(ca.key());
        }
        if let Some((user, password)) = credentials {
            command.args(["--user", user, "--password", password]);
        }
        let child = command.spawn()?;
        let mut server = Self {
            child,
            port,
            maildir,
        };
        for _ in 0..200 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Ok(Some(server));
            }
            if let Some(status) = server.child.try_wait()? {
                return Err(format!("the SMTP test server exited with {status}").into());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Err("the SMTP test server did not start within 10 seconds".into())
    }

    /// Every message received so far, as raw RFC 5322 text.
    pub fn messages(&self) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(self.maildir.path().join("mail/new")) else {
            return Vec::new();
        };
        entries
            .filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
            .collect()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
