//! Helpers for the end-to-end tests: build and start the real `tally` binary against a
//! fresh database, on a free port, and talk to it over HTTP.

#![allow(clippy::expect_used, clippy::panic, clippy::unwrap_used)]

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use database::testing::TestDatabase;
use tokio::io::{AsyncBufReadExt, BufReader};

pub mod browser;
pub mod counter;
pub mod html;
pub mod mailbox;
pub mod members;
pub mod partner;
pub mod partner_session;
pub mod redeem;
pub mod session;
pub mod smtp;
pub mod woo;

/// A fixed key for tests (base64 of 32 bytes).
pub const TEST_APP_SECRET_KEY: &str = "dGFsbHktZW5kLXRvLWVuZC10ZXN0cy1zZWNyZXQta2V5IQ==";

/// The `tally` binary next to the test executables. `cargo test --workspace`,
/// `cargo nextest run --workspace` and `cargo xtask test` build it with the tests; when
/// it is missing or older than the sources (only this crate's tests were built), it is
/// built once here.
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
        let fresh = std::fs::metadata(&bin)
            .and_then(|m| m.modified())
            .is_ok_and(|built| newest_source(&workspace_root()) <= built);
        if !fresh {
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

/// The newest modification time among the sources the binary is built from.
fn newest_source(root: &std::path::Path) -> std::time::SystemTime {
    fn walk(dir: &std::path::Path, newest: &mut std::time::SystemTime) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                if !path.ends_with("tests") {
                    walk(&path, newest);
                }
            } else if let Ok(modified) = entry.metadata().and_then(|m| m.modified()) {
                *newest = (*newest).max(modified);
            }
        }
    }
    let mut newest = std::time::SystemTime::UNIX_EPOCH;
    for part in ["crates", "templates", "migrations"] {
        walk(&root.join(part), &mut newest);
    }
    newest
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
        ("INGEST_WRITERS", "2"),
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

/// Issues an API token for the partner, as the dashboard would; returns it.
pub async fn api_token(server: &TestServer, partner_id: i64) -> String {
    use secrecy::ExposeSecret;
    let token = identity::generate_token("tly_").unwrap();
    let hash = woo::keys().token_hash(token.expose_secret()).unwrap();
    let mut conn = database::pool::get(server.db.pool()).await.unwrap();
    database::tokens::create(
        &mut conn,
        &database::tokens::NewApiToken {
            partner_id,
            name: "Test token",
            token_hash: &hash,
            token_prefix: "tly_",
            created_by: None,
            now: time::OffsetDateTime::now_utc(),
        },
    )
    .await
    .unwrap();
    token.expose_secret().to_owned()
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

impl Drop for TestServer {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("--- tally serve logs ---\n{}", self.logs());
        }
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
        let log = std::fs::File::create(dir.path().join("server.log")).expect("log file");
        let mut child = tally_command(&env, dir.path())
            .arg("serve")
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log))
            .spawn()
            .expect("start tally serve");
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
            .await
            .expect("tally serve did not announce its address within 30 s")
            .unwrap()
            .unwrap_or_else(|| {
                let logs =
                    std::fs::read_to_string(dir.path().join("server.log")).unwrap_or_default();
                panic!("tally serve exited before listening:\n{logs}")
            });
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

    /// What the server logged so far (stderr).
    pub fn logs(&self) -> String {
        std::fs::read_to_string(self._dir.path().join("server.log")).unwrap_or_default()
    }

    /// A GET whose HTML answer is returned with its status.
    pub async fn page(&self, path: &str) -> (u16, String) {
        let res = self.get(path).await;
        (res.status().as_u16(), res.text().await.unwrap())
    }

    /// A form POST; returns the response (redirects are not followed).
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .form(fields)
            .send()
            .await
            .expect("POST")
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
