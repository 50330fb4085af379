//! The ceiling of the `oidc` scenario's GET endpoints: a bare HTTP/1.1 server that answers
//! every request with the same bytes and does nothing else (no routing, no headers read, no
//! logging). It runs as a process of its own, this program with the hidden `bare`
//! subcommand, on two threads as Tessera does. What it reaches under the load client is the
//! most that any server could answer on this machine with this client: when five times the
//! peer lies above it, no server could meet that aim here.

use std::io::Write;
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::oidc::OidcBenchError;
use crate::oidc_peer::{Running, first_line};

/// A request head larger than this ends the connection (the load client's are small).
const MAX_HEAD: usize = 16 * 1024;

/// Serves `body` (a JSON document) on a loopback port, which it prints on standard output;
/// ends when standard input closes.
pub fn serve(body_file: &Path) -> Result<(), std::io::Error> {
    let body = std::fs::read(body_file)?;
    let mut answer = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    answer.extend_from_slice(&body);
    let answer: Arc<[u8]> = answer.into();
    // Whoever started this holds standard input open; when it goes, so does this server.
    std::thread::spawn(|| {
        let mut sink = Vec::new();
        let _ = std::io::Read::read_to_end(&mut std::io::stdin(), &mut sink);
        std::process::exit(0);
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
        let mut out = std::io::stdout();
        writeln!(out, "{}", listener.local_addr()?.port())?;
        out.flush()?;
        loop {
            let (stream, _) = listener.accept().await?;
            let _ = stream.set_nodelay(true);
            tokio::spawn(connection(stream, answer.clone()));
        }
    })
}

/// Answers each request head (a GET: no body) with `answer`, until the client goes.
async fn connection(mut stream: TcpStream, answer: Arc<[u8]>) {
    let mut buffer = Vec::with_capacity(4096);
    let mut chunk = [0u8; 4096];
    loop {
        while let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            buffer.drain(..end + 4);
            if stream.write_all(&answer).await.is_err() {
                return;
            }
        }
        if buffer.len() > MAX_HEAD {
            return;
        }
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(read) => buffer.extend_from_slice(&chunk[..read]),
        }
    }
}

/// Starts the bare server (this program again) answering `body`; where it listens.
pub fn start(body: &[u8], dir: &Path) -> Result<(Running, SocketAddr), OidcBenchError> {
    let file = dir.join(format!("bare-{}.json", body.len()));
    std::fs::write(&file, body)?;
    let child = Command::new(std::env::current_exe()?)
        .arg("bare")
        .arg(&file)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    let mut running = Running::new("the bare server", child);
    let stdout = running
        .stdout()
        .ok_or_else(|| OidcBenchError::Setup("no output from the bare server".into()))?;
    let port = first_line(stdout, Duration::from_secs(10)).and_then(|l| l.trim().parse().ok());
    let Some(port) = port else {
        running.check()?;
        return Err(OidcBenchError::Setup(
            "the bare server did not say its port".into(),
        ));
    };
    Ok((running, SocketAddr::from(([127, 0, 0, 1], port))))
}
