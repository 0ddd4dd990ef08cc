//! A recording TCP proxy between a PostgreSQL client and the server: it forwards every
//! byte unchanged and keeps a copy of each direction, per connection.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use anyhow::Context;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The bytes of one proxied connection so far.
#[derive(Debug, Default, Clone)]
pub struct Recording {
    pub to_server: Vec<u8>,
    pub to_client: Vec<u8>,
}

type Recordings = Arc<Mutex<Vec<Arc<Mutex<Recording>>>>>;

/// The proxy; stops accepting when dropped.
#[derive(Debug)]
pub struct Proxy {
    pub port: u16,
    recordings: Recordings,
    accept: tokio::task::JoinHandle<()>,
}

impl Proxy {
    /// Listens on 127.0.0.1 (a free port) and forwards to `upstream` (`host:port`).
    pub async fn start(upstream: String) -> anyhow::Result<Proxy> {
        let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
        let port = listener.local_addr()?.port();
        let recordings: Recordings = Arc::default();
        let shared = recordings.clone();
        let accept = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let recording = Arc::new(Mutex::new(Recording::default()));
                if let Ok(mut all) = shared.lock() {
                    all.push(recording.clone());
                }
                let upstream = upstream.clone();
                tokio::spawn(async move {
                    if let Err(e) = forward(client, &upstream, recording).await {
                        eprintln!("bench: capture proxy: {e:#}");
                    }
                });
            }
        });
        Ok(Proxy {
            port,
            recordings,
            accept,
        })
    }

    /// A copy of every connection's bytes so far.
    pub fn snapshot(&self) -> Vec<Recording> {
        let all = match self.recordings.lock() {
            Ok(all) => all.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        };
        all.iter()
            .map(|r| match r.lock() {
                Ok(r) => r.clone(),
                Err(poisoned) => poisoned.into_inner().clone(),
            })
            .collect()
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

async fn forward(
    client: TcpStream,
    upstream: &str,
    recording: Arc<Mutex<Recording>>,
) -> anyhow::Result<()> {
    let server = TcpStream::connect(upstream)
        .await
        .with_context(|| format!("connecting to {upstream}"))?;
    client.set_nodelay(true)?;
    server.set_nodelay(true)?;
    let (client_read, client_write) = client.into_split();
    let (server_read, server_write) = server.into_split();
    let up = pump(client_read, server_write, recording.clone(), true);
    let down = pump(server_read, client_write, recording, false);
    tokio::try_join!(up, down)?;
    Ok(())
}

async fn pump(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    recording: Arc<Mutex<Recording>>,
    to_server: bool,
) -> anyhow::Result<()> {
    let mut buffer = vec![0u8; 64 * 1024];
    loop {
        let n = from.read(&mut buffer).await?;
        if n == 0 {
            to.shutdown().await.ok();
            return Ok(());
        }
        let chunk = buffer.get(..n).unwrap_or_default();
        {
            let mut r = match recording.lock() {
                Ok(r) => r,
                Err(poisoned) => poisoned.into_inner(),
            };
            if to_server {
                r.to_server.extend_from_slice(chunk);
            } else {
                r.to_client.extend_from_slice(chunk);
            }
        }
        to.write_all(chunk).await?;
    }
}
