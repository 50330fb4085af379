//! What each command does: wiring the layers together.

use std::io::BufRead;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use tessera_app::audit::ChainReport;
use tessera_app::{App, AppConfig, AppError, Ctx, NewOperator};
use tessera_store::{Store, StoreError};
use tessera_web::{AppState, WebConfig};
use tokio::net::TcpListener;

use crate::config::{Config, ConfigError};
use crate::datadir::{DataDir, DataDirError, load_or_create_secret_key};
use crate::logging;

/// How long requests in flight may take to finish after a stop signal.
const DRAIN_LIMIT: Duration = Duration::from_secs(30);

#[derive(Debug, thiserror::Error)]
pub enum Failure {
    #[error("{0}")]
    Config(ConfigError),
    #[error("{0}")]
    DataDir(#[from] DataDirError),
    #[error("database: {0}")]
    Store(#[from] StoreError),
    #[error("{0}")]
    App(#[from] AppError),
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: String,
        source: std::io::Error,
    },
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("the audit trail has been tampered with: {0}")]
    Tampered(String),
}

impl Failure {
    pub fn exit_code(&self) -> ExitCode {
        match self {
            Failure::Config(_) => ExitCode::from(2),
            _ => ExitCode::FAILURE,
        }
    }
}

pub fn block_on<F: Future<Output = Result<(), Failure>>>(work: F) -> Result<(), Failure> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(work)
}

pub fn print_config(config: &Config) {
    println!("configuration OK");
    println!("  listen          {}", config.listen);
    println!("  public_url      {}", config.effective_public_url());
    println!("  data_dir        {}", config.data_dir.display());
    println!(
        "  database        {}",
        tessera_store::redact_url(&config.effective_database_url())
    );
    println!("  secret key      {}", config.secret_key_path().display());
    println!(
        "  log             {} ({})",
        config.log.format, config.log.level
    );
    println!(
        "  delivery        e-mail: {}, SMS and voice: {}",
        config.delivery.email, config.delivery.sms
    );
}

fn app_config(config: &Config) -> AppConfig {
    let mut app = AppConfig::new(&config.effective_public_url());
    if config.passwords.hash_parallel > 0 {
        app.hash_parallel = config.passwords.hash_parallel;
    }
    if config.passwords.hash_queue > 0 {
        app.hash_queue = config.passwords.hash_queue;
    }
    app
}

/// Opens and migrates the database and brings up the app with its secret key.
async fn open_app(config: &Config) -> Result<(App, Store), Failure> {
    let (key, created) = load_or_create_secret_key(&config.secret_key_path())?;
    if created {
        tracing::info!(path = %config.secret_key_path().display(), "created a new secret key");
    }
    let store = Store::open(&config.effective_database_url()).await?;
    store.migrate().await?;
    let app = App::new(store.clone(), app_config(config), &key)?;
    Ok((app, store))
}

pub async fn serve(config: Config, demo: bool) -> Result<(), Failure> {
    let started = Instant::now();
    logging::init(&config.log);
    let _data_dir = DataDir::open(&config.data_dir)?;
    let (app, store) = open_app(&config).await?;
    let boot = app.bootstrap().await?;
    tracing::info!(
        backend = store.backend().as_str(),
        signing_key = %boot.signing_kid,
        created_root = boot.created_root,
        "database ready"
    );

    let listener = TcpListener::bind(&config.listen)
        .await
        .map_err(|source| Failure::Listen {
            addr: config.listen.clone(),
            source,
        })?;
    let public_url = app.config().public_url.clone();

    if demo {
        let report = app.load_demo().await?;
        print_demo(&public_url, &report);
    } else if let Some(link) = app.issue_setup_link().await? {
        println!();
        println!(
            "Tessera has no operator yet. To create the first one, open this link within 24 hours:"
        );
        println!();
        println!("    {}", link.url);
        println!();
        println!("or run `tessera admin create-operator` on this server.");
        println!();
    }

    let state = AppState::new(
        app,
        WebConfig {
            public_url: public_url.clone(),
        },
    );
    let router = tessera_web::router(state);
    tracing::info!(
        listen = %config.listen,
        url = %public_url,
        started_ms = started.elapsed().as_millis() as u64,
        "Tessera is listening"
    );

    let (stopping_tx, stopping_rx) = tokio::sync::oneshot::channel::<()>();
    let shutdown = async move {
        stop_signal().await;
        tracing::info!("stop signal received: finishing requests in flight");
        let _ = stopping_tx.send(());
    };
    let server = tessera_web::serve(listener, router, shutdown);
    tokio::select! {
        result = server => result?,
        () = async {
            if stopping_rx.await.is_ok() {
                tokio::time::sleep(DRAIN_LIMIT).await;
            } else {
                std::future::pending::<()>().await;
            }
        } => {
            tracing::warn!("requests still in flight after {DRAIN_LIMIT:?}: stopping anyway");
        }
    }
    store.close().await;
    tracing::info!("Tessera stopped");
    Ok(())
}

fn print_demo(public_url: &str, report: &tessera_app::DemoReport) {
    println!();
    if report.loaded_now {
        println!(
            "Demonstration data loaded. Accounts (password for all: {}):",
            tessera_app::DEMO_PASSWORD
        );
    } else {
        println!(
            "Demonstration data present. Accounts (password for all: {}):",
            tessera_app::DEMO_PASSWORD
        );
    }
    println!();
    for account in &report.accounts {
        println!(
            "    {:<9} {:<34} {:<24} {}",
            account.role, account.email, account.name, account.level
        );
    }
    println!();
    println!("Open {public_url}/ in a browser.");
    println!();
}

/// Completes on SIGTERM (service managers, orchestrators) or Ctrl-C.
async fn stop_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}

pub async fn create_operator(
    config: Config,
    email: String,
    first_name: String,
    last_name: String,
    language: String,
) -> Result<(), Failure> {
    logging::init(&config.log);
    eprintln!("Password for {email} (one line on standard input):");
    let mut password = String::new();
    std::io::stdin().lock().read_line(&mut password)?;
    let password = password.trim_end_matches(['\r', '\n']).to_owned();
    let (app, store) = open_app(&config).await?;
    app.bootstrap().await?;
    let user = app
        .create_operator(
            NewOperator {
                first_name,
                last_name,
                email,
                language,
                password,
                confirm: None,
            },
            &Ctx::system(),
        )
        .await;
    store.close().await;
    let user = user?;
    println!("Operator {} <{}> created.", user.display_name(), user.email);
    Ok(())
}

pub async fn verify_audit(config: Config) -> Result<(), Failure> {
    logging::init(&config.log);
    let (app, store) = open_app(&config).await?;
    let report = app.verify_audit_chain().await;
    store.close().await;
    match report? {
        ChainReport::Intact { events } => {
            println!("audit trail intact: {events} events, every one linked to the one before");
            Ok(())
        }
        ChainReport::Broken(broken) => Err(Failure::Tampered(broken.to_string())),
    }
}
