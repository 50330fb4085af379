//! The `tessera` binary.

mod config;
mod datadir;
mod logging;
mod run;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::config::Overrides;

/// mimalloc rather than the C library's allocator: under tokio a request's memory is often
/// allocated on one worker thread and freed on another, which the C library's allocator
/// serialises on the first thread's arena lock (a tenth of the server's time on the JWKS
/// endpoint under load; the client credentials grant costs about 15% less CPU with mimalloc).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "tessera", version, about = "Tessera identity portal")]
struct Cli {
    /// A TOML configuration file (see `tessera config defaults`).
    #[arg(long, global = true, env = "TESSERA_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server.
    Serve {
        /// Load the demonstration data set into an empty database and print its accounts.
        #[arg(long)]
        demo: bool,
        /// Address and port to listen on (e.g. 127.0.0.1:8080).
        #[arg(long)]
        listen: Option<String>,
        /// postgres://... to use PostgreSQL instead of the embedded SQLite database.
        #[arg(long)]
        database_url: Option<String>,
        /// Folder for the SQLite database, the secret key and the lock file.
        #[arg(long)]
        data_dir: Option<PathBuf>,
    },
    /// Check or print the configuration.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Administrative tasks on the command line.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// The audit trail.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Messages waiting, delivered and failed.
    #[command(subcommand)]
    Outbox(OutboxCommand),
    /// The keys that sign tokens.
    #[command(subcommand)]
    Keys(KeysCommand),
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Create a new signing key now: published at once, signing after an hour, the old keys
    /// published a day longer (the sweep also rotates every 90 days).
    Rotate {
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Subcommand)]
enum OutboxCommand {
    /// Counts by state, then the latest messages (recipients masked, values never shown).
    List {
        /// Only messages in this state: queued, delivered or failed.
        #[arg(long)]
        state: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: i64,
        #[command(flatten)]
        db: DbArgs,
    },
}

/// Where the data is, for commands that open the database.
#[derive(clap::Args)]
struct DbArgs {
    /// Folder for the SQLite database and the secret key.
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// postgres://... to use PostgreSQL instead of the embedded SQLite database.
    #[arg(long)]
    database_url: Option<String>,
}

impl From<DbArgs> for Overrides {
    fn from(args: DbArgs) -> Self {
        Overrides {
            data_dir: args.data_dir,
            database_url: args.database_url,
            ..Overrides::default()
        }
    }
}

#[derive(Subcommand)]
enum ConfigCommand {
    /// Load the configuration, check every value, and print the result.
    Check,
    /// Print the default configuration file, with comments.
    Defaults,
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create an operator at the root level. The password is read from standard input
    /// (one line), so it never appears in the shell's history or the process list.
    CreateOperator {
        #[arg(long)]
        email: String,
        #[arg(long)]
        first_name: String,
        #[arg(long)]
        last_name: String,
        /// E-mail language: en, fr or de.
        #[arg(long, default_value = "en")]
        language: String,
        #[command(flatten)]
        db: DbArgs,
    },
    /// End every session of an account (a lost device, a departure).
    EndSessions {
        #[arg(long)]
        email: String,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Lift a sign-in lock (after too many failed attempts) for an e-mail address.
    UnlockSignIn {
        #[arg(long)]
        email: String,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Queue a test message to check a channel's delivery (a running Tessera sends it).
    SendTestMessage {
        /// email, sms or voice.
        #[arg(long)]
        channel: String,
        /// An e-mail address, or a phone number in international format (+...).
        #[arg(long)]
        to: String,
        #[arg(long, default_value = "en")]
        language: String,
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check the hash chain of the whole audit trail; exits 1 if it was tampered with.
    Verify {
        #[command(flatten)]
        db: DbArgs,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let file = cli.config.as_deref();
    let load = |overrides: Overrides| config::Config::load(file, &overrides);
    let outcome = match cli.command {
        Command::Config(ConfigCommand::Defaults) => {
            print!("{}", config::DEFAULTS_TOML);
            Ok(())
        }
        Command::Config(ConfigCommand::Check) => load(Overrides::default())
            .map_err(run::Failure::Config)
            .map(|config| run::print_config(&config)),
        Command::Serve {
            demo,
            listen,
            database_url,
            data_dir,
        } => load(Overrides {
            listen,
            database_url,
            data_dir,
        })
        .map_err(run::Failure::Config)
        .and_then(|config| run::block_on(run::serve(config, demo))),
        Command::Admin(AdminCommand::CreateOperator {
            email,
            first_name,
            last_name,
            language,
            db,
        }) => load(db.into())
            .map_err(run::Failure::Config)
            .and_then(|config| {
                run::block_on(run::create_operator(
                    config, email, first_name, last_name, language,
                ))
            }),
        Command::Admin(AdminCommand::EndSessions { email, db }) => load(db.into())
            .map_err(run::Failure::Config)
            .and_then(|config| run::block_on(run::end_sessions(config, email))),
        Command::Admin(AdminCommand::UnlockSignIn { email, db }) => load(db.into())
            .map_err(run::Failure::Config)
            .and_then(|config| run::block_on(run::unlock_sign_in(config, email))),
        Command::Admin(AdminCommand::SendTestMessage {
            channel,
            to,
            language,
            db,
        }) => load(db.into())
            .map_err(run::Failure::Config)
            .and_then(|config| {
                run::block_on(run::send_test_message(config, channel, to, language))
            }),
        Command::Outbox(OutboxCommand::List { state, limit, db }) => load(db.into())
            .map_err(run::Failure::Config)
            .and_then(|config| run::block_on(run::outbox_list(config, state, limit))),
        Command::Audit(AuditCommand::Verify { db }) => load(db.into())
            .map_err(run::Failure::Config)
            .and_then(|config| run::block_on(run::verify_audit(config))),
        Command::Keys(KeysCommand::Rotate { db }) => load(db.into())
            .map_err(run::Failure::Config)
            .and_then(|config| run::block_on(run::rotate_keys(config))),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("tessera: {failure}");
            failure.exit_code()
        }
    }
}
