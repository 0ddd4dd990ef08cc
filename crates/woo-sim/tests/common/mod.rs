//! Test helpers: a REST client trusting the simulator's CA, and a raw HTTP receiver that
//! records requests exactly as they arrive (request line, headers in order, body bytes).

#![allow(dead_code)]

use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use woo_sim::{Sim, SimOptions, WebhookView};

pub async fn sim() -> Sim {
    Sim::start(SimOptions::default()).await.expect("sim starts")
}

pub async fn sim_with(options: SimOptions) -> Sim {
    Sim::start(options).await.expect("sim starts")
}

pub fn webhook(sim: &Sim, id: i64) -> WebhookView {
    sim.webhooks()
        .into_iter()
        .find(|w| w.id == id)
        .expect("webhook exists")
}

pub fn hmac_b64(secret: &str, body: &[u8]) -> String {
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(ring::hmac::sign(&key, body).as_ref())
}

/// A response from the simulator.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
    }

    pub fn headers_all(&self, name: &str) -> Vec<String> {
        self.headers
            .get_all(name)
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .collect()
    }

    pub fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or("")
    }
}

/// A REST client for `/wp-json/wc/v3/`.
#[derive(Debug, Clone)]
pub struct Api {
    client: reqwest::Client,
    base: String,
    key: Option<(String, String)>,
}

impl Api {
    pub fn new(sim: &Sim) -> Api {
        let ca = reqwest::Certificate::from_pem(sim.ca_cert_pem().as_bytes()).unwrap();
        let client = reqwest::Client::builder()
            .use_rustls_tls()
            .tls_built_in_root_certs(false)
            .add_root_certificate(ca)
            .build()
            .unwrap();
        Api {
            client,
            base: sim.base_url(),
            key: Some(sim.read_write_key()),
        }
    }

    pub fn with_key(&self, key: Option<(String, String)>) -> Api {
        Api {
            key,
            ..self.clone()
        }
    }

    pub async fn call(&self, method: &str, route: &str, body: Option<Value>) -> Resp {
        let url = format!("{}/wp-json/wc/v3/{route}", self.base);
        let mut rb = self
            .client
            .request(reqwest::Method::from_bytes(method.as_bytes()).unwrap(), url);
        if let Some((ck, cs)) = &self.key {
            rb = rb.basic_auth(ck, Some(cs));
        }
        if let Some(b) = body {
            rb = rb.json(&b);
        }
        let resp = rb.send().await.expect("request");
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let text = resp.text().await.unwrap();
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Resp {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, route: &str) -> Resp {
        self.call("GET", route, None).await
    }

    pub async fn post(&self, route: &str, body: Value) -> Resp {
        self.call("POST", route, Some(body)).await
    }

    pub async fn put(&self, route: &str, body: Value) -> Resp {
        self.call("PUT", route, Some(body)).await
    }

    pub async fn delete(&self, route: &str) -> Resp {
        self.call("DELETE", route, None).await
    }

    /// Creates an `order.updated` webhook and returns its ID.
    pub async fn webhook(&self, url: &str, secret: &str) -> i64 {
        let r = self
            .post(
                "webhooks",
                serde_json::json!({"name": "test", "topic": "order.updated", "delivery_url": url, "secret": secret}),
            )
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        r.body["id"].as_i64().unwrap()
    }

    /// Creates a pending order of `total` (one line item) and returns its ID.
    pub async fn order(&self, total: &str) -> i64 {
        let r = self
            .post(
                "orders",
                serde_json::json!({
                    "status": "pending",
                    "billing": {"first_name": "Ann", "last_name": "Buyer", "email": "ann.buyer@example.com"},
                    "line_items": [{"name": "Test Mug", "product_id": 10, "quantity": 1, "total": total}],
                }),
            )
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        r.body["id"].as_i64().unwrap()
    }
}

/// One request as the receiver saw it.
#[derive(Debug, Clone)]
pub struct Received {
    pub request_line: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub at: Instant,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn is_ping(&self) -> bool {
        self.header("X-WC-Webhook-Signature").is_none()
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("JSON body")
    }

    pub fn header_names(&self) -> Vec<&str> {
        self.headers.iter().map(|(k, _)| k.as_str()).collect()
    }
}

#[derive(Debug)]
struct RecvState {
    requests: Mutex<Vec<Received>>,
    ping_status: AtomicU16,
    delivery_status: AtomicU16,
}

/// A raw HTTP receiver on 127.0.0.1 answering pings and deliveries with set statuses.
#[derive(Debug, Clone)]
pub struct Receiver {
    pub url: String,
    pub port: u16,
    state: Arc<RecvState>,
}

impl Receiver {
    pub async fn start(ping_status: u16, delivery_status: u16) -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(RecvState {
            requests: Mutex::new(Vec::new()),
            ping_status: AtomicU16::new(ping_status),
            delivery_status: AtomicU16::new(delivery_status),
        });
        let s = state.clone();
        tokio::spawn(async move {
            while let Ok((sock, _)) = listener.accept().await {
                tokio::spawn(serve(sock, s.clone()));
            }
        });
        Receiver {
            url: format!("http://127.0.0.1:{port}/hook"),
            port,
            state,
        }
    }

    pub fn set_delivery_status(&self, status: u16) {
        self.state.delivery_status.store(status, Ordering::SeqCst);
    }

    pub fn requests(&self) -> Vec<Received> {
        self.state.requests.lock().unwrap().clone()
    }

    pub fn deliveries(&self) -> Vec<Received> {
        self.requests()
            .into_iter()
            .filter(|r| !r.is_ping())
            .collect()
    }

    pub fn pings(&self) -> Vec<Received> {
        self.requests()
            .into_iter()
            .filter(Received::is_ping)
            .collect()
    }

    /// Waits until at least `n` deliveries arrived (or 10 s passed).
    pub async fn wait_deliveries(&self, n: usize) -> Vec<Received> {
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.deliveries().len() < n && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        self.deliveries()
    }
}

async fn serve(mut sock: TcpStream, state: Arc<RecvState>) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break p;
        }
        match sock.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let mut lines = head.split("\r\n");
    let request_line = lines.next().unwrap_or_default().to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let len: usize = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = buf[head_end + 4..].to_vec();
    while body.len() < len {
        match sock.read(&mut chunk).await {
            Ok(0) | Err(_) => break,
            Ok(n) => body.extend_from_slice(&chunk[..n]),
        }
    }
    let received = Received {
        request_line,
        headers,
        body,
        at: Instant::now(),
    };
    let status = if received.is_ping() {
        state.ping_status.load(Ordering::SeqCst)
    } else {
        state.delivery_status.load(Ordering::SeqCst)
    };
    state.requests.lock().unwrap().push(received);
    let resp =
        format!("HTTP/1.1 {status} Whatever\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
    let _ = sock.write_all(resp.as_bytes()).await;
    let _ = sock.shutdown().await;
}
