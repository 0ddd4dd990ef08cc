//! A real headless Chromium driven over WebDriver: Debian's `chromium` and
//! `chromedriver`, spoken to with fantoccini. Every session has its own profile and
//! driver process; screenshots are kept under `target/screenshots/<test>/` as artefacts.
//!
//! A missing browser or driver fails the test with what to install: it never skips.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use fantoccini::key::Key;
use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{json, Value};

use crate::TempDir;

/// How long a page may take to show what a test waits for.
const PATIENCE: Duration = Duration::from_secs(15);

/// One browser session with its own driver and profile.
#[derive(Debug)]
pub struct Browser {
    client: Client,
    shots: PathBuf,
    step: u32,
    _driver: tokio::process::Child,
    _profile: TempDir,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The W3C "Set Permission" command (chromedriver implements it).
#[derive(Debug)]
struct SetPermission(&'static str);

impl WebDriverCompatibleCommand for SetPermission {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!("session/{}/permissions", session_id.unwrap_or("")))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        let body = json!({"descriptor": {"name": self.0}, "state": "granted"});
        (http::Method::POST, Some(body.to_string()))
    }
}

impl Browser {
    /// Starts chromedriver and a headless Chromium `width` pixels wide (below 500 px, a
    /// phone of that width is emulated); screenshots go to `target/screenshots/<test>/`.
    pub async fn start(test: &str, width: u32) -> Browser {
        let port = free_port();
        let driver = tokio::process::Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("run chromedriver (install Debian's chromium-driver package; .ci/run does)");
        let profile = TempDir::new("chromium-profile");
        let caps = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": [
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-quic",
                    "--no-first-run",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--disable-dev-shm-usage",
                    format!("--window-size={width},900"),
                    format!("--user-data-dir={}", profile.path().display()),
                ],
            },
        });
        // Chromium keeps a window at least 500 px wide; a phone's width is emulated.
        let mut caps = caps;
        if width < 500 {
            caps["goog:chromeOptions"]["mobileEmulation"] = json!({
                "deviceMetrics": {"width": width, "height": 844, "pixelRatio": 1.0, "touch": true},
            });
        }
        let Value::Object(caps) = caps else {
            unreachable!()
        };
        let address = format!("http://127.0.0.1:{port}");
        let mut last = None;
        for _ in 0..100 {
            // chromedriver listens on loopback: plain HTTP, no TLS stack.
            match ClientBuilder::new(HttpConnector::new())
                .capabilities(caps.clone())
                .connect(&address)
                .await
            {
                Ok(client) => {
                    let shots = crate::workspace_root()
                        .join("target/screenshots")
                        .join(test);
                    let _ = std::fs::remove_dir_all(&shots);
                    std::fs::create_dir_all(&shots).unwrap();
                    return Browser {
                        client,
                        shots,
                        step: 0,
                        _driver: driver,
                        _profile: profile,
                    };
                }
                Err(e) => last = Some(e),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("could not start a Chromium session through chromedriver: {last:?}")
    }

    pub async fn goto(&self, url: &str) {
        self.client.goto(url).await.expect("navigate");
    }

    pub async fn current_url(&self) -> String {
        self.client.current_url().await.expect("url").to_string()
    }

    /// Selects what the field matched by `css` holds and types `text` over it, key by
    /// key, as a person would (so the page sees every `input` event; an empty `text`
    /// deletes the selection).
    pub async fn fill(&self, css: &str, text: &str) {
        let field = self.find(css).await;
        let select_all = format!("{}a{}", char::from(Key::Control), char::from(Key::Null));
        field.send_keys(&select_all).await.expect("select all");
        let keys = if text.is_empty() {
            char::from(Key::Backspace).to_string()
        } else {
            text.to_owned()
        };
        field.send_keys(&keys).await.expect("type");
    }

    /// Chooses the option with `value` in the select matched by `css`.
    pub async fn select(&self, css: &str, value: &str) {
        self.find(css)
            .await
            .select_by_value(value)
            .await
            .expect("select");
    }

    pub async fn click(&self, css: &str) {
        self.find(css).await.click().await.expect("click");
    }

    /// Clicks the button whose text is `label`.
    pub async fn press(&self, label: &str) {
        let xpath = format!("//button[normalize-space(.)='{label}']");
        self.client
            .wait()
            .at_most(PATIENCE)
            .for_element(Locator::XPath(&xpath))
            .await
            .unwrap_or_else(|e| panic!("no button {label:?}: {e}"))
            .click()
            .await
            .expect("click");
    }

    /// The element matched by `css`, waiting for it to appear.
    pub async fn find(&self, css: &str) -> fantoccini::elements::Element {
        self.client
            .wait()
            .at_most(PATIENCE)
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no element {css:?} on the page: {e}"))
    }

    pub async fn text(&self, css: &str) -> String {
        self.find(css).await.text().await.expect("text")
    }

    /// The visible text of the whole page.
    pub async fn body_text(&self) -> String {
        self.text("body").await
    }

    /// The element's text, or "" while the page is being replaced (a stale element).
    async fn text_now(&self, css: &str) -> String {
        match self.client.find(Locator::Css(css)).await {
            Ok(element) => element.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        }
    }

    /// Waits until the page's visible text contains `expected`; returns it.
    pub async fn wait_for_text(&self, expected: &str) -> String {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            let text = self.text_now("body").await;
            if text.contains(expected) {
                return text;
            }
            if tokio::time::Instant::now() > deadline {
                panic!("the page never said {expected:?}; it says:\n{text}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until the element matched by `css` says `expected`.
    pub async fn wait_for_element_text(&self, css: &str, expected: &str) {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            let text = self.text_now(css).await;
            if text.contains(expected) {
                return;
            }
            if tokio::time::Instant::now() > deadline {
                panic!("{css} never said {expected:?}; it says {text:?}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Saves a screenshot named `NN-name.png`.
    pub async fn shot(&mut self, name: &str) {
        self.step += 1;
        let png = self.client.screenshot().await.expect("screenshot");
        let path = self.shots.join(format!("{:02}-{name}.png", self.step));
        std::fs::write(&path, png).expect("write the screenshot");
    }

    /// Lets the pages read the clipboard (writing needs no permission on a click).
    pub async fn allow_clipboard(&self) {
        for name in ["clipboard-read", "clipboard-write"] {
            self.client
                .issue_cmd(SetPermission(name))
                .await
                .unwrap_or_else(|e| panic!("grant {name}: {e}"));
        }
    }

    /// What is on the clipboard now.
    pub async fn clipboard(&self) -> String {
        let script = "const done = arguments[arguments.length - 1];\
                      navigator.clipboard.readText().then(done, e => done('ERROR ' + e));";
        let value = self
            .client
            .execute_async(script, vec![])
            .await
            .expect("read the clipboard");
        value.as_str().unwrap_or_default().to_owned()
    }

    /// Runs `script` in the page and returns its result.
    pub async fn run(&self, script: &str) -> Value {
        self.client.execute(script, vec![]).await.expect("script")
    }

    /// Ends the session (the driver is killed when the browser is dropped).
    pub async fn close(self) {
        let _ = self.client.close().await;
    }
}
