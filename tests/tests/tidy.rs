//! The architecture's invariants, stated as absences (see ARCHITECTURE.md), checked
//! against the real dependency graph and source tree.

use std::path::{Path, PathBuf};
use std::process::Command;

use tests::workspace_root;

const PURE: [&str; 4] = ["ledger", "webhook", "coupons", "identity"];
const IO_CRATES: [&str; 3] = ["diesel", "actix-web", "reqwest"];

/// Every package (name) in the normal dependency graph of `package`.
fn dependency_names(package: &str, depth: Option<u32>) -> Vec<String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.args([
        "tree",
        "--quiet",
        "--offline",
        "-p",
        package,
        "-e",
        "normal",
        "--prefix",
        "none",
        "-f",
        "{p}",
    ])
    .current_dir(workspace_root());
    if let Some(depth) = depth {
        cmd.args(["--depth", &depth.to_string()]);
    }
    let out = cmd.output().expect("run cargo tree");
    assert!(
        out.status.success(),
        "cargo tree -p {package}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().next().map(str::to_owned))
        .collect()
}

fn workspace_members() -> Vec<String> {
    let mut names = vec!["tests".to_string(), "xtask".to_string()];
    for entry in std::fs::read_dir(workspace_root().join("crates")).unwrap() {
        names.push(entry.unwrap().file_name().to_string_lossy().into_owned());
    }
    names.sort();
    names
}

#[test]
fn pure_crates_depend_on_no_web_framework_database_or_http_client() {
    for krate in PURE {
        let deps = dependency_names(krate, None);
        assert!(
            deps.iter().any(|d| d == krate),
            "cargo tree did not list {krate} itself"
        );
        for forbidden in IO_CRATES {
            assert!(
                !deps.iter().any(|d| d == forbidden),
                "{krate} depends on {forbidden}"
            );
        }
        assert!(
            !deps
                .iter()
                .any(|d| d.starts_with("diesel") || d == "tokio-postgres"),
            "{krate} reaches the database"
        );
    }
}

#[test]
fn only_the_database_crate_uses_diesel_directly() {
    for krate in workspace_members() {
        let direct = dependency_names(&krate, Some(1));
        let uses_diesel = direct.iter().skip(1).any(|d| d.starts_with("diesel"));
        assert_eq!(
            uses_diesel,
            krate == "database",
            "{krate}: direct dependencies {direct:?}"
        );
    }
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n != "target") {
                rust_files(&path, out);
            }
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn no_sql_or_schema_outside_the_database_crate() {
    let root = workspace_root();
    let mut files = Vec::new();
    for top in ["crates", "xtask/src", "tests/src"] {
        rust_files(&root.join(top), &mut files);
    }
    for file in files {
        if file.starts_with(root.join("crates/database")) {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        for needle in [
            "diesel::",
            "sql_query(",
            "crate::schema",
            "database::schema",
        ] {
            assert!(
                !text.contains(needle),
                "{} contains `{needle}`",
                file.display()
            );
        }
    }
}

#[test]
fn every_crate_says_what_it_owns_in_a_doc_comment() {
    let root = workspace_root();
    for krate in workspace_members() {
        let dir = match krate.as_str() {
            "tests" => root.join("tests/src"),
            "xtask" => root.join("xtask/src"),
            other => root.join("crates").join(other).join("src"),
        };
        let entry = if dir.join("lib.rs").exists() {
            dir.join("lib.rs")
        } else {
            dir.join("main.rs")
        };
        let text = std::fs::read_to_string(&entry).unwrap();
        assert!(
            text.trim_start().starts_with("//!"),
            "{} must start with a //! doc",
            entry.display()
        );
    }
}

#[test]
fn architecture_names_every_crate() {
    let text = std::fs::read_to_string(workspace_root().join("ARCHITECTURE.md")).unwrap();
    for krate in workspace_members() {
        assert!(
            text.contains(&format!("`{krate}`")),
            "ARCHITECTURE.md does not mention `{krate}`"
        );
    }
}

#[test]
fn no_hand_written_source_file_is_past_four_hundred_lines() {
    let root = workspace_root();
    let mut files = Vec::new();
    for top in ["crates", "xtask/src", "tests/src"] {
        rust_files(&root.join(top), &mut files);
    }
    for file in files {
        if file.ends_with("schema.rs") || file.components().any(|c| c.as_os_str() == "tests") {
            continue;
        }
        let lines = std::fs::read_to_string(&file).unwrap().lines().count();
        assert!(
            lines <= 400,
            "{} has {lines} lines: split it by domain concept",
            file.display()
        );
    }
}
