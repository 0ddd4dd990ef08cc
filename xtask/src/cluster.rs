//! The private PostgreSQL cluster: `<workspace>/target/pg`, made with the machine's own
//! server binaries, listening on 127.0.0.1 on a free port, superuser `tally`, trust auth.
//!
//! `initdb`, `pg_ctl` and `postgres` refuse to run as root; [`placement`] decides which
//! unprivileged user runs them then, and where the cluster lives.
//!
//! The cluster is reused across runs (its port is remembered in `port`). A run that
//! starts it also stops it, and only then: before starting, we spawn a small watchdog
//! (this same executable, [`GUARD_COMMAND`]) in its own process group whose stdin is a
//! pipe from us. When we exit for any reason (normally, on an error, on Ctrl-C, even
//! killed) the pipe closes and the watchdog runs `pg_ctl stop -m fast`. std cannot catch
//! SIGINT without unsafe code or a dependency; this needs neither and also covers SIGKILL.

mod placement;

use std::fs;
use std::io::Read;
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};

use crate::pg_bins::{find_bins, install_hint, major_version};
use crate::postgres::Server;
use crate::process::{self, shell_quote};
use crate::{bail, io_context, Error, Result};
use placement::{place, RunAs};

/// The cluster's superuser.
pub const SUPERUSER: &str = "tally";

/// The hidden subcommand the watchdog runs as.
pub const GUARD_COMMAND: &str = "__stop-private-cluster-on-exit";

/// Ports tried first, so the cluster usually keeps a memorable one.
const PREFERRED_PORTS: std::ops::Range<u16> = 54320..54400;

/// A running private cluster. Dropping it stops the server if this run started it.
#[derive(Debug)]
pub struct Cluster {
    bins: PathBuf,
    base: PathBuf,
    data: PathBuf,
    port: u16,
    run_as: RunAs,
    /// The watchdog, present only when this run started the server.
    guard: Option<Child>,
}

impl Cluster {
    /// Creates the cluster if needed and starts it unless it is already running.
    pub fn start(workspace: &Path) -> Result<Cluster> {
        let bins = find_bins().ok_or_else(|| {
            Error::new(format!(
                "no PostgreSQL server binaries (initdb, pg_ctl) found via pg_config, \
                 /usr/lib/postgresql/*/bin or PATH; install them with:\n    {}",
                install_hint()
            ))
        })?;
        let (run_as, base) = place(workspace)?;
        let data = base.join("data");
        let mut cluster = Cluster {
            bins,
            base,
            data,
            port: 0,
            run_as,
            guard: None,
        };
        if cluster.data.join("PG_VERSION").is_file() {
            cluster.check_version()?;
        } else {
            cluster.init()?;
        }
        match cluster.running_port() {
            Some(port) => {
                cluster.port = port;
                eprintln!(
                    "xtask: reusing the private PostgreSQL cluster already running on port {port}; \
                     this run leaves it running"
                );
            }
            None => {
                cluster.port = cluster.choose_port()?;
                cluster.spawn_guard()?;
                cluster.pg_ctl_start()?;
            }
        }
        let server = Server {
            psql: process::in_dir_or_path(Some(&cluster.bins), "psql"),
            port: cluster.port,
            user: SUPERUSER.into(),
        };
        if server.select("1").as_deref() != Some("1") {
            bail!(
                "the private cluster runs on port {} but psql cannot connect as {SUPERUSER}",
                cluster.port
            );
        }
        Ok(cluster)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn bins(&self) -> &Path {
        &self.bins
    }

    pub fn describe(&self) -> String {
        let lifetime = if self.guard.is_some() {
            "started by this run, stopped when it ends"
        } else {
            "already running, left running"
        };
        format!(
            "private PostgreSQL cluster in {} on 127.0.0.1:{} (run as {}; {lifetime})",
            self.data.display(),
            self.port,
            self.run_as.name()
        )
    }

    fn pg_ctl(&self) -> Command {
        self.run_as.command(&self.bins.join("pg_ctl"))
    }

    fn init(&self) -> Result<()> {
        if fs::read_dir(&self.data).is_ok_and(|mut entries| entries.next().is_some()) {
            bail!(
                "{} exists but holds no PostgreSQL cluster (an interrupted initdb?); remove it with\n    rm -rf {}",
                self.data.display(),
                shell_quote(&self.data)
            );
        }
        eprintln!(
            "xtask: creating a private PostgreSQL cluster in {} (as {})",
            self.data.display(),
            self.run_as.name()
        );
        let output = process::output(
            self.run_as
                .command(&self.bins.join("initdb"))
                .arg("-D")
                .arg(&self.data)
                .args(["-U", SUPERUSER, "--auth=trust", "-E", "UTF8", "--locale=C"]),
        )?;
        if !output.status.success() {
            bail!(
                "initdb failed ({}):\n{}{}",
                output.status,
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
        }
        Ok(())
    }

    /// A cluster made by another major version cannot be started by these binaries.
    fn check_version(&self) -> Result<()> {
        let version_file = self.data.join("PG_VERSION");
        let made_by = fs::read_to_string(&version_file)
            .map_err(io_context("read", &version_file))?
            .trim()
            .to_string();
        let ours = process::stdout_of(self.pg_ctl().arg("--version"))
            .and_then(|text| major_version(&text));
        if let Some(ours) = ours.filter(|ours| *ours != made_by) {
            bail!(
                "the private cluster in {} was made by PostgreSQL {made_by} but this machine's binaries \
                 ({}) are PostgreSQL {ours}; remove it to start afresh:\n    rm -rf {}",
                self.data.display(),
                self.bins.display(),
                shell_quote(&self.base)
            );
        }
        Ok(())
    }

    /// The port of the server if it is running (from `postmaster.pid`, line 4).
    fn running_port(&self) -> Option<u16> {
        if !process::succeeds(self.pg_ctl().arg("status").arg("-D").arg(&self.data)) {
            return None;
        }
        let pid_file = fs::read_to_string(self.data.join("postmaster.pid")).ok()?;
        pid_file.lines().nth(3)?.trim().parse().ok()
    }

    /// The remembered port if still free, else a free one, remembered for next time.
    fn choose_port(&self) -> Result<u16> {
        let port_file = self.base.join("port");
        let remembered = fs::read_to_string(&port_file)
            .ok()
            .and_then(|text| text.trim().parse().ok());
        let port = remembered
            .into_iter()
            .chain(PREFERRED_PORTS)
            .find(|port| TcpListener::bind(("127.0.0.1", *port)).is_ok());
        let port = match port {
            Some(port) => port,
            None => TcpListener::bind(("127.0.0.1", 0))?.local_addr()?.port(),
        };
        // Only a memory for next time: a file we may not write is no reason to fail.
        if let Err(error) = fs::write(&port_file, format!("{port}\n")) {
            eprintln!(
                "xtask: cannot remember the port in {}: {error}",
                port_file.display()
            );
        }
        Ok(port)
    }

    fn spawn_guard(&mut self) -> Result<()> {
        let user = match &self.run_as {
            RunAs::Me => "-".to_string(),
            RunAs::User(user) => user.clone(),
        };
        let exe = std::env::current_exe()?;
        let guard = Command::new(&exe)
            .arg(GUARD_COMMAND)
            .arg(self.bins.join("pg_ctl"))
            .arg(&self.data)
            .arg(user)
            .stdin(Stdio::piped())
            .stdout(process::to_stderr())
            // Out of our process group: a Ctrl-C in the terminal must not reach it.
            .process_group(0)
            .spawn()
            .map_err(io_context("start the cluster watchdog", &exe))?;
        self.guard = Some(guard);
        Ok(())
    }

    fn pg_ctl_start(&self) -> Result<()> {
        // The socket goes in the data directory unless that path is too long for a
        // Unix socket address (about 107 bytes).
        let socket_dir = if self.data.join(".s.PGSQL.65535").as_os_str().len() < 100 {
            self.data.clone()
        } else {
            PathBuf::from("/tmp")
        };
        if socket_dir.to_string_lossy().contains('\'') {
            bail!(
                "{} contains a quote; move the workspace",
                socket_dir.display()
            );
        }
        // pg_ctl hands -o to a shell, hence the quotes.
        let options = format!(
            "-p {} -c listen_addresses=127.0.0.1 -k '{}'",
            self.port,
            socket_dir.display()
        );
        let log = self.base.join("server.log");
        eprintln!(
            "xtask: starting the private PostgreSQL cluster on 127.0.0.1:{}",
            self.port
        );
        let status = process::status(
            self.pg_ctl()
                .args(["start", "-w", "-t", "60", "-s", "-D"])
                .arg(&self.data)
                .arg("-l")
                .arg(&log)
                .args(["-o", &options])
                .stdout(process::to_stderr()),
        )?;
        if !status.success() {
            let text = fs::read_to_string(&log).unwrap_or_default();
            let tail: Vec<&str> = text.lines().rev().take(15).collect();
            let tail: Vec<&str> = tail.into_iter().rev().collect();
            bail!(
                "pg_ctl could not start the private cluster ({status}); the end of {}:\n{}",
                log.display(),
                tail.join("\n")
            );
        }
        Ok(())
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if let Some(mut guard) = self.guard.take() {
            // Closing its stdin tells the watchdog to stop the server; wait until it has.
            drop(guard.stdin.take());
            if let Err(error) = guard.wait() {
                eprintln!("xtask: could not wait for the cluster watchdog: {error}");
            }
        }
    }
}

/// The watchdog: waits until its stdin closes, then stops the cluster.
/// Arguments: `<pg_ctl> <data dir> <user or ->`.
pub fn guard_main(args: &[String]) -> Result<ExitCode> {
    let [pg_ctl, data, user] = args else {
        bail!("{GUARD_COMMAND} takes <pg_ctl> <data dir> <user or ->");
    };
    // Returns at end of file, i.e. when the xtask that spawned us has let go or died.
    let _ = std::io::stdin().read_to_end(&mut Vec::new());
    let run_as = if user == "-" {
        RunAs::Me
    } else {
        RunAs::User(user.clone())
    };
    eprintln!("xtask: stopping the private PostgreSQL cluster in {data}");
    let status = process::status(
        run_as
            .command(Path::new(pg_ctl))
            .args(["stop", "-m", "fast", "-w", "-t", "60", "-s", "-D", data])
            .stdout(process::to_stderr()),
    )?;
    Ok(process::exit_code(status))
}
