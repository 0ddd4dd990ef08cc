//! Loading `woocommerce-captures/deliveries.jsonl` from the shared folder next to the repo.

use std::path::PathBuf;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use webhook::DeliveryHeaders;

const CAPTURES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/woocommerce-captures"
);

/// The key WooCommerce signed with for a webhook registered with the secret
/// `s3cr&amp;t<>"'x&y`: it HTML-decodes the stored secret first.
pub const HTML_DECODED_SECRET: &[u8] = b"s3cr&t<>\"'x&y";
pub const HTML_ENCODED_SECRET: &str = "s3cr&amp;t<>\"'x&y";

/// One recorded delivery.
#[derive(Debug)]
pub struct Delivery {
    /// 1-based line number in the file.
    pub line: usize,
    pub what: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub secret_as_registered: Option<String>,
}

impl Delivery {
    pub fn headers(&self) -> DeliveryHeaders {
        DeliveryHeaders::from_pairs(self.headers.iter().map(|(n, v)| (n.as_str(), v.as_str())))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn signed_with_html_decoded_secret(&self) -> bool {
        self.what.contains("HTML entities")
    }

    /// The key WooCommerce actually signed this delivery with.
    pub fn signing_key(&self) -> Vec<u8> {
        if self.signed_with_html_decoded_secret() {
            assert_eq!(
                self.secret_as_registered.as_deref(),
                Some(HTML_ENCODED_SECRET),
                "line {}",
                self.line
            );
            HTML_DECODED_SECRET.to_vec()
        } else {
            self.secret_as_registered
                .clone()
                .unwrap_or_else(|| panic!("line {} has no secret", self.line))
                .into_bytes()
        }
    }
}

fn folder() -> PathBuf {
    let path = PathBuf::from(CAPTURES);
    assert!(
        path.is_dir(),
        "the WooCommerce recordings are missing: expected the folder {} \
         (the repository is cloned next to `shared/`, which holds woocommerce-captures/)",
        path.display()
    );
    path
}

/// Every line of `deliveries.jsonl`, in order.
pub fn deliveries() -> Vec<Delivery> {
    let path = folder().join("deliveries.jsonl");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            let v: serde_json::Value = serde_json::from_str(l)
                .unwrap_or_else(|e| panic!("line {} is not JSON: {e}", i + 1));
            let headers = v["headers"]
                .as_array()
                .expect("headers")
                .iter()
                .map(|pair| {
                    let name = pair[0].as_str().expect("header name").to_owned();
                    let value = pair[1].as_str().expect("header value").to_owned();
                    (name, value)
                })
                .collect();
            Delivery {
                line: i + 1,
                what: v["what"].as_str().expect("what").to_owned(),
                headers,
                body: STANDARD
                    .decode(v["body_b64"].as_str().expect("body_b64"))
                    .expect("body_b64 is base64"),
                secret_as_registered: v["webhook_secret_as_registered"]
                    .as_str()
                    .map(str::to_owned),
            }
        })
        .collect()
}

/// What a line's `what` text says about the order, e.g.
/// `order 11 status completed, total 50.00, refunds ['-10.00']`.
#[derive(Debug, PartialEq, Eq)]
pub struct Expected {
    pub id: i64,
    pub status: String,
    pub total: String,
    pub refunds: Vec<String>,
}

pub fn expected(what: &str) -> Expected {
    let rest = what
        .strip_prefix("order ")
        .expect("what starts with `order `");
    let (id, rest) = rest.split_once(" status ").expect("` status `");
    let (status, rest) = rest.split_once(", total ").expect("`, total `");
    let (total, rest) = rest.split_once(", refunds [").expect("`, refunds [`");
    let (refunds, _) = rest.split_once(']').expect("`]`");
    Expected {
        id: id.parse().expect("order id"),
        status: status.to_owned(),
        total: total.to_owned(),
        refunds: refunds
            .split(',')
            .map(|r| r.trim().trim_matches('\'').to_owned())
            .filter(|r| !r.is_empty())
            .collect(),
    }
}
