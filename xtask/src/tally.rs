//! Building and running the `tally` binary, which owns migrations, demo data and serving.

use std::path::PathBuf;
use std::process::{Command, Stdio};

use crate::process;
use crate::workspace;
use crate::{bail, Result};

/// The built `tally` binary.
#[derive(Debug)]
pub struct Tally {
    binary: PathBuf,
}

impl Tally {
    /// Builds `tally` once (`cargo build -p tally`, debug profile) and finds the binary.
    pub fn build() -> Result<Tally> {
        eprintln!(
            "xtask: building tally and the simulated store (cargo build -p tally -p woo-sim)"
        );
        process::run(
            process::cargo()
                .current_dir(workspace::root())
                .args(["build", "-p", "tally", "-p", "woo-sim"]),
        )?;
        let binary = workspace::target_dir()
            .join("debug")
            .join(format!("tally{}", std::env::consts::EXE_SUFFIX));
        if !binary.is_file() {
            bail!("cargo built tally but {} does not exist", binary.display());
        }
        Ok(Tally { binary })
    }

    /// `tally <args>` against `database_url`, in dev mode, from the workspace root (where
    /// `.env` is and where dev mode keeps its generated secret key).
    pub fn command(&self, database_url: &str) -> Command {
        let mut command = Command::new(&self.binary);
        command
            .current_dir(workspace::root())
            .env("DATABASE_URL", database_url)
            .env("TALLY_ENV", "dev");
        command
    }

    pub fn migrate(&self, database_url: &str) -> Result<()> {
        eprintln!("xtask: migrating (tally migrate)");
        process::run(self.command(database_url).arg("migrate"))
    }

    /// `tally admin seed-demo --json`: the one JSON object it prints. With a store, the
    /// demo card is connected to it.
    /// Webhooks are delivered to `public_base_url`.
    pub fn seed_demo_json(
        &self,
        database_url: &str,
        public_base_url: Option<&str>,
        store: Option<&crate::store::Store>,
    ) -> Result<String> {
        eprintln!("xtask: seeding demo data (tally admin seed-demo --json)");
        let mut command = self.command(database_url);
        command.args(["admin", "seed-demo", "--json"]);
        if let Some(url) = public_base_url {
            command.env("PUBLIC_BASE_URL", url);
        }
        if let Some(store) = store {
            command
                .args(["--store-url", &store.base_url])
                .args(["--consumer-key", &store.consumer_key])
                .args(["--consumer-secret", &store.consumer_secret])
                .envs(store.tally_env());
        }
        let output = command
            .stdin(Stdio::null())
            .stderr(Stdio::inherit())
            .output()
            .map_err(crate::io_context("run", &self.binary))?;
        if !output.status.success() {
            bail!("`tally admin seed-demo --json` failed ({})", output.status);
        }
        Ok(String::from_utf8_lossy(&output.stdout).trim().to_string())
    }
}
