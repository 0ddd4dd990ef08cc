//! `cargo xtask`: the developer and operator commands of the Tally workspace.
//!
//! xtask owns the *workflow around* Tally: finding or starting a PostgreSQL server
//! (the system one, `DATABASE_URL`, or a private cluster under `target/pg`), building the
//! `tally` binary, running it, and running the test suite against a real database.
//!
//! xtask must never know Tally's domain rules or its SQL schema. Migrations, demo data
//! and serving are done by calling the `tally` binary (`tally migrate`,
//! `tally admin seed-demo`, `tally serve`); the only SQL here is the server-level
//! bookkeeping any PostgreSQL client does (`select 1`, `CREATE DATABASE`).
//!
//! It has no dependencies beyond std, so `cargo xtask` builds in seconds on a fresh clone.
//! Commands: `dev`, `test`, `seed`, `woo-sim`, `bench` (see [`USAGE`]).

mod bench;
mod cluster;
mod dev;
mod http;
mod json;
mod pg_bins;
mod postgres;
mod process;
mod seed;
mod store;
mod tally;
mod test;
mod workspace;

use std::fmt;
use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <command> [options]

commands:
  dev [--private-db] [--smoke]   provision PostgreSQL, migrate, seed demo data and serve
                                 the app (Ctrl-C stops it); --smoke checks /readyz and exits
  test [--private-db] [-- ARGS]  provision PostgreSQL and run every test (nextest when
                                 installed); ARGS go to the test runner
  seed [--private-db] [--json]   provision PostgreSQL, migrate and seed demo data; --json
                                 prints only the demo ids and API token as JSON on stdout
  woo-sim [ARGS]                 the WooCommerce simulator on its own (HTTPS; ARGS go to
                                 it, e.g. --port 8443 --currency EUR)
  bench ingest [--private-db] [-- ARGS]
                                 provision PostgreSQL, build release binaries and run the
                                 ingest benchmark (tally serve vs pgbench on the same SQL);
                                 ARGS go to it (-- --help lists them)
  help                           this text

PostgreSQL: DATABASE_URL (environment or .env) when set; else a server on
127.0.0.1:5432; else (or with --private-db) a private cluster under target/pg.
";

/// Everything an xtask command can fail with: a message for a human.
#[derive(Debug)]
pub struct Error(String);

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(message: impl Into<String>) -> Self {
        Error(message.into())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<std::io::Error> for Error {
    fn from(error: std::io::Error) -> Self {
        Error(error.to_string())
    }
}

/// Turns an I/O error into one that names what we were doing and to which path.
pub fn io_context<'a>(
    action: &'a str,
    path: &'a std::path::Path,
) -> impl FnOnce(std::io::Error) -> Error + 'a {
    move |error| Error(format!("cannot {action} {}: {error}", path.display()))
}

/// `return Err(Error)` with a formatted message.
macro_rules! bail {
    ($($arg:tt)*) => {
        return Err($crate::Error::new(format!($($arg)*)))
    };
}
pub(crate) use bail;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("xtask: error: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &[String]) -> Result<ExitCode> {
    let Some((command, rest)) = args.split_first() else {
        print!("{USAGE}");
        return Ok(ExitCode::SUCCESS);
    };
    match command.as_str() {
        "dev" => dev::run(dev::Options::parse(rest)?),
        "test" => test::run(test::Options::parse(rest)?),
        "seed" => seed::run(seed::Options::parse(rest)?),
        "woo-sim" => store::run_standalone(rest),
        "bench" => bench::run(bench::Options::parse(rest)?),
        "help" | "-h" | "--help" => {
            print!("{USAGE}");
            Ok(ExitCode::SUCCESS)
        }
        // Internal: the watchdog that stops a private cluster when xtask exits.
        cluster::GUARD_COMMAND => cluster::guard_main(rest),
        other => {
            eprint!("xtask: unknown command `{other}`\n\n{USAGE}");
            Ok(ExitCode::from(2))
        }
    }
}

/// Flags shared by the command parsers: every argument must be one of `known`.
pub fn parse_flags<'a>(command: &str, args: &'a [String], known: &[&str]) -> Result<Vec<&'a str>> {
    let mut seen = Vec::new();
    for arg in args {
        if !known.contains(&arg.as_str()) {
            bail!(
                "`cargo xtask {command}` does not take `{arg}` (it takes: {})",
                known.join(" ")
            );
        }
        seen.push(arg.as_str());
    }
    Ok(seen)
}
