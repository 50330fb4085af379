//! A closed-loop HTTP/1.1 load generator for loopback servers: a number of keep-alive
//! connections, each sending its next request as soon as the previous answer is read, for a
//! fixed time. It writes and parses HTTP by hand over tokio's TCP streams, on one thread, so
//! that its own cost per request stays small and the same for every server it measures (it
//! shares the machine's cores with them).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Answers larger than this are refused (the endpoints measured answer a few KiB).
const MAX_ANSWER: usize = 1 << 20;
/// A request that has no answer within this is a failure.
const ANSWER_LIMIT: Duration = Duration::from_secs(10);

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("connection to {0}: {1}")]
    Io(SocketAddr, std::io::Error),
    #[error("malformed answer from {0}: {1}")]
    Malformed(SocketAddr, &'static str),
    #[error("no answer from {0} within {1:?}")]
    Timeout(SocketAddr, Duration),
    #[error("a load worker stopped: {0}")]
    Join(#[from] tokio::task::JoinError),
    #[error("runtime: {0}")]
    Runtime(std::io::Error),
}

/// One answer: its status and body.
pub struct Answer {
    pub status: u16,
    pub body: Vec<u8>,
}

/// How a connection builds its requests: the same bytes each time, or from the previous
/// answer (a refresh token rotates, so each request carries the token the last one gave).
#[derive(Clone)]
pub enum Requests {
    Fixed(Arc<[u8]>),
    /// A form POST whose body is `prefix` followed by the current token, which each good
    /// answer replaces with the value of its JSON field `field`.
    Chained {
        head: Arc<str>,
        prefix: Arc<str>,
        field: &'static str,
        token: String,
    },
}

impl Requests {
    fn bytes(&self) -> Vec<u8> {
        match self {
            Requests::Fixed(bytes) => bytes.to_vec(),
            Requests::Chained {
                head,
                prefix,
                token,
                ..
            } => {
                let body = format!("{prefix}{}", form_encode(token));
                format!("{head}Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
            }
        }
    }

    /// Takes what the answer gives for the next request; false when the chain cannot go on.
    fn follow(&mut self, answer: &Answer) -> bool {
        match self {
            Requests::Fixed(_) => true,
            Requests::Chained { field, token, .. } => {
                let next = serde_json::from_slice::<serde_json::Value>(&answer.body)
                    .ok()
                    .and_then(|v| v.get(*field).and_then(|t| t.as_str()).map(str::to_owned));
                match next {
                    Some(next) => {
                        *token = next;
                        true
                    }
                    None => false,
                }
            }
        }
    }

    /// The token a chained request would send next (handed on to the next round).
    pub fn token(&self) -> Option<&str> {
        match self {
            Requests::Fixed(_) => None,
            Requests::Chained { token, .. } => Some(token),
        }
    }
}

/// A GET request's bytes.
pub fn get(host: &str, path: &str, authorization: Option<&str>) -> Requests {
    let auth = authorization.map_or_else(String::new, |a| format!("Authorization: {a}\r\n"));
    Requests::Fixed(
        format!("GET {path} HTTP/1.1\r\nHost: {host}\r\n{auth}Accept: application/json\r\n\r\n")
            .into_bytes()
            .into(),
    )
}

/// The head of a form POST, up to (not including) its Content-Length.
pub fn post_head(host: &str, path: &str, authorization: &str) -> String {
    format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: {authorization}\r\n\
         Accept: application/json\r\nContent-Type: application/x-www-form-urlencoded\r\n"
    )
}

/// A form POST with a fixed body.
pub fn post(host: &str, path: &str, authorization: &str, body: &str) -> Requests {
    Requests::Fixed(
        format!(
            "{}Content-Length: {}\r\n\r\n{body}",
            post_head(host, path, authorization),
            body.len()
        )
        .into_bytes()
        .into(),
    )
}

/// `application/x-www-form-urlencoded` for a value.
pub fn form_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// What one run of one endpoint gave.
#[derive(Default)]
pub struct Outcome {
    /// Requests answered 200.
    pub ok: u64,
    /// Other answers, broken connections and chains that could not go on.
    pub failed: u64,
    /// The first failure's description, to show.
    pub first_failure: Option<String>,
    /// Latency of each good request, in microseconds.
    pub latencies_us: Vec<u32>,
    pub elapsed: Duration,
    /// Each connection's requests as they stand at the end (for chains: the next token).
    pub requests: Vec<Requests>,
}

impl Outcome {
    pub fn rate(&self) -> f64 {
        self.ok as f64 / self.elapsed.as_secs_f64()
    }
}

/// Runs one connection per entry of `requests` against `addr` for `span`, on one thread.
pub fn run(
    addr: SocketAddr,
    requests: Vec<Requests>,
    span: Duration,
) -> Result<Outcome, LoadError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(LoadError::Runtime)?;
    runtime.block_on(async move {
        let started = Instant::now();
        let deadline = started + span;
        let workers: Vec<_> = requests
            .into_iter()
            .map(|requests| tokio::spawn(connection(addr, requests, deadline)))
            .collect();
        let mut outcome = Outcome::default();
        for worker in workers {
            let (part, requests) = worker.await?;
            outcome.ok += part.ok;
            outcome.failed += part.failed;
            if outcome.first_failure.is_none() {
                outcome.first_failure = part.first_failure;
            }
            outcome.latencies_us.extend(part.latencies_us);
            outcome.requests.push(requests);
        }
        outcome.elapsed = started.elapsed();
        Ok(outcome)
    })
}

/// One keep-alive connection sending requests until `deadline`.
async fn connection(
    addr: SocketAddr,
    mut requests: Requests,
    deadline: Instant,
) -> (Outcome, Requests) {
    let mut outcome = Outcome::default();
    let mut stream: Option<TcpStream> = None;
    let mut buffer = Vec::with_capacity(16 * 1024);
    while Instant::now() < deadline {
        let open = match stream.take() {
            Some(open) => open,
            None => match TcpStream::connect(addr).await {
                Ok(open) => {
                    let _ = open.set_nodelay(true);
                    buffer.clear();
                    open
                }
                Err(error) => {
                    fail(&mut outcome, LoadError::Io(addr, error).to_string());
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let mut open = open;
        let bytes = requests.bytes();
        let sent = Instant::now();
        let answer = tokio::time::timeout(ANSWER_LIMIT, exchange(&mut open, &bytes, &mut buffer))
            .await
            .unwrap_or(Err(LoadError::Timeout(addr, ANSWER_LIMIT)));
        let answer = match answer {
            Ok(answer) => answer,
            Err(error) => {
                // The connection is in an unknown state: a new one for the next request.
                fail(&mut outcome, error.to_string());
                continue;
            }
        };
        let took = sent.elapsed();
        stream = Some(open);
        if answer.status != 200 {
            let text = String::from_utf8_lossy(&answer.body);
            fail(
                &mut outcome,
                format!(
                    "status {}: {}",
                    answer.status,
                    text.chars().take(200).collect::<String>()
                ),
            );
            if matches!(requests, Requests::Chained { .. }) {
                // A refused refresh token cannot be followed by anything.
                break;
            }
            continue;
        }
        if !requests.follow(&answer) {
            fail(
                &mut outcome,
                "the answer had no token to go on with".to_owned(),
            );
            break;
        }
        outcome.ok += 1;
        outcome
            .latencies_us
            .push(u32::try_from(took.as_micros()).unwrap_or(u32::MAX));
    }
    (outcome, requests)
}

fn fail(outcome: &mut Outcome, why: String) {
    outcome.failed += 1;
    if outcome.first_failure.is_none() {
        outcome.first_failure = Some(why);
    }
}

/// Writes one request and reads its answer (Content-Length or chunked body).
async fn exchange(
    stream: &mut TcpStream,
    request: &[u8],
    buffer: &mut Vec<u8>,
) -> Result<Answer, LoadError> {
    let addr = stream
        .peer_addr()
        .unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 0)));
    let io = |e| LoadError::Io(addr, e);
    stream.write_all(request).await.map_err(io)?;
    // The head.
    let head_end = loop {
        if let Some(at) = find(buffer, b"\r\n\r\n") {
            break at + 4;
        }
        read_more(stream, buffer, addr).await?;
    };
    let head = std::str::from_utf8(&buffer[..head_end])
        .map_err(|_| LoadError::Malformed(addr, "the head is not text"))?;
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse::<u16>().ok())
        .ok_or(LoadError::Malformed(addr, "no status"))?;
    let mut length = None;
    let mut chunked = false;
    for line in head.split("\r\n").skip(1) {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        if name.eq_ignore_ascii_case("content-length") {
            length = Some(
                value
                    .parse::<usize>()
                    .map_err(|_| LoadError::Malformed(addr, "bad Content-Length"))?,
            );
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            chunked = value.eq_ignore_ascii_case("chunked");
        }
    }
    buffer.drain(..head_end);
    let body = if chunked {
        read_chunked(stream, buffer, addr).await?
    } else {
        let length = length.unwrap_or(0);
        if length > MAX_ANSWER {
            return Err(LoadError::Malformed(addr, "answer too large"));
        }
        while buffer.len() < length {
            read_more(stream, buffer, addr).await?;
        }
        buffer.drain(..length).collect()
    };
    Ok(Answer { status, body })
}

async fn read_chunked(
    stream: &mut TcpStream,
    buffer: &mut Vec<u8>,
    addr: SocketAddr,
) -> Result<Vec<u8>, LoadError> {
    let mut body = Vec::new();
    loop {
        let line_end = loop {
            if let Some(at) = find(buffer, b"\r\n") {
                break at;
            }
            read_more(stream, buffer, addr).await?;
        };
        let size_text = std::str::from_utf8(&buffer[..line_end])
            .ok()
            .and_then(|l| l.split(';').next())
            .map(str::trim)
            .ok_or(LoadError::Malformed(addr, "bad chunk size"))?;
        let size = usize::from_str_radix(size_text, 16)
            .map_err(|_| LoadError::Malformed(addr, "bad chunk size"))?;
        if body.len() + size > MAX_ANSWER {
            return Err(LoadError::Malformed(addr, "answer too large"));
        }
        // The chunk and the CRLF after it (after the last, empty chunk: no trailers expected).
        let needed = line_end + 2 + size + 2;
        while buffer.len() < needed {
            read_more(stream, buffer, addr).await?;
        }
        body.extend_from_slice(&buffer[line_end + 2..line_end + 2 + size]);
        buffer.drain(..needed);
        if size == 0 {
            return Ok(body);
        }
    }
}

async fn read_more(
    stream: &mut TcpStream,
    buffer: &mut Vec<u8>,
    addr: SocketAddr,
) -> Result<(), LoadError> {
    if buffer.len() > MAX_ANSWER {
        return Err(LoadError::Malformed(addr, "answer too large"));
    }
    let mut chunk = [0u8; 16 * 1024];
    let read = stream
        .read(&mut chunk)
        .await
        .map_err(|e| LoadError::Io(addr, e))?;
    if read == 0 {
        return Err(LoadError::Io(
            addr,
            std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "closed by the server"),
        ));
    }
    buffer.extend_from_slice(&chunk[..read]);
    Ok(())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_values_are_encoded() {
        assert_eq!(form_encode("a-b_c.d~e"), "a-b_c.d~e");
        assert_eq!(form_encode("a+b/c="), "a%2Bb%2Fc%3D");
    }

    #[test]
    fn chained_requests_carry_the_latest_token() {
        let mut requests = Requests::Chained {
            head: "POST /t HTTP/1.1\r\n".into(),
            prefix: "grant_type=refresh_token&refresh_token=".into(),
            field: "refresh_token",
            token: "one".into(),
        };
        let text = String::from_utf8(requests.bytes()).unwrap_or_default();
        assert!(text.ends_with("\r\n\r\ngrant_type=refresh_token&refresh_token=one"));
        assert!(text.contains("Content-Length: 42\r\n"), "{text}");
        let answer = Answer {
            status: 200,
            body: br#"{"refresh_token":"two"}"#.to_vec(),
        };
        assert!(requests.follow(&answer));
        assert_eq!(requests.token(), Some("two"));
        let empty = Answer {
            status: 200,
            body: b"{}".to_vec(),
        };
        assert!(!requests.follow(&empty));
    }
}
