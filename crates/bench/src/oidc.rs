//! The `oidc` scenario: the OpenID Connect provider's machine-to-machine endpoints
//! (discovery, JWKS, the client credentials and refresh token grants, introspection and
//! userinfo) under closed-loop load, side by side with a peer provider in the same run: the
//! oidc-provider package on Node (`crates/bench/peer/`). Rounds alternate which of the two
//! goes first, and every figure is a median over rounds.
//!
//! Tessera runs as the release binary with the demo data on SQLite (or on a new PostgreSQL
//! database with `--postgres`); the bench signs the
//! operator in to register a confidential client for CASPER through the JSON API, then signs
//! Erika in and runs the authorization code flow once per connection, so that every
//! connection rotates a refresh token family of its own. The peer mints the same tokens
//! through its own models (it has no sign-in pages to go through). Discovery and JWKS are
//! also measured on a bare server answering Tessera's bytes (`bare.rs`): the ceiling that
//! the load client and the machine set.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::bare;
use crate::load::{self, Requests};
use crate::oidc_peer::{self, Running};
use crate::signin::{self, Codes, Cookies};

const OPERATOR: (&str, &str) = ("operator@tessera.example", "+4915550100001");
const ERIKA: (&str, &str) = ("erika.mustermann@bank-e.example", "+4915550100002");
const REDIRECT: &str = "https://casper.example/callback";
const SCOPE: &str = "openid profile email";
/// Both providers' access tokens must outlive the whole run.
const ACCESS_TOKEN_SECONDS: i64 = 3600;
/// Each endpoint of each provider is warmed up this long before the first round.
const WARM_UP: Duration = Duration::from_secs(1);

#[derive(Debug, thiserror::Error)]
pub enum OidcBenchError {
    #[error("{0}")]
    Setup(String),
    #[error(transparent)]
    Io(#[from] std::io::Error),
    #[error("HTTP: {0}")]
    Http(#[from] reqwest::Error),
    #[error("JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error(transparent)]
    Load(#[from] load::LoadError),
}

fn setup(why: impl Into<String>) -> OidcBenchError {
    OidcBenchError::Setup(why.into())
}

/// What the scenario is asked to do.
pub struct Options {
    pub connections: usize,
    pub seconds: f64,
    pub rounds: usize,
    pub peer_dir: Option<PathBuf>,
    /// Endpoint names to measure (empty: all).
    pub only: Vec<String>,
    /// An administrator's URL of a PostgreSQL server to run Tessera on (else SQLite).
    pub postgres: Option<String>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Endpoint {
    Discovery,
    Jwks,
    ClientCredentials,
    Refresh,
    Introspection,
    Userinfo,
}

const ENDPOINTS: [Endpoint; 6] = [
    Endpoint::Discovery,
    Endpoint::Jwks,
    Endpoint::ClientCredentials,
    Endpoint::Refresh,
    Endpoint::Introspection,
    Endpoint::Userinfo,
];

impl Endpoint {
    fn name(self) -> &'static str {
        match self {
            Endpoint::Discovery => "discovery",
            Endpoint::Jwks => "jwks",
            Endpoint::ClientCredentials => "client_credentials",
            Endpoint::Refresh => "refresh",
            Endpoint::Introspection => "introspection",
            Endpoint::Userinfo => "userinfo",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Endpoint::Discovery => "GET discovery",
            Endpoint::Jwks => "GET JWKS",
            Endpoint::ClientCredentials => "POST token (client_credentials)",
            Endpoint::Refresh => "POST token (refresh_token)",
            Endpoint::Introspection => "POST introspection",
            Endpoint::Userinfo => "GET userinfo",
        }
    }
}

/// One provider under test: where it listens, its endpoints' paths (from its discovery
/// document), the client's credentials and the tokens to present.
struct Target {
    process: Running,
    addr: SocketAddr,
    host: String,
    discovery: String,
    jwks: String,
    token: String,
    introspection: String,
    userinfo: String,
    basic: String,
    access_token: String,
    /// One refresh token chain per connection; each round goes on where the last stopped.
    chains: Vec<String>,
}

impl Target {
    fn requests(&self, endpoint: Endpoint, connections: usize) -> Vec<Requests> {
        let fixed = |requests: Requests| vec![requests; connections];
        match endpoint {
            Endpoint::Discovery => fixed(load::get(&self.host, &self.discovery, None)),
            Endpoint::Jwks => fixed(load::get(&self.host, &self.jwks, None)),
            Endpoint::ClientCredentials => fixed(load::post(
                &self.host,
                &self.token,
                &self.basic,
                "grant_type=client_credentials",
            )),
            Endpoint::Introspection => fixed(load::post(
                &self.host,
                &self.introspection,
                &self.basic,
                &format!("token={}", load::form_encode(&self.access_token)),
            )),
            Endpoint::Userinfo => fixed(load::get(
                &self.host,
                &self.userinfo,
                Some(&format!("Bearer {}", self.access_token)),
            )),
            Endpoint::Refresh => {
                let head: std::sync::Arc<str> =
                    load::post_head(&self.host, &self.token, &self.basic).into();
                let prefix: std::sync::Arc<str> = "grant_type=refresh_token&refresh_token=".into();
                self.chains
                    .iter()
                    .map(|token| Requests::Chained {
                        head: head.clone(),
                        prefix: prefix.clone(),
                        field: "refresh_token",
                        token: token.clone(),
                    })
                    .collect()
            }
        }
    }

    /// Runs one endpoint for `span`; the refresh chains move on to where they ended.
    fn measure(
        &mut self,
        endpoint: Endpoint,
        connections: usize,
        span: Duration,
    ) -> Result<(load::Outcome, Cpu), OidcBenchError> {
        self.process.check()?;
        let stat = format!("/proc/{}/stat", self.process.id());
        let server_before = signin::cpu_seconds(&stat);
        let client_before = signin::cpu_seconds("/proc/self/stat");
        let outcome = load::run(self.addr, self.requests(endpoint, connections), span)?;
        let cpu = Cpu {
            server: signin::cpu_seconds(&stat) - server_before,
            client: signin::cpu_seconds("/proc/self/stat") - client_before,
        };
        if endpoint == Endpoint::Refresh {
            self.chains = outcome
                .requests
                .iter()
                .filter_map(|r| r.token().map(str::to_owned))
                .collect();
        }
        Ok((outcome, cpu))
    }
}

/// CPU seconds spent during one measurement.
struct Cpu {
    server: f64,
    client: f64,
}

/// The figures of one endpoint of one provider over every round.
#[derive(Default)]
struct Figures {
    rates: Vec<f64>,
    latencies_us: Vec<u32>,
    cpu_seconds: f64,
    client_cpu_seconds: f64,
    requests: u64,
    failed: u64,
    first_failure: Option<String>,
}

impl Figures {
    fn add(&mut self, outcome: load::Outcome, cpu: Cpu) {
        self.rates.push(outcome.rate());
        self.requests += outcome.ok;
        self.failed += outcome.failed;
        if self.first_failure.is_none() {
            self.first_failure = outcome.first_failure;
        }
        self.latencies_us.extend(outcome.latencies_us);
        self.cpu_seconds += cpu.server;
        self.client_cpu_seconds += cpu.client;
    }

    fn rate(&self) -> f64 {
        median(&self.rates)
    }

    fn latency_ms(&mut self, q: f64) -> f64 {
        self.latencies_us.sort_unstable();
        let Some(last) = self.latencies_us.len().checked_sub(1) else {
            return f64::NAN;
        };
        let index = ((last as f64) * q).round() as usize;
        f64::from(self.latencies_us[index.min(last)]) / 1000.0
    }

    fn cpu_us_per_request(&self, seconds: f64) -> f64 {
        if self.requests == 0 {
            return f64::NAN;
        }
        seconds * 1e6 / self.requests as f64
    }
}

fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    match sorted.len() {
        0 => f64::NAN,
        n if !n.is_multiple_of(2) => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

pub fn run(tessera: &Path, options: &Options) -> Result<String, OidcBenchError> {
    let connections = options.connections.clamp(1, 256);
    let span = Duration::from_secs_f64(options.seconds.clamp(0.5, 60.0));
    let rounds = options.rounds.clamp(1, 20);
    let peer_dir = options
        .peer_dir
        .clone()
        .unwrap_or_else(oidc_peer::default_dir);
    if let Some(unknown) = options
        .only
        .iter()
        .find(|name| !ENDPOINTS.iter().any(|e| e.name() == name.as_str()))
    {
        return Err(setup(format!(
            "no endpoint '{unknown}': discovery, jwks, client_credentials, refresh, \
             introspection or userinfo"
        )));
    }
    let endpoints: Vec<Endpoint> = ENDPOINTS
        .into_iter()
        .filter(|e| options.only.is_empty() || options.only.iter().any(|n| n == e.name()))
        .collect();
    oidc_peer::install(&peer_dir)?;
    let (package, node) = oidc_peer::versions(&peer_dir);

    let data = tempfile::tempdir()?;
    let database = match &options.postgres {
        Some(admin) => Some(Database::create(admin)?),
        None => None,
    };
    let mut tessera = start_tessera(
        tessera,
        data.path(),
        connections,
        database.as_ref().map(|d| d.url.as_str()),
    )?;
    let mut peer = start_peer(&peer_dir, data.path(), connections)?;
    // The ceiling of the GET endpoints: a bare server answering Tessera's very bytes.
    let mut bares = Vec::new();
    for &endpoint in &endpoints {
        let path = match endpoint {
            Endpoint::Discovery => &tessera.discovery,
            Endpoint::Jwks => &tessera.jwks,
            _ => {
                bares.push(None);
                continue;
            }
        };
        let body = fetch(&format!("http://{}{path}", tessera.host))?;
        bares.push(Some(bare::start(&body, data.path())?));
    }

    for (&endpoint, bare) in endpoints.iter().zip(&mut bares) {
        for target in [&mut tessera, &mut peer] {
            target.measure(endpoint, connections, WARM_UP)?;
        }
        if let Some((process, addr)) = bare {
            measure_bare(process, *addr, connections, WARM_UP)?;
        }
    }
    let mut figures: Vec<[Figures; 2]> = endpoints.iter().map(|_| Default::default()).collect();
    let mut ceilings: Vec<Vec<f64>> = endpoints.iter().map(|_| Vec::new()).collect();
    for round in 0..rounds {
        for (endpoint, pair) in endpoints.iter().zip(figures.iter_mut()) {
            // Who goes first alternates, so neither always meets a warmer or cooler machine.
            let order = if round.is_multiple_of(2) {
                [0, 1]
            } else {
                [1, 0]
            };
            for side in order {
                let target = if side == 0 { &mut tessera } else { &mut peer };
                let (outcome, cpu) = target.measure(*endpoint, connections, span)?;
                pair[side].add(outcome, cpu);
            }
        }
        for ((process, addr), rates) in bares
            .iter_mut()
            .zip(&mut ceilings)
            .filter_map(|(b, r)| Some((b.as_mut()?, r)))
        {
            rates.push(measure_bare(process, *addr, connections, span)?);
        }
    }
    drop(bares);
    drop(peer);
    drop(tessera);
    drop(database);

    let mut out = format!(
        "oidc: {connections} keep-alive connections, {rounds} rounds of {:.1} s per endpoint and \
         provider, alternating; {} cores shared by both servers and this client\n\
         Tessera: release binary, {}, demo data. Peer: oidc-provider {package} on Node \
         {node} (one process), tokens in memory\n\n",
        span.as_secs_f64(),
        std::thread::available_parallelism().map_or(0, usize::from),
        if options.postgres.is_some() {
            "PostgreSQL"
        } else {
            "SQLite"
        },
    );
    out.push_str(&format!(
        "{:<32} {:>10} {:>10} {:>6} {:>16} {:>16} {:>12} {:>12} {:>12}\n",
        "endpoint",
        "tessera/s",
        "peer/s",
        "ratio",
        "tessera p50/p95",
        "peer p50/p95",
        "tessera CPU",
        "peer CPU",
        "client CPU"
    ));
    let mut failures = String::new();
    for (endpoint, [ours, theirs]) in endpoints.iter().zip(figures.iter_mut()) {
        out.push_str(&format!(
            "{:<32} {:>10.0} {:>10.0} {:>5.1}x {:>16} {:>16} {:>9.0} us {:>9.0} us {:>12}\n",
            endpoint.label(),
            ours.rate(),
            theirs.rate(),
            ours.rate() / theirs.rate(),
            format!(
                "{:.2}/{:.2} ms",
                ours.latency_ms(0.5),
                ours.latency_ms(0.95)
            ),
            format!(
                "{:.2}/{:.2} ms",
                theirs.latency_ms(0.5),
                theirs.latency_ms(0.95)
            ),
            ours.cpu_us_per_request(ours.cpu_seconds),
            theirs.cpu_us_per_request(theirs.cpu_seconds),
            format!(
                "{:.0}/{:.0} us",
                ours.cpu_us_per_request(ours.client_cpu_seconds),
                theirs.cpu_us_per_request(theirs.client_cpu_seconds)
            ),
        ));
        for (who, side) in [("tessera", &*ours), ("peer", &*theirs)] {
            if side.failed > 0 {
                failures.push_str(&format!(
                    "  {} {who}: {} failed, first: {}\n",
                    endpoint.label(),
                    side.failed,
                    side.first_failure.as_deref().unwrap_or("?")
                ));
            }
        }
    }
    out.push_str(
        "\nrates: medians over rounds of answers 200 per second; latency: over every request; \
         CPU: user+system time per request of the server process, and of this client \
         (against tessera/against the peer)\n",
    );
    let mut ceiling = String::new();
    for ((endpoint, rates), [ours, theirs]) in endpoints.iter().zip(&ceilings).zip(&figures) {
        if rates.is_empty() {
            continue;
        }
        let bare = median(rates);
        ceiling.push_str(&format!(
            "{:<32} {:>10.0} {:>12.0} {:>11.0}%\n",
            endpoint.label(),
            bare,
            5.0 * theirs.rate(),
            100.0 * ours.rate() / bare,
        ));
    }
    if !ceiling.is_empty() {
        out.push_str(&format!(
            "\nceiling: a bare HTTP/1.1 server on 2 threads answering Tessera's bytes and doing \
             nothing else, under the same client (what any server could reach here)\n\
             {:<32} {:>10} {:>12} {:>12}\n{ceiling}",
            "endpoint", "bare/s", "5x peer/s", "tessera/bare"
        ));
    }
    if !failures.is_empty() {
        out.push_str("\nfailures:\n");
        out.push_str(&failures);
    }
    Ok(out)
}

fn start_peer(dir: &Path, data: &Path, chains: usize) -> Result<Target, OidcBenchError> {
    let port = free_port()?;
    let (process, tokens) = oidc_peer::start(dir, port, chains, &data.join("peer.log"))?;
    let base = format!("http://127.0.0.1:{port}");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let (discovery, metadata) = rt.block_on(metadata(&base))?;
    if tokens.refresh_tokens.len() != chains {
        return Err(setup("the peer minted too few refresh tokens"));
    }
    Ok(Target {
        process,
        addr: SocketAddr::from(([127, 0, 0, 1], port)),
        host: format!("127.0.0.1:{port}"),
        discovery,
        jwks: metadata.path("jwks_uri")?,
        token: metadata.path("token_endpoint")?,
        introspection: metadata.path("introspection_endpoint")?,
        userinfo: metadata.path("userinfo_endpoint")?,
        basic: basic(&tokens.client_id, &tokens.client_secret),
        access_token: tokens.access_token,
        chains: tokens.refresh_tokens,
    })
}

fn start_tessera(
    tessera: &Path,
    data: &Path,
    chains: usize,
    database_url: Option<&str>,
) -> Result<Target, OidcBenchError> {
    let port = free_port()?;
    let spool = data.join("spool");
    let child = signin::start(tessera, &data.join("tessera"), &spool, port, database_url)
        .map_err(|e| setup(format!("tessera: {e}")))?;
    let process = Running::new("tessera", child);
    let base = format!("http://127.0.0.1:{port}");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let (discovery, metadata, client, tokens) = rt.block_on(async {
        let codes = Codes::default();
        let watcher = tokio::spawn(signin::watch_spool(
            spool.clone(),
            codes.clone(),
            Instant::now() + Duration::from_secs(120),
        ));
        let prepared = prepare_tessera(&base, &codes, chains).await;
        watcher.abort();
        let (client, tokens) = prepared?;
        let (discovery, metadata) = metadata(&base).await?;
        Ok::<_, OidcBenchError>((discovery, metadata, client, tokens))
    })?;
    let (access_token, chains) = tokens;
    Ok(Target {
        process,
        addr: SocketAddr::from(([127, 0, 0, 1], port)),
        host: format!("127.0.0.1:{port}"),
        discovery,
        jwks: metadata.path("jwks_uri")?,
        token: metadata.path("token_endpoint")?,
        introspection: metadata.path("introspection_endpoint")?,
        userinfo: metadata.path("userinfo_endpoint")?,
        basic: basic(&client.0, &client.1),
        access_token,
        chains,
    })
}

/// One round of load on the bare server; its rate.
fn measure_bare(
    process: &mut Running,
    addr: SocketAddr,
    connections: usize,
    span: Duration,
) -> Result<f64, OidcBenchError> {
    process.check()?;
    let host = addr.to_string();
    let outcome = load::run(addr, vec![load::get(&host, "/", None); connections], span)?;
    if outcome.failed > 0 {
        return Err(setup(format!(
            "the bare server failed: {}",
            outcome.first_failure.unwrap_or_default()
        )));
    }
    Ok(outcome.rate())
}

/// The body of a GET answered 200.
fn fetch(url: &str) -> Result<Vec<u8>, OidcBenchError> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    rt.block_on(async {
        let response = reqwest::get(url).await?.error_for_status()?;
        Ok(response.bytes().await?.to_vec())
    })
}

fn free_port() -> Result<u16, OidcBenchError> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

fn basic(id: &str, secret: &str) -> String {
    // RFC 6749 §2.3.1: both form-encoded before they are joined.
    let pair = format!("{}:{}", load::form_encode(id), load::form_encode(secret));
    format!("Basic {}", STANDARD.encode(pair))
}

/// A provider's discovery document.
struct Metadata(serde_json::Value);

impl Metadata {
    /// The path of one of the endpoints it names (the bench always connects to loopback).
    fn path(&self, field: &str) -> Result<String, OidcBenchError> {
        let url = self.0[field]
            .as_str()
            .ok_or_else(|| setup(format!("the discovery document has no {field}")))?;
        let rest = url
            .strip_prefix("http://")
            .ok_or_else(|| setup(format!("{field} is not a loopback http address: {url}")))?;
        let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
        if !(host.starts_with("127.0.0.1:") || host.starts_with("localhost:")) {
            return Err(setup(format!("{field} is not on loopback: {url}")));
        }
        Ok(format!("/{path}"))
    }
}

async fn metadata(base: &str) -> Result<(String, Metadata), OidcBenchError> {
    let path = "/.well-known/openid-configuration".to_owned();
    let answer = reqwest::get(format!("{base}{path}")).await?;
    if !answer.status().is_success() {
        return Err(setup(format!("{base}{path} answered {}", answer.status())));
    }
    Ok((path, Metadata(answer.json().await?)))
}

fn http() -> Result<reqwest::Client, OidcBenchError> {
    Ok(reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?)
}

/// Email, password and SMS code, as a browser would; the cookies of the session.
async fn sign_in(
    http: &reqwest::Client,
    base: &str,
    codes: &Codes,
    (email, phone): (&str, &str),
) -> Result<Cookies, OidcBenchError> {
    let step = |e: Box<dyn std::error::Error + Send + Sync>| setup(format!("{email}: {e}"));
    let mut cookies = Cookies::default();
    let answer = http.get(format!("{base}/signin?change=1")).send().await?;
    cookies.absorb(&answer);
    let csrf = cookies
        .get("tessera_csrf")
        .ok_or_else(|| setup("no CSRF cookie"))?
        .to_owned();
    let answer = http
        .post(format!("{base}/signin"))
        .header("cookie", cookies.header())
        .form(&[("csrf", csrf.as_str()), ("email", email)])
        .send()
        .await?;
    signin::expect(&answer, "/signin/password").map_err(step)?;
    cookies.absorb(&answer);
    let answer = http
        .post(format!("{base}/signin/password"))
        .header("cookie", cookies.header())
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", email),
            ("password", signin::PASSWORD),
        ])
        .send()
        .await?;
    signin::expect(&answer, "/signin/code").map_err(step)?;
    cookies.absorb(&answer);
    let code = signin::wait_for_code(codes, phone).await.map_err(step)?;
    let answer = http
        .post(format!("{base}/signin/code"))
        .header("cookie", cookies.header())
        .form(&[("csrf", csrf.as_str()), ("code", code.as_str())])
        .send()
        .await?;
    signin::expect(&answer, "/account").map_err(step)?;
    cookies.absorb(&answer);
    Ok(cookies)
}

type ClientPair = (String, String);
type Tokens = (String, Vec<String>);

/// Registers a confidential client for CASPER as the operator, then runs the code flow for
/// Erika once per chain: the client's id and secret, an access token and the refresh tokens.
async fn prepare_tessera(
    base: &str,
    codes: &Codes,
    chains: usize,
) -> Result<(ClientPair, Tokens), OidcBenchError> {
    let http = http()?;
    let operator = sign_in(&http, base, codes, OPERATOR).await?;
    let list: serde_json::Value = http
        .get(format!("{base}/api/v1/applications"))
        .header("cookie", operator.header())
        .send()
        .await?
        .json()
        .await?;
    let casper = list["applications"]
        .as_array()
        .and_then(|apps| apps.iter().find(|a| a["code"] == "CASPER"))
        .and_then(|a| a["id"].as_str())
        .ok_or_else(|| setup(format!("no CASPER among the applications: {list}")))?
        .to_owned();
    let answer = http
        .post(format!("{base}/api/v1/applications/{casper}/oidc-clients"))
        .header("cookie", operator.header())
        .header("x-csrf-token", operator.get("tessera_csrf").unwrap_or(""))
        .json(&serde_json::json!({
            "environment": "production",
            "name": "Benchmark",
            "redirect_uris": [REDIRECT],
            "grant_types": ["refresh_token", "client_credentials"],
            "access_token_seconds": ACCESS_TOKEN_SECONDS,
        }))
        .send()
        .await?;
    let status = answer.status();
    let client: serde_json::Value = answer.json().await?;
    let (Some(id), Some(secret)) = (
        client["client_id"].as_str(),
        client["client_secret"].as_str(),
    ) else {
        return Err(setup(format!(
            "registering a client answered {status}: {client}"
        )));
    };
    let client = (id.to_owned(), secret.to_owned());
    let basic = basic(&client.0, &client.1);

    let erika = sign_in(&http, base, codes, ERIKA).await?;
    let authorize = format!(
        "{base}/oidc/authorize?response_type=code&client_id={}&redirect_uri={}&scope={}&state=bench",
        load::form_encode(&client.0),
        load::form_encode(REDIRECT),
        load::form_encode(SCOPE),
    );
    let mut access_token = None;
    let mut refresh_tokens = Vec::with_capacity(chains);
    for _ in 0..chains {
        let answer = http
            .get(&authorize)
            .header("cookie", erika.header())
            .send()
            .await?;
        let location = answer
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let code = location
            .strip_prefix(REDIRECT)
            .and_then(|rest| rest.strip_prefix('?'))
            .and_then(|query| query.split('&').find_map(|pair| pair.strip_prefix("code=")))
            .ok_or_else(|| {
                setup(format!(
                    "the authorization endpoint answered {} to {location:?}",
                    answer.status()
                ))
            })?
            .to_owned();
        let answer = http
            .post(format!("{base}/oidc/token"))
            .header("authorization", &basic)
            .form(&[
                ("grant_type", "authorization_code"),
                ("code", code.as_str()),
                ("redirect_uri", REDIRECT),
            ])
            .send()
            .await?;
        let tokens: serde_json::Value = answer.json().await?;
        let (Some(access), Some(refresh)) = (
            tokens["access_token"].as_str(),
            tokens["refresh_token"].as_str(),
        ) else {
            return Err(setup(format!("the code exchange answered {tokens}")));
        };
        access_token.get_or_insert_with(|| access.to_owned());
        refresh_tokens.push(refresh.to_owned());
    }
    let access_token = access_token.ok_or_else(|| setup("no access token"))?;
    Ok((client, (access_token, refresh_tokens)))
}

/// A PostgreSQL database made for one run, dropped when the run ends, however it ends.
struct Database {
    admin: String,
    name: String,
    url: String,
}

impl Database {
    fn create(admin: &str) -> Result<Self, OidcBenchError> {
        let name = format!("tessera_oidc_bench_{}", uuid::Uuid::new_v4().simple());
        let Some((base, _)) = admin.rsplit_once('/') else {
            return Err(setup("the PostgreSQL address has no database part"));
        };
        let database = Self {
            admin: admin.to_owned(),
            url: format!("{base}/{name}"),
            name,
        };
        database.admin_sql(&format!("CREATE DATABASE {}", database.name))?;
        Ok(database)
    }

    fn admin_sql(&self, sql: &str) -> Result<(), OidcBenchError> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        rt.block_on(async {
            let store = tessera_store::Store::open(&self.admin)
                .await
                .map_err(|e| setup(format!("PostgreSQL: {e}")))?;
            crate::directory::exec_admin(&store, sql)
                .await
                .map_err(|e| setup(format!("PostgreSQL: {e}")))?;
            store.close().await;
            Ok(())
        })
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        let _ = self.admin_sql(&format!("DROP DATABASE {} WITH (FORCE)", self.name));
    }
}
