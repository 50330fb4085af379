//! `tessera-bench`: measures the release binary and prints a table. Every figure is a median
//! over repeated runs, next to a peer measured in the same invocation, because the machines
//! this runs on are shared and noisy: compare ratios, not absolute numbers, across runs.
//!
//! Scenarios (more arrive with later work):
//! - `startup`: time from process start to /readyz answering 200 on an empty SQLite
//!   database, and resident memory when idle; the peer is the bare cost of starting the same
//!   binary (`tessera --version`).

mod report;
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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
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
