//! `cargo xtask seed [--private-db] [--json]`: migrate and seed demo data, no server.
//!
//! `tally admin seed-demo` owns what the demo data is; its stdout passes through
//! unchanged and everything xtask says goes to stderr, so `--json` output can be piped.

use std::process::{ExitCode, Stdio};

use crate::postgres::{self, Purpose};
use crate::tally::Tally;
use crate::{process, Result};

#[derive(Debug)]
pub struct Options {
    private_db: bool,
    json: bool,
}

impl Options {
    pub fn parse(args: &[String]) -> Result<Options> {
        let flags = crate::parse_flags("seed", args, &["--private-db", "--json"])?;
        Ok(Options {
            private_db: flags.contains(&"--private-db"),
            json: flags.contains(&"--json"),
        })
    }
}

pub fn run(options: Options) -> Result<ExitCode> {
    let database = postgres::provision(Purpose::Dev, options.private_db)?;
    database.announce();
    let tally = Tally::build()?;
    tally.migrate(&database.url)?;

    let mut command = tally.command(&database.url);
    command
        .args(["admin", "seed-demo"])
        .stdin(Stdio::null())
        .stdout(Stdio::inherit());
    if options.json {
        command.arg("--json");
    }
    let status = process::status(&mut command)?;
    drop(database);
    Ok(process::exit_code(status))
}
