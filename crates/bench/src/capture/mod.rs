//! The statements of real deliveries. Tally's own delivery use case
//! (`tally::usecases::deliveries::Receiver`, which `POST /webhooks/woocommerce/{id}`
//! calls) processes signed deliveries on a pool of one connection that goes through a
//! recording proxy; the recording is read back into the statements each delivery
//! executed, with the parameters the code bound and the rows the server returned.

pub mod proxy;
pub mod values;
pub mod wire;

use std::time::Duration;

use anyhow::{bail, Context};
use tally::usecases::deliveries::{Answer, Body, Receiver};

use crate::postgres::PgUrl;
use crate::store::Store;
pub use wire::{Executed, Value};

/// One captured delivery.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub order_id: i64,
    /// The `now` the use case was given, in µs since 2000-01-01 (PostgreSQL's epoch).
    pub now_micros: i64,
    pub statements: Vec<Executed>,
}

/// Runs `count` deliveries of new orders from `first_order` through the use case and
/// returns what each executed. The first one also opens the connection and prepares the
/// statements; callers usually skip it. Before the second and the third, a few members
/// without wallets are created on `direct`, so that member ids and wallet ids differ and
/// the script can tell which returned value a later statement used.
pub async fn deliveries(
    url: &PgUrl,
    direct: &database::Pool,
    store: &Store,
    first_order: i64,
    count: usize,
) -> anyhow::Result<Vec<Delivery>> {
    let proxy = proxy::Proxy::start(url.address()).await?;
    let pool = database::connect(
        &url.through("127.0.0.1", proxy.port).to_string(),
        database::PoolOptions {
            max_size: 1,
            wait_timeout: Duration::from_secs(10),
        },
    )?;
    let keys = crate::keys()?;
    let receiver = Receiver {
        pool: &pool,
        keys: &keys,
        public_base_url: "http://127.0.0.1:8080",
        batcher: None,
    };
    let mut marks = Vec::new();
    for i in 0..count {
        let order_id = first_order + i64::try_from(i)?;
        let body = crate::orders::body(order_id);
        let pairs = crate::orders::headers(crate::WEBHOOK_SECRET, &body, 1 + i as u64);
        let headers =
            webhook::DeliveryHeaders::from_pairs(pairs.iter().map(|(k, v)| (*k, v.as_str())));
        for spacer in 0..[0, 3, 1].get(i).copied().unwrap_or(0) {
            space_ids(direct, i, spacer).await?;
        }
        let now = time::OffsetDateTime::now_utc();
        let before = proxy.snapshot().first().map_or(0, |r| r.to_server.len());
        let answer = receiver
            .receive(
                &store.public_id,
                &headers,
                &Body::Complete(body.into_bytes()),
                now,
            )
            .await
            .context("the captured delivery failed")?;
        if answer != Answer::Ok {
            bail!("the captured delivery was answered {}", answer.status());
        }
        let epoch = time::macros::datetime!(2000-01-01 0:00 UTC);
        let now_micros = i64::try_from((now - epoch).whole_microseconds())?;
        marks.push((order_id, now_micros, before));
    }
    pool.close();
    let recordings = proxy.snapshot();
    let [recording] = recordings.as_slice() else {
        bail!(
            "the capture expected one connection, saw {}",
            recordings.len()
        );
    };
    let executed = wire::executed(&recording.to_server, &recording.to_client)?;
    let mut out = Vec::new();
    for (i, (order_id, now_micros, start)) in marks.iter().enumerate() {
        let end = marks.get(i + 1).map_or(usize::MAX, |m| m.2);
        out.push(Delivery {
            order_id: *order_id,
            now_micros: *now_micros,
            statements: executed
                .iter()
                .filter(|s| s.offset >= *start && s.offset < end)
                .cloned()
                .collect(),
        });
    }
    Ok(out)
}

/// A member of its own (no wallet): moves the member ids along, not the wallet ids.
async fn space_ids(pool: &database::Pool, delivery: usize, n: usize) -> anyhow::Result<()> {
    let mut conn = database::pool::get(pool).await?;
    let email = format!("spacer{delivery}-{n}@bench.test");
    let code = format!("SPACER{}{}", 2 + delivery % 8, 2 + n % 8);
    database::members::find_or_create(
        &mut conn,
        &database::members::NewMember {
            email: &email,
            email_normalized: &email,
            name: "Spacer",
            language: "en",
            now: time::OffsetDateTime::now_utc(),
        },
        || code.clone(),
    )
    .await?;
    Ok(())
}
