//! Helpers for the end-to-end tests: build and start the real `tally` binary against a
//! fresh database, on a free port, and talk to it over HTTP.

#![allow(clippy::expect_used, clippy::panic, clippy::unwrap_used)]

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use database::testing::TestDatabase;
use tokio::io::{AsyncBufReadExt, BufReader};

/// A fixed key for tests (base64 of 32 bytes).
pub const TEST_APP_SECRET_KEY: &str = "dGFsbHktZW5kLXRvLWVuZC10ZXN0cy1zZWNyZXQta2V5IQ==";

/// The `tally` binary next to the test executables. `cargo test --workspace`,
/// `cargo nextest run --workspace` and `cargo xtask test` build it with the tests; when
/// it is missing (only this crate's tests were built) it is built once here.
pub fn tally_bin() -> PathBuf {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        // The test executable lives in <target>/<profile>/deps/.
        let exe = std::env::current_exe().expect("current exe");
        let profile_dir = exe
            .parent()
            .and_then(|deps| deps.parent())
            .expect("target profile dir");
        let bin = profile_dir.join("tally");
        if !bin.exists() {
            let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
            let status = Command::new(cargo)
                .args(["build", "--quiet", "-p", "tally", "--bin", "tally"])
                .current_dir(workspace_root())
                .status()
                .expect("run cargo build for the tally binary");
            assert!(status.success(), "building the tally binary failed");
        }
        assert!(bin.exists(), "no tally binary at {}", bin.display());
        bin
    })
    .clone()
}

pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// The environment every test run of `tally` gets: dev-free production-like settings.
pub fn base_env(db: &TestDatabase, dev_dir: &std::path::Path) -> Vec<(String, String)> {
    [
        ("DATABASE_URL", db.url()),
        ("DATABASE_POOL_SIZE", "4"),
        ("BIND_ADDR", "127.0.0.1:0"),
        ("TALLY_ENV", "production"),
        ("APP_SECRET_KEY", TEST_APP_SECRET_KEY),
        ("SMTP_URL", "smtp://127.0.0.1:9"),
        ("TALLY_DEV_DIR", dev_dir.to_str().unwrap()),
        ("RUST_LOG", "warn"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

/// A `tally` command with a clean environment plus `env`, run from a temporary folder
/// (the binary must not need the source tree).
pub fn tally_command(env: &[(String, String)], cwd: &std::path::Path) -> tokio::process::Command {
    let mut cmd = tokio::process::Command::new(tally_bin());
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .current_dir(cwd);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.kill_on_drop(true);
    cmd
}

/// The output of a finished `tally` command.
#[derive(Debug)]
pub struct Finished {
    pub success: bool,
    pub stdout: String,
    pub stderr: String,
}

pub async fn run_tally(env: &[(String, String)], cwd: &std::path::Path, args: &[&str]) -> Finished {
    let out = tally_command(env, cwd)
        .args(args)
        .output()
        .await
        .expect("run tally");
    Finished {
        success: out.status.success(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A temporary folder removed on drop.
#[derive(Debug)]
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let dir = std::env::temp_dir().join(format!("tally-e2e-{tag}-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
    pub fn path(&self) -> &std::path::Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A running `tally serve` on its own database.
#[derive(Debug)]
pub struct TestServer {
    pub db: TestDatabase,
    pub base_url: String,
    pub client: reqwest::Client,
    child: tokio::process::Child,
    _dir: TempDir,
}

impl TestServer {
    pub async fn start() -> TestServer {
        Self::start_with(&[]).await
    }

    /// Starts the server with extra or overriding environment variables.
    pub async fn start_with(extra: &[(&str, &str)]) -> TestServer {
        let db = TestDatabase::new().await;
        let dir = TempDir::new("server");
        let mut env = base_env(&db, dir.path());
        for (k, v) in extra {
            env.retain(|(name, _)| name != k);
            env.push((k.to_string(), v.to_string()));
        }
        let mut child = tally_command(&env, dir.path())
            .arg("serve")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start tally serve");
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
            .await
            .expect("tally serve did not announce its address within 30 s")
            .unwrap()
            .expect("tally serve exited before listening");
        let base_url = line
            .strip_prefix("Tally listening on ")
            .unwrap_or_else(|| panic!("unexpected first line from tally serve: {line}"))
            .to_owned();
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .cookie_store(true)
            .build()
            .unwrap();
        TestServer {
            db,
            base_url,
            client,
            child,
            _dir: dir,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("GET")
    }

    pub fn pid(&self) -> u32 {
        self.child.id().expect("server pid")
    }

    /// Waits for the server to exit on its own; returns whether it exited successfully.
    pub async fn wait_exit(&mut self, within: Duration) -> bool {
        tokio::time::timeout(within, self.child.wait())
            .await
            .expect("tally serve did not stop in time")
            .expect("wait for tally serve")
            .success()
    }
}
