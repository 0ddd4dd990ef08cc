//! Whom the private cluster's server tools run as, and where the cluster lives.
//!
//! Not root: as ourselves, in `<workspace>/target/pg`. Root (`initdb` and `pg_ctl` refuse
//! it): as the owner of an existing cluster, else the `postgres` system user, else a
//! `tally-pg` system user we create (`useradd --system --no-create-home`), through
//! `runuser -u <user> --` (or `setpriv` where there is no runuser). That user must be able
//! to reach `target/`; if it cannot (a 0700 home directory, say) the cluster goes in
//! `/tmp/tally-pg-<hash of the workspace path>` instead, and we say so.

use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::process;
use crate::{io_context, Result};

/// The system user we create when running as root and there is no `postgres` user.
const OWN_USER: &str = "tally-pg";

/// Whom the server tools run as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunAs {
    Me,
    User(String),
}

impl RunAs {
    pub fn command(&self, program: &Path) -> Command {
        let mut command = match self {
            RunAs::Me => Command::new(program),
            RunAs::User(user) => {
                let mut command = if process::find_in_path("runuser").is_some() {
                    let mut command = Command::new("runuser");
                    command.args(["-u", user, "--"]);
                    command
                } else {
                    let id = |flag: &str| {
                        process::stdout_of(Command::new("id").args([flag, user.as_str()]))
                    };
                    let mut command = Command::new("setpriv");
                    command
                        .arg(format!(
                            "--reuid={}",
                            id("-u").unwrap_or_else(|| user.clone())
                        ))
                        .arg(format!(
                            "--regid={}",
                            id("-g").unwrap_or_else(|| user.clone())
                        ))
                        .args(["--init-groups", "--"]);
                    command
                };
                command.arg(program);
                command
            }
        };
        // Our working directory may be closed to the other user.
        command.current_dir("/");
        command
    }

    pub fn name(&self) -> String {
        match self {
            RunAs::Me => {
                process::stdout_of(Command::new("id").arg("-un")).unwrap_or_else(|| "you".into())
            }
            RunAs::User(user) => user.clone(),
        }
    }
}

/// Whom to run the server as and where the cluster lives.
pub fn place(workspace: &Path) -> Result<(RunAs, PathBuf)> {
    let target = workspace.join("target");
    let preferred = target.join("pg");
    if !process::is_root() {
        fs::create_dir_all(&preferred).map_err(io_context("create", &preferred))?;
        return Ok((RunAs::Me, preferred));
    }
    let fallback = PathBuf::from(format!("/tmp/tally-pg-{:016x}", fnv1a(workspace)));
    // An existing cluster keeps its owner.
    for base in [&preferred, &fallback] {
        let data = base.join("data");
        if data.join("PG_VERSION").is_file() {
            let uid = fs::metadata(&data)
                .map_err(io_context("inspect", &data))?
                .uid();
            let owner = process::stdout_of(Command::new("id").args(["-nu", &uid.to_string()]));
            if let Some(owner) = owner.filter(|_| uid != 0) {
                return Ok((RunAs::User(owner), base.clone()));
            }
        }
    }
    let user = unprivileged_user()?;
    let run_as = RunAs::User(user.clone());
    fs::create_dir_all(&target).map_err(io_context("create", &target))?;
    let reachable = process::succeeds(run_as.command(Path::new("test")).arg("-x").arg(&target));
    let base = if reachable {
        preferred
    } else {
        eprintln!(
            "xtask: user {user} cannot reach {}; the private cluster goes in {} instead",
            target.display(),
            fallback.display()
        );
        fallback
    };
    fs::create_dir_all(&base).map_err(io_context("create", &base))?;
    let user_uid = process::stdout_of(Command::new("id").args(["-u", &user]));
    let base_uid = fs::metadata(&base)
        .map_err(io_context("inspect", &base))?
        .uid();
    if user_uid != Some(base_uid.to_string()) {
        process::run(Command::new("chown").arg(format!("{user}:")).arg(&base))?;
    }
    Ok((run_as, base))
}

/// `postgres` if that user exists, else our own `tally-pg` system user (created once).
fn unprivileged_user() -> Result<String> {
    for user in ["postgres", OWN_USER] {
        if process::succeeds(Command::new("id").args(["-u", user])) {
            return Ok(user.to_string());
        }
    }
    eprintln!("xtask: initdb refuses to run as root; creating the system user {OWN_USER} to run the private cluster");
    process::run(Command::new("useradd").args([
        "--system",
        "--no-create-home",
        "--shell",
        "/usr/sbin/nologin",
        OWN_USER,
    ]))?;
    Ok(OWN_USER.to_string())
}

/// FNV-1a of a path: a stable name for the `/tmp` fallback across Rust versions.
fn fnv1a(path: &Path) -> u64 {
    let path = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    path.as_os_str()
        .as_encoded_bytes()
        .iter()
        .fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
            (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
        })
}

#[cfg(test)]
mod tests {
    use super::fnv1a;
    use std::path::Path;

    #[test]
    fn fallback_name_is_stable() {
        assert_eq!(
            fnv1a(Path::new("/nonexistent/a")),
            fnv1a(Path::new("/nonexistent/a"))
        );
        assert_ne!(
            fnv1a(Path::new("/nonexistent/a")),
            fnv1a(Path::new("/nonexistent/b"))
        );
    }
}
