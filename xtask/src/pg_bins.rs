//! The machine's PostgreSQL binaries, and how to install them when there are none.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::process;

/// The directory holding `initdb` and `pg_ctl`: `pg_config --bindir`, else the newest
/// `/usr/lib/postgresql/*/bin` (or Homebrew's `postgresql@*`), else `PATH`.
pub fn find_bins() -> Option<PathBuf> {
    let has_server = |dir: &Path| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file();
    if let Some(dir) =
        process::stdout_of(Command::new("pg_config").arg("--bindir")).map(PathBuf::from)
    {
        if has_server(&dir) {
            return Some(dir);
        }
    }
    let mut versioned: Vec<(Vec<u32>, PathBuf)> = Vec::new();
    let families = [
        ("/usr/lib/postgresql", ""),
        ("/opt/homebrew/opt", "postgresql@"),
        ("/usr/local/opt", "postgresql@"),
    ];
    for (parent, prefix) in families {
        for entry in fs::read_dir(parent).into_iter().flatten().flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let version = name.strip_prefix(prefix).and_then(|v| {
                v.split('.')
                    .map(|part| part.parse().ok())
                    .collect::<Option<Vec<u32>>>()
            });
            let dir = entry.path().join("bin");
            if let Some(version) = version.filter(|_| has_server(&dir)) {
                versioned.push((version, dir));
            }
        }
    }
    versioned.sort();
    if let Some((_, dir)) = versioned.pop() {
        return Some(dir);
    }
    let initdb = process::find_in_path("initdb")?;
    initdb
        .parent()
        .map(Path::to_path_buf)
        .filter(|dir| has_server(dir))
}

/// `15` from `pg_ctl (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)`.
pub fn major_version(text: &str) -> Option<String> {
    let after = text.split(')').nth(1)?.trim_start();
    let version: String = after
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    let major = version.split('.').next()?;
    // Before 10 the major version had two parts (9.6).
    match major {
        "" => None,
        "9" => Some(version.split('.').take(2).collect::<Vec<_>>().join(".")),
        major => Some(major.to_string()),
    }
}

/// How to install PostgreSQL on this machine, for the error when there is none.
pub fn install_hint() -> String {
    let debian_like =
        Path::new("/etc/debian_version").exists() || process::find_in_path("apt-get").is_some();
    if cfg!(target_os = "macos") {
        "brew install postgresql@16".into()
    } else if debian_like {
        "sudo apt-get install postgresql".into()
    } else if process::find_in_path("dnf").is_some() {
        "sudo dnf install postgresql-server".into()
    } else {
        "install the PostgreSQL server binaries (initdb, pg_ctl, postgres) with your package manager".into()
    }
}

#[cfg(test)]
mod tests {
    use super::major_version;

    #[test]
    fn major_version_reads_pg_ctl_version_lines() {
        let debian = "pg_ctl (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)";
        assert_eq!(major_version(debian).as_deref(), Some("15"));
        assert_eq!(
            major_version("pg_ctl (PostgreSQL) 16.4").as_deref(),
            Some("16")
        );
        assert_eq!(
            major_version("pg_ctl (PostgreSQL) 9.6.24").as_deref(),
            Some("9.6")
        );
        assert_eq!(major_version("nonsense"), None);
    }
}
