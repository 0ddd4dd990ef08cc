//! A minimal HTTP/1.0 client that writes headers exactly in the order given, like
//! WordPress' `Requests` transport does (`'httpversion' => '1.0'`, `Connection: close`).
//! HTTPS is verified against the Mozilla roots (WordPress ships the same bundle), so a
//! receiver with a self-signed certificate fails like it would against a real store.

use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use url::Url;

/// What came back.
#[derive(Debug)]
pub(crate) struct Response {
    pub status: u16,
    pub location: Option<String>,
}

/// Sends one request. `headers` come after `Host`, verbatim and in order.
/// Errors are cURL-style messages, as `WP_Error` texts from a real store look.
pub(crate) async fn send(
    method: &str,
    url: &Url,
    headers: &[(String, String)],
    body: &[u8],
    timeout: Duration,
) -> Result<Response, String> {
    let started = Instant::now();
    match tokio::time::timeout(timeout, send_inner(method, url, headers, body)).await {
        Ok(r) => r,
        Err(_) => Err(format!(
            "cURL error 28: Operation timed out after {} milliseconds with 0 bytes received",
            started.elapsed().as_millis()
        )),
    }
}

/// `host[:port]` as the `Host` header shows it.
pub(crate) fn host_header(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default();
    match url.port() {
        Some(p) => format!("{host}:{p}"),
        None => host.to_string(),
    }
}

async fn send_inner(
    method: &str,
    url: &Url,
    headers: &[(String, String)],
    body: &[u8],
) -> Result<Response, String> {
    let host = url
        .host_str()
        .ok_or_else(|| "cURL error 3: URL using bad/illegal format or missing URL".to_string())?;
    let port = url.port_or_known_default().unwrap_or(80);
    let started = Instant::now();
    let connect_host = host.trim_start_matches('[').trim_end_matches(']');
    let tcp = TcpStream::connect((connect_host, port))
        .await
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::ConnectionRefused {
                format!(
                    "cURL error 7: Failed to connect to {host} port {port} after {} ms: Couldn't connect to server",
                    started.elapsed().as_millis()
                )
            } else if e.to_string().contains("lookup") || e.to_string().contains("resolve") {
                format!("cURL error 6: Could not resolve host: {host}")
            } else {
                format!("cURL error 7: Failed to connect to {host} port {port}: {e}")
            }
        })?;
    let _ = tcp.set_nodelay(true);

    let mut request = Vec::with_capacity(body.len() + 512);
    let mut target = url.path().to_string();
    if let Some(q) = url.query() {
        target.push('?');
        target.push_str(q);
    }
    request.extend_from_slice(format!("{method} {target} HTTP/1.0\r\n").as_bytes());
    request.extend_from_slice(format!("Host: {}\r\n", host_header(url)).as_bytes());
    for (k, v) in headers {
        request.extend_from_slice(format!("{k}: {v}\r\n").as_bytes());
    }
    request.extend_from_slice(b"\r\n");
    request.extend_from_slice(body);

    if url.scheme() == "https" {
        let name = rustls::pki_types::ServerName::try_from(connect_host.to_string())
            .map_err(|e| format!("cURL error 3: {e}"))?;
        let tls = tokio_rustls::TlsConnector::from(client_config())
            .connect(name, tcp)
            .await
            .map_err(|e| format!("cURL error 60: SSL certificate problem: {e}"))?;
        exchange(tls, &request).await
    } else {
        exchange(tcp, &request).await
    }
}

async fn exchange<S: AsyncRead + AsyncWrite + Unpin>(
    mut stream: S,
    request: &[u8],
) -> Result<Response, String> {
    stream
        .write_all(request)
        .await
        .map_err(|e| format!("cURL error 55: Send failure: {e}"))?;
    let _ = stream.flush().await;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(pos) = find(&buf, b"\r\n\r\n") {
            break pos;
        }
        let n = stream
            .read(&mut chunk)
            .await
            .map_err(|e| format!("cURL error 56: Recv failure: {e}"))?;
        if n == 0 {
            return Err("cURL error 52: Empty reply from server".into());
        }
        buf.extend_from_slice(&chunk[..n]);
        if buf.len() > 64 * 1024 {
            return Err("cURL error 8: Weird server reply".into());
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse::<u16>().ok())
        .ok_or_else(|| "cURL error 8: Weird server reply".to_string())?;
    let mut location = None;
    let mut content_length = None;
    for line in lines {
        if let Some((k, v)) = line.split_once(':') {
            if k.trim().eq_ignore_ascii_case("location") {
                location = Some(v.trim().to_string());
            } else if k.trim().eq_ignore_ascii_case("content-length") {
                content_length = v.trim().parse::<usize>().ok();
            }
        }
    }
    // Drain the body (bounded), so the receiver can finish writing its answer.
    let mut have = buf.len() - head_end - 4;
    let cap = 1024 * 1024;
    while content_length.is_none_or(|cl| have < cl) && have < cap {
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => break,
            Ok(n) => have += n,
        }
    }
    Ok(Response { status, location })
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn client_config() -> Arc<rustls::ClientConfig> {
    static CONFIG: OnceLock<Arc<rustls::ClientConfig>> = OnceLock::new();
    CONFIG
        .get_or_init(|| {
            let roots = rustls::RootCertStore {
                roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
            };
            let config = rustls::ClientConfig::builder_with_provider(Arc::new(
                rustls::crypto::ring::default_provider(),
            ))
            .with_safe_default_protocol_versions()
            .expect("ring supports the default TLS versions")
            .with_root_certificates(roots)
            .with_no_client_auth();
            Arc::new(config)
        })
        .clone()
}
