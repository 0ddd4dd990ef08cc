//! A real SMTP server for the tests: `tests/support/smtp_sink.py` (aiosmtpd) in its own
//! process, writing every message as received to a folder.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};

use super::{workspace_root, TempDir};

/// A running SMTP sink; stop and start it again to simulate an outage.
#[derive(Debug)]
pub struct SmtpSink {
    pub port: u16,
    dir: TempDir,
    child: Option<tokio::process::Child>,
}

/// One message as it arrived.
#[derive(Debug, Clone)]
pub struct Received {
    pub raw: String,
    pub envelope: serde_json::Value,
}

impl Received {
    /// The value of a top-level header (unfolded).
    pub fn header(&self, name: &str) -> Option<String> {
        let head = self.raw.split("\r\n\r\n").next().unwrap_or("");
        let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
        unfolded.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case(name).then(|| v.trim().to_owned())
        })
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl SmtpSink {
    pub async fn start() -> SmtpSink {
        let mut sink = SmtpSink {
            port: free_port(),
            dir: TempDir::new("smtp"),
            child: None,
        };
        sink.resume().await;
        sink
    }

    /// The URL Tally sends to.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Starts (again) on the same port.
    pub async fn resume(&mut self) {
        let script: PathBuf = workspace_root().join("tests/support/smtp_sink.py");
        let mut child = tokio::process::Command::new("python3")
            .arg(script)
            .args([
                "--port",
                &self.port.to_string(),
                "--dir",
                self.dir.path().to_str().unwrap(),
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .expect("start python3 for the SMTP sink (install python3)");
        let stdout = child.stdout.take().unwrap();
        let line = tokio::time::timeout(
            Duration::from_secs(20),
            BufReader::new(stdout).lines().next_line(),
        )
        .await
        .expect("SMTP sink did not start within 20 s")
        .unwrap();
        assert_eq!(
            line.as_deref(),
            Some("ready"),
            "the SMTP sink did not start: is aiosmtpd installed? (`python3 -m pip install aiosmtpd`; .ci/run installs it)"
        );
        self.child = Some(child);
    }

    /// Stops the server: connections are refused until [`SmtpSink::resume`].
    pub async fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().await.unwrap();
            child.wait().await.unwrap();
        }
    }

    /// Every message received so far, in order.
    pub fn received(&self) -> Vec<Received> {
        let mut names: Vec<_> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "eml"))
            .collect();
        names.sort();
        names
            .into_iter()
            .map(|p| Received {
                raw: std::fs::read_to_string(&p).unwrap(),
                envelope: serde_json::from_str(
                    &std::fs::read_to_string(p.with_extension("json")).unwrap(),
                )
                .unwrap(),
            })
            .collect()
    }

    /// Waits (bounded) until at least `n` messages arrived.
    pub async fn wait_for(&self, n: usize, within: Duration) -> Vec<Received> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let got = self.received();
            if got.len() >= n || tokio::time::Instant::now() > deadline {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}
