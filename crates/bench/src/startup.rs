//! The `startup` scenario.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::report::{Samples, table};

type BenchError = Box<dyn std::error::Error>;

/// Readiness is polled this often; it bounds the measurement's resolution.
const POLL: Duration = Duration::from_micros(500);
/// A start that takes longer than this is a failure, not a sample.
const START_LIMIT: Duration = Duration::from_secs(20);
/// How long the server idles before its memory is read.
const IDLE: Duration = Duration::from_millis(1500);

pub fn run(tessera: &Path, runs: usize) -> Result<String, BenchError> {
    let mut floor = Vec::with_capacity(runs);
    let mut first = Vec::with_capacity(runs);
    let mut restart = Vec::with_capacity(runs);
    let mut rss = Vec::with_capacity(runs);
    for _ in 0..runs {
        // The peer: starting the same binary to print its version and exit.
        let started = Instant::now();
        let status = Command::new(tessera)
            .arg("--version")
            .stdout(Stdio::null())
            .status()?;
        if !status.success() {
            return Err("tessera --version failed".into());
        }
        floor.push(started.elapsed().as_secs_f64() * 1000.0);

        let data = tempfile::tempdir()?;
        let (took, child) = start_until_ready(tessera, data.path())?;
        first.push(took);
        stop(child)?;

        let (took, child) = start_until_ready(tessera, data.path())?;
        restart.push(took);
        std::thread::sleep(IDLE);
        rss.push(resident_mib(child.id())?);
        stop(child)?;
    }
    let floor = Samples::new("process start and exit (peer)", "ms", floor);
    let first = Samples::new("start to ready, new database", "ms", first);
    let restart = Samples::new("start to ready, existing database", "ms", restart);
    let rss = Samples::new("resident memory when idle", "MiB", rss);
    Ok(table(
        "startup: empty SQLite database, release binary",
        &[
            (&first, Some(&floor)),
            (&restart, Some(&floor)),
            (&floor, None),
            (&rss, None),
        ],
    ))
}

fn free_port() -> Result<u16, BenchError> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// Starts `tessera serve` and polls /readyz; returns the milliseconds until it answered 200.
fn start_until_ready(tessera: &Path, data: &Path) -> Result<(f64, Child), BenchError> {
    let port = free_port()?;
    let started = Instant::now();
    let mut child = Command::new(tessera)
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--data-dir",
        ])
        .arg(data)
        .env("TESSERA_LOG__LEVEL", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    loop {
        if ready(port) {
            return Ok((started.elapsed().as_secs_f64() * 1000.0, child));
        }
        if started.elapsed() > START_LIMIT {
            let _ = child.kill();
            return Err("tessera did not become ready within 20 s".into());
        }
        if let Some(status) = child.try_wait()? {
            return Err(format!("tessera exited with {status} before it was ready").into());
        }
        std::thread::sleep(POLL);
    }
}

/// One plain HTTP/1.1 request to /readyz: whether the server answers 200.
pub(crate) fn ready(port: u16) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let request = "GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).is_ok() && head.ends_with(b" 200")
}

fn resident_mib(pid: u32) -> Result<f64, BenchError> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let kib: f64 = status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.split_whitespace().next())
        .ok_or("no VmRSS in /proc")?
        .parse()?;
    Ok(kib / 1024.0)
}

fn stop(mut child: Child) -> Result<(), BenchError> {
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()?;
    if !killed.success() {
        return Err("could not signal tessera".into());
    }
    let status = child.wait()?;
    if !status.success() {
        return Err(format!("tessera stopped with {status}").into());
    }
    Ok(())
}
