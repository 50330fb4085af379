//! Headless Chromium (Debian's packages) driven through ChromeDriver and WebDriver.
//!
//! `scripts/install-test-deps` installs the packages. Without them, [`Browser::start`] gives
//! `None` so the test can skip with a message, unless `TESSERA_TEST_REQUIRE_BROWSER=1` (set by
//! `scripts/test`), when their absence is an error.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use fantoccini::wd::Capabilities;
use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;
use tokio::process::{Child, Command};

use crate::BoxError;

const CHROMIUM_CANDIDATES: &[&str] = &["/usr/lib/chromium/chromium", "/usr/bin/chromium"];
const DRIVER: &str = "/usr/bin/chromedriver";

pub struct Browser {
    pub client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
}

fn browser_required() -> bool {
    std::env::var("TESSERA_TEST_REQUIRE_BROWSER").is_ok_and(|v| v == "1")
}

/// Where screenshots are kept: `TESSERA_TEST_SCREENSHOT_DIR`, or `target/screenshots`.
pub fn screenshot_dir() -> PathBuf {
    std::env::var_os("TESSERA_TEST_SCREENSHOT_DIR").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots"),
        PathBuf::from,
    )
}

impl Browser {
    pub async fn start() -> Result<Option<Self>, BoxError> {
        // The driver must point at the browser binary itself: Debian's `chromium` launcher
        // script misbehaves under ChromeDriver.
        let chromium = CHROMIUM_CANDIDATES.iter().find(|p| Path::new(p).exists());
        let (Some(chromium), true) = (chromium, Path::new(DRIVER).exists()) else {
            if browser_required() {
                return Err(
                    "Chromium or ChromeDriver is missing: run scripts/install-test-deps".into(),
                );
            }
            eprintln!("SKIPPED: no Chromium/ChromeDriver (run scripts/install-test-deps)");
            return Ok(None);
        };
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let driver = Command::new(DRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()?;
        let webdriver = format!("http://127.0.0.1:{port}");
        let probe = reqwest::Client::new();
        let mut up = false;
        for _ in 0..200 {
            if probe
                .get(format!("{webdriver}/status"))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success())
            {
                up = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        if !up {
            return Err("ChromeDriver did not start within 10 seconds".into());
        }
        let profile = tempfile::tempdir()?;
        let mut capabilities = Capabilities::new();
        capabilities.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": chromium,
                "args": [
                    "--headless=new",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-dev-shm-usage",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--disable-quic",
                    "--no-first-run",
                    "--window-size=1280,900",
                    format!("--user-data-dir={}", profile.path().display()),
                ],
            }),
        );
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&webdriver)
            .await?;
        Ok(Some(Self {
            client,
            driver,
            _profile: profile,
        }))
    }

    /// Saves a PNG of the current page as `<screenshot dir>/<name>.png`.
    pub async fn screenshot(&self, name: &str) -> Result<PathBuf, BoxError> {
        let png = self.client.screenshot().await?;
        let dir = screenshot_dir();
        std::fs::create_dir_all(&dir)?;
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png)?;
        Ok(path)
    }

    /// Ends the browser session and the driver.
    pub async fn close(mut self) -> Result<(), BoxError> {
        let closed = self.client.clone().close().await;
        let _ = self.driver.kill().await;
        closed?;
        Ok(())
    }
}
