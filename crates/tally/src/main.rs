//! `tally`: the server and its operator commands.
//!
//! The thin shell of Tally: it reads configuration, wires the domain crates to
//! PostgreSQL (through the `database` crate), serves pages, the API and the webhook
//! receiver with actix-web, and runs the background workers. Handlers parse, call a use
//! case (`usecases/`), and render; only this crate knows HTTP status codes. It never
//! writes SQL (that is the `database` crate's) and never does arithmetic on points
//! (that is the `ledger` crate's).

mod cli;
mod config;
mod http;
mod telemetry;
mod usecases;

use clap::Parser;

fn main() -> std::process::ExitCode {
    // A `.env` file in the working directory fills in what the environment lacks.
    let _ = dotenvy::dotenv();
    let args = cli::Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: could not start the async runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(cli::run(args)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
