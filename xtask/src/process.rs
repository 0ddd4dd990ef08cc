//! Running other programs: cargo, the PostgreSQL tools, `tally`.

use std::ffi::OsStr;
use std::os::fd::AsFd;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, ExitStatus, Output, Stdio};

use crate::{bail, Result};

/// `cargo`, the same one that runs xtask.
pub fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// The first `name` on `PATH`.
pub fn find_in_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

/// A `Stdio` writing to our stderr, so that a child's chatter never lands on our stdout
/// (`cargo xtask seed --json` promises nothing but JSON there).
pub fn to_stderr() -> Stdio {
    match std::io::stderr().as_fd().try_clone_to_owned() {
        Ok(fd) => Stdio::from(fd),
        Err(_) => Stdio::inherit(),
    }
}

fn describe(command: &Command) -> String {
    let mut text = command.get_program().to_string_lossy().into_owned();
    for arg in command.get_args() {
        text.push(' ');
        text.push_str(&arg.to_string_lossy());
    }
    text
}

/// Runs `command` with its stdout sent to our stderr; fails unless it exits 0.
pub fn run(command: &mut Command) -> Result<()> {
    let status = status(command.stdout(to_stderr()))?;
    if !status.success() {
        bail!("`{}` failed ({status})", describe(command));
    }
    Ok(())
}

/// Runs `command` to completion; fails only if it cannot be started.
pub fn status(command: &mut Command) -> Result<ExitStatus> {
    command
        .status()
        .map_err(|error| start_error(command, error))
}

/// Runs `command` capturing stdout and stderr; fails only if it cannot be started.
pub fn output(command: &mut Command) -> Result<Output> {
    command
        .stdin(Stdio::null())
        .output()
        .map_err(|error| start_error(command, error))
}

/// Runs `command` and returns its trimmed stdout if it exits 0.
pub fn stdout_of(command: &mut Command) -> Option<String> {
    let output = output(command).ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_string())
}

/// True when `command` starts and exits 0; its output is discarded.
pub fn succeeds(command: &mut Command) -> bool {
    command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

fn start_error(command: &Command, error: std::io::Error) -> crate::Error {
    crate::Error::new(format!("could not run `{}`: {error}", describe(command)))
}

/// The exit code to hand on for a child's status (a signal death becomes 1).
pub fn exit_code(status: ExitStatus) -> ExitCode {
    match status.code() {
        Some(0) => ExitCode::SUCCESS,
        Some(code) => ExitCode::from(u8::try_from(code).unwrap_or(1)),
        None => ExitCode::FAILURE,
    }
}

/// Our user id, from `id -u` (std has no getuid and this crate forbids unsafe code).
pub fn is_root() -> bool {
    cfg!(unix) && stdout_of(Command::new("id").arg("-u")).as_deref() == Some("0")
}

/// `dir/name` if that file exists, else the bare `name` (left to `PATH`).
pub fn in_dir_or_path(dir: Option<&Path>, name: &str) -> PathBuf {
    dir.map(|dir| dir.join(name))
        .filter(|path| path.is_file())
        .unwrap_or_else(|| PathBuf::from(name))
}

/// True when `program` can be found (an existing path or a name on `PATH`).
pub fn exists(program: &Path) -> bool {
    if program.components().count() > 1 {
        program.is_file()
    } else {
        find_in_path(&program.to_string_lossy()).is_some()
    }
}

/// Quotes `arg` for display in a copy-pasteable shell command.
pub fn shell_quote(arg: impl AsRef<OsStr>) -> String {
    let arg = arg.as_ref().to_string_lossy();
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_./:@=,+".contains(c);
    if !arg.is_empty() && arg.chars().all(plain) {
        arg.into_owned()
    } else {
        format!("'{}'", arg.replace('\'', r"'\''"))
    }
}
