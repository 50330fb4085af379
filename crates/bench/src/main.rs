//! `tessera-bench`: measures the release binary and prints a table. Every figure is a median
//! over repeated runs, next to a peer measured in the same invocation, because the machines
//! this runs on are shared and noisy: compare ratios, not absolute numbers, across runs.
//!
//! Scenarios (more arrive with later work):
//! - `startup`: time from process start to /readyz answering 200 on an empty SQLite
//!   database, and resident memory when idle; the peer is the bare cost of starting the same
//!   binary (`tessera --version`).
//! - `signin`: full sign-ins (e-mail, password, SMS code) per second, beside the number of
//!   Argon2id hashes per second the machine computes on its cores (the bound), with the
//!   latency of each step.
//! - `directory`: the Users page's searches over a database of many users and levels (SQLite,
//!   or PostgreSQL with `--postgres URL`), beside an account looked up by its exact address.
//! - `oidc`: discovery, JWKS, the client credentials and refresh grants, introspection and
//!   userinfo under closed-loop load, beside the oidc-provider package on Node (the peer in
//!   `crates/bench/peer/`) on the same endpoints in the same run.

mod bare;
mod directory;
mod load;
mod oidc;
mod oidc_peer;
mod report;
mod signin;
mod startup;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "tessera-bench", about = "Benchmarks of the tessera binary")]
struct Cli {
    /// The tessera binary to measure (default: the one beside this program).
    #[arg(long)]
    tessera: Option<PathBuf>,
    #[command(subcommand)]
    scenario: Scenario,
}

#[derive(Subcommand)]
enum Scenario {
    /// Start-to-ready time and idle memory on an empty SQLite database.
    Startup {
        /// How many starts to measure.
        #[arg(long, default_value_t = 15)]
        runs: usize,
    },
    /// The Users page's searches over many users and levels.
    Directory {
        #[arg(long, default_value_t = 1_000_000)]
        users: usize,
        #[arg(long, default_value_t = 10_000)]
        levels: usize,
        /// Run on PostgreSQL: an administrator's address (a database is created and dropped).
        #[arg(long)]
        postgres: Option<String>,
        /// Searches of each kind.
        #[arg(long, default_value_t = 200)]
        queries: usize,
        /// Keep the filled database afterwards (its place is printed), to look at plans.
        #[arg(long)]
        keep: bool,
    },
    /// Full sign-ins (e-mail, password, SMS code) per second, beside Argon2id's own bound.
    Signin {
        /// Clients signing in at once (each with its own demo account, at most 5).
        #[arg(long, default_value_t = 4)]
        clients: usize,
        /// How long to sign in, in seconds.
        #[arg(long, default_value_t = 20)]
        seconds: u64,
    },
    /// OpenID Connect endpoints under load, beside the oidc-provider package on Node.
    Oidc {
        /// Keep-alive connections at once, each sending its next request on each answer.
        #[arg(long, default_value_t = 32)]
        connections: usize,
        /// How long each endpoint of each provider is loaded in each round, in seconds.
        #[arg(long, default_value_t = 4.0)]
        seconds: f64,
        /// Rounds (the order of the two providers alternates).
        #[arg(long, default_value_t = 5)]
        rounds: usize,
        /// The peer's folder (default: crates/bench/peer of the source tree).
        #[arg(long)]
        peer_dir: Option<PathBuf>,
        /// Only these endpoints (discovery, jwks, client_credentials, refresh,
        /// introspection, userinfo), comma-separated; all by default.
        #[arg(long, value_delimiter = ',')]
        only: Vec<String>,
        /// Run Tessera on a new database of this PostgreSQL server (an administrator's URL;
        /// the database is dropped afterwards) instead of SQLite.
        #[arg(long)]
        postgres: Option<String>,
    },
    /// The `oidc` scenario's bare server: answers every GET with this file's bytes.
    #[command(hide = true)]
    Bare { body: PathBuf },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Scenario::Bare { body } = &cli.scenario {
        return match bare::serve(body) {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                eprintln!("tessera-bench bare: {error}");
                ExitCode::FAILURE
            }
        };
    }
    let tessera = cli.tessera.unwrap_or_else(|| {
        std::env::current_exe()
            .ok()
            .and_then(|exe| exe.parent().map(|dir| dir.join("tessera")))
            .unwrap_or_else(|| PathBuf::from("tessera"))
    });
    if !tessera.exists() {
        eprintln!(
            "tessera-bench: no tessera binary at {}; build it with `cargo build --release`",
            tessera.display()
        );
        return ExitCode::FAILURE;
    }
    let result = match cli.scenario {
        Scenario::Startup { runs } => startup::run(&tessera, runs.max(1)),
        Scenario::Directory {
            users,
            levels,
            postgres,
            queries,
            keep,
        } => directory::run(users, levels, postgres, queries.max(1), keep)
            .map_err(|e| e.to_string().into()),
        Scenario::Signin { clients, seconds } => {
            signin::run(&tessera, clients, seconds.max(1)).map_err(|e| e.to_string().into())
        }
        Scenario::Oidc {
            connections,
            seconds,
            rounds,
            peer_dir,
            only,
            postgres,
        } => {
            let options = oidc::Options {
                connections,
                seconds,
                rounds,
                peer_dir,
                only,
                postgres,
            };
            oidc::run(&tessera, &options).map_err(|e| e.to_string().into())
        }
        Scenario::Bare { .. } => Ok(String::new()),
    };
    match result {
        Ok(table) => {
            print!("{table}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("tessera-bench: {error}");
            ExitCode::FAILURE
        }
    }
}
