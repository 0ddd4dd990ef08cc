//! Where things are: the workspace root, cargo's target directory, and settings from the
//! environment or the root `.env` file.

use std::path::{Path, PathBuf};

/// The workspace root: the parent of this crate's manifest directory.
pub fn root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir
        .parent()
        .expect("xtask lives one level below the workspace root")
        .to_path_buf()
}

/// Cargo's target directory: `CARGO_TARGET_DIR` (relative to where cargo was started,
/// as cargo reads it) or `<root>/target`.
pub fn target_dir() -> PathBuf {
    let configured = ["CARGO_TARGET_DIR", "CARGO_BUILD_TARGET_DIR"]
        .iter()
        .find_map(|key| std::env::var_os(key).filter(|value| !value.is_empty()));
    match configured {
        Some(dir) => {
            let dir = PathBuf::from(dir);
            if dir.is_absolute() {
                dir
            } else {
                std::env::current_dir().unwrap_or_else(|_| root()).join(dir)
            }
        }
        None => root().join("target"),
    }
}

/// A setting from the process environment, else from `<root>/.env`, as `tally` itself
/// reads them (the environment wins). Empty values count as unset.
pub fn setting(key: &str) -> Option<String> {
    if let Some(value) = std::env::var(key).ok().filter(|v| !v.is_empty()) {
        return Some(value);
    }
    let text = std::fs::read_to_string(root().join(".env")).ok()?;
    dot_env_value(&text, key).filter(|v| !v.is_empty())
}

/// The value of `key` in `.env` text: `KEY=VALUE` lines, `#` comments, an optional
/// `export ` prefix, and optional matching quotes around the value. The last one wins.
fn dot_env_value(text: &str, key: &str) -> Option<String> {
    let mut found = None;
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(line);
        let Some((name, value)) = line.split_once('=') else {
            continue;
        };
        if name.trim() != key {
            continue;
        }
        let value = value.trim();
        let unquoted = ['"', '\'']
            .iter()
            .find_map(|q| value.strip_prefix(*q).and_then(|v| v.strip_suffix(*q)));
        let value = match unquoted {
            Some(inner) => inner,
            // An unquoted value ends at a ` #` comment.
            None => value.split(" #").next().unwrap_or("").trim_end(),
        };
        found = Some(value.to_string());
    }
    found
}

#[cfg(test)]
mod tests {
    use super::dot_env_value;

    #[test]
    fn dot_env_reads_plain_quoted_exported_and_commented_lines() {
        let text =
            "# comment\n\nDATABASE_URL=postgres://a@h/db\nexport BIND_ADDR = \"0.0.0.0:9000\"\n\
                    MAIL_FROM='x@y' \nTALLY_ENV=dev # trailing\nbroken line\n";
        assert_eq!(
            dot_env_value(text, "DATABASE_URL").as_deref(),
            Some("postgres://a@h/db")
        );
        assert_eq!(
            dot_env_value(text, "BIND_ADDR").as_deref(),
            Some("0.0.0.0:9000")
        );
        assert_eq!(dot_env_value(text, "MAIL_FROM").as_deref(), Some("x@y"));
        assert_eq!(dot_env_value(text, "TALLY_ENV").as_deref(), Some("dev"));
        assert_eq!(dot_env_value(text, "SMTP_URL"), None);
    }

    #[test]
    fn dot_env_last_assignment_wins() {
        assert_eq!(dot_env_value("A=1\nA=2\n", "A").as_deref(), Some("2"));
    }
}
