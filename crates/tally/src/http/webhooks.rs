//! `POST /webhooks/woocommerce/{public_id}`: the WooCommerce webhook receiver. It reads
//! the raw body (up to 1 MiB; a larger one is answered 413 with a receipt, not a stock
//! error) and hands it to the delivery use case.

use actix_web::{web, HttpRequest, HttpResponse};
use futures_util::StreamExt;

use super::AppState;
use crate::usecases::deliveries::{Answer, Body, Receiver, MAX_BODY};

async fn read_body(req: &HttpRequest, mut payload: web::Payload) -> Body {
    let declared = req
        .headers()
        .get("content-length")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > MAX_BODY) {
        return Body::TooLarge;
    }
    let mut body = Vec::with_capacity(declared.unwrap_or(8 * 1024).min(MAX_BODY));
    while let Some(chunk) = payload.next().await {
        let Ok(chunk) = chunk else {
            return Body::Complete(body);
        };
        if body.len() + chunk.len() > MAX_BODY {
            return Body::TooLarge;
        }
        body.extend_from_slice(&chunk);
    }
    Body::Complete(body)
}

pub(crate) async fn receive(
    req: HttpRequest,
    state: web::Data<AppState>,
    public_id: web::Path<String>,
    payload: web::Payload,
) -> HttpResponse {
    if !state.config.feature_woocommerce {
        return HttpResponse::NotFound()
            .content_type("text/plain; charset=utf-8")
            .body("not found");
    }
    let body = read_body(&req, payload).await;
    let pairs: Vec<(String, String)> = req
        .headers()
        .iter()
        .filter_map(|(k, v)| {
            v.to_str()
                .ok()
                .map(|v| (k.as_str().to_owned(), v.to_owned()))
        })
        .collect();
    let headers =
        webhook::DeliveryHeaders::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let receiver = Receiver {
        pool: &state.pool,
        keys: &state.config.keys,
        public_base_url: &state.config.public_base_url,
        batcher: Some(&state.ingest),
    };
    let now = time::OffsetDateTime::now_utc();
    match receiver.receive(&public_id, &headers, &body, now).await {
        Ok(answer) => {
            let mut res = match answer {
                Answer::Ok => HttpResponse::Ok(),
                Answer::Unauthorized => HttpResponse::Unauthorized(),
                Answer::TooLarge => HttpResponse::PayloadTooLarge(),
                Answer::NotFound => HttpResponse::NotFound(),
            };
            res.content_type("text/plain; charset=utf-8")
                .body(match answer {
                    Answer::Ok => "ok",
                    Answer::Unauthorized => "signature missing or invalid",
                    Answer::TooLarge => "body larger than 1 MiB",
                    Answer::NotFound => "not found",
                })
        }
        Err(_) => HttpResponse::InternalServerError()
            .content_type("text/plain; charset=utf-8")
            .body("Tally could not process this delivery"),
    }
}
