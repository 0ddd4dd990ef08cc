//! Use cases: what the handlers and commands ask for, each one function over the
//! database and domain crates, committing everything it writes in one transaction.

pub mod adjust;
pub mod api_tokens;
pub mod business;
pub mod cards;
pub mod codes;
pub mod connect;
pub mod counter;
pub mod deliveries;
pub mod demo;
pub mod earn;
pub mod history;
pub mod home;
pub mod idempotency;
pub mod ingest;
pub mod integration;
pub mod limits;
pub mod links;
pub mod member_account;
pub mod member_export;
pub mod members;
pub mod onboarding;
pub mod orders;
pub mod reconcile;
pub mod redeem;
pub mod secrets;
pub mod signin;
pub mod team;
