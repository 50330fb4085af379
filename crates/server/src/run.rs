//! What each command does: wiring the layers together.

use std::io::BufRead;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use tessera_app::audit::ChainReport;
use tessera_app::{App, AppConfig, AppError, Ctx, NewOperator};
use tessera_domain::message::{Channel, DeliveryState};
use tessera_notify::{Adapters, DeliveryWorker, WorkerConfig};
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
        "  delivery        e-mail: {}, SMS: {}, voice: {}",
        config.delivery.email, config.delivery.sms, config.delivery.voice
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
    if !config.passwords.leaked_list_file.is_empty() {
        app.leaked_list = Some(config.passwords.leaked_list_file.clone().into());
    }
    app.required_assurance = config.signin.required_assurance;
    app.method_assurance = config.signin.assurance;
    // Checked when the configuration was loaded; the default would only stand in for a bug.
    app.captcha.difficulty =
        tessera_domain::captcha::Difficulty::new(config.captcha.difficulty_bits)
            .unwrap_or_default();
    app.captcha.per_address_per_minute = config.captcha.per_address_per_minute;
    app.registration_open = config.registration.open;
    app.registration_per_email_per_day = config.registration.per_email_per_day;
    let give_up = i64::try_from(config.delivery.give_up_after_secs).unwrap_or(i64::MAX);
    app.retry.give_up_after = time::Duration::seconds(give_up);
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

    let adapters = Adapters::from_config(&config.delivery, &config.data_dir).map_err(|e| {
        Failure::Config(ConfigError::Invalid {
            key: e.key,
            message: e.message,
        })
    })?;
    let worker = DeliveryWorker::new(
        app.clone(),
        adapters,
        WorkerConfig {
            poll: Duration::from_millis(config.delivery.poll_interval_ms),
            ..WorkerConfig::default()
        },
    );
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let worker = tokio::spawn(worker.run(wait_for(stopped.clone())));
    let retention = time::Duration::days(i64::from(config.housekeeping.message_retention_days));
    let sweeper = tokio::spawn(sweep_now_and_then(
        app.clone(),
        retention,
        wait_for(stopped.clone()),
    ));

    let state = AppState::new(
        app,
        WebConfig {
            signin_per_address_per_minute: config.signin.per_address_per_minute,
            register_per_address_per_minute: config.registration.per_address_per_minute,
            ..WebConfig::new(&public_url)
        },
    );
    let router = tessera_web::router(state);
    tracing::info!(
        listen = %config.listen,
        url = %public_url,
        started_ms = started.elapsed().as_millis() as u64,
        "Tessera is listening"
    );

    tokio::spawn(async move {
        stop_signal().await;
        tracing::info!("stop signal received: finishing requests and deliveries in flight");
        let _ = stop.send(true);
    });
    let server = tessera_web::serve(listener, router, wait_for(stopped.clone()));
    tokio::select! {
        result = server => result?,
        () = async {
            wait_for(stopped.clone()).await;
            tokio::time::sleep(DRAIN_LIMIT).await;
        } => {
            tracing::warn!("requests still in flight after {DRAIN_LIMIT:?}: stopping anyway");
        }
    }
    sweeper.abort();
    if tokio::time::timeout(DRAIN_LIMIT, worker).await.is_err() {
        tracing::warn!("deliveries still in flight after {DRAIN_LIMIT:?}: stopping anyway");
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
            "    {:<9} {:<34} {:<24} {:<17} {}",
            account.role, account.email, account.name, account.level, account.phone
        );
    }
    println!();
    println!("Sign-in codes go by SMS to the phone shown; with the console adapter (the default)");
    println!("they are printed in this log.");
    println!("Open {public_url}/ in a browser.");
    println!();
}

/// How often each node sweeps rows that are no longer needed.
const SWEEP_EVERY: Duration = Duration::from_secs(600);

/// Sweeps a minute after start, then every ten minutes, until `stop`.
async fn sweep_now_and_then(app: App, retention: time::Duration, stop: impl Future<Output = ()>) {
    tokio::pin!(stop);
    let mut wait = Duration::from_secs(60);
    loop {
        tokio::select! {
            () = &mut stop => break,
            () = tokio::time::sleep(wait) => {}
        }
        if let Err(error) = app.sweep(retention).await {
            tracing::warn!(%error, "housekeeping sweep failed");
        }
        wait = SWEEP_EVERY;
    }
}

/// Completes once the stop flag is raised.
async fn wait_for(mut stopped: tokio::sync::watch::Receiver<bool>) {
    // An error means the sender is gone, which only happens at exit: stop then too.
    let _ = stopped.wait_for(|stop| *stop).await;
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

pub async fn rotate_keys(config: Config) -> Result<(), Failure> {
    logging::init(&config.log);
    let (app, store) = open_app(&config).await?;
    let rotation = app.rotate_signing_key(&tessera_app::Ctx::system()).await;
    store.close().await;
    let rotation = rotation?;
    println!(
        "new signing keys {} (ES256, RS256, EdDSA) published now, signing in an hour; {} older key(s) published until {}",
        rotation.new_kids.join(", "),
        rotation.replaced,
        rotation.replaced_leave_at
    );
    Ok(())
}

pub async fn outbox_list(config: Config, state: Option<String>, limit: i64) -> Result<(), Failure> {
    logging::init(&config.log);
    let state = match state.as_deref() {
        None => None,
        Some(name) => Some(DeliveryState::parse(name).ok_or_else(|| {
            Failure::Config(ConfigError::Invalid {
                key: "--state",
                message: format!("'{name}' is not one of: queued, delivered, failed"),
            })
        })?),
    };
    let (app, store) = open_app(&config).await?;
    let view = app.outbox_view(&Ctx::system(), state, limit).await;
    store.close().await;
    let view = view?;
    println!(
        "queued {}, delivered {}, failed {}",
        view.queued, view.delivered, view.failed
    );
    println!();
    println!(
        "{:<36}  {:<7} {:<26} {:<18} {:<9} {:>8}  last error",
        "id", "channel", "recipient", "template", "state", "attempts"
    );
    for item in view.items {
        println!(
            "{:<36}  {:<7} {:<26} {:<18} {:<9} {:>8}  {}",
            item.id,
            item.channel.as_str(),
            item.recipient,
            item.template,
            item.state.as_str(),
            item.attempts,
            item.last_error.unwrap_or_default()
        );
    }
    Ok(())
}

pub async fn send_test_message(
    config: Config,
    channel: String,
    to: String,
    language: String,
) -> Result<(), Failure> {
    logging::init(&config.log);
    let channel = Channel::parse(&channel).ok_or_else(|| {
        Failure::Config(ConfigError::Invalid {
            key: "--channel",
            message: format!("'{channel}' is not one of: email, sms, voice"),
        })
    })?;
    let (app, store) = open_app(&config).await?;
    let queued = app
        .send_test_message(&Ctx::system(), channel, &to, &language)
        .await;
    store.close().await;
    let id = queued?;
    println!(
        "Test message {id} queued; a running Tessera delivers it (see `tessera outbox list`)."
    );
    Ok(())
}

pub async fn unlock_sign_in(config: Config, email: String) -> Result<(), Failure> {
    logging::init(&config.log);
    let (app, store) = open_app(&config).await?;
    let unlocked = app.unlock_sign_in(&Ctx::system(), &email).await;
    store.close().await;
    if unlocked? {
        println!("Signing in with {email} is no longer paused.");
    } else {
        println!("Signing in with {email} was not paused; its failure count is reset.");
    }
    Ok(())
}

pub async fn end_sessions(config: Config, email: String) -> Result<(), Failure> {
    logging::init(&config.log);
    let (app, store) = open_app(&config).await?;
    let ended = app.end_sessions_of(&Ctx::system(), &email).await;
    store.close().await;
    println!("{} session(s) of {email} ended.", ended?);
    Ok(())
}
