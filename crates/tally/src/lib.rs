//! `tally`: the server and its operator commands.
//!
//! The thin shell of Tally: it reads configuration, wires the domain crates to
//! PostgreSQL (through the `database` crate), serves pages, the API and the webhook
//! receiver with actix-web, and runs the background workers. Handlers parse, call a use
//! case (`usecases/`), and render; only this crate knows HTTP status codes. It never
//! writes SQL (that is the `database` crate's) and never does arithmetic on points
//! (that is the `ledger` crate's).

pub mod cli;
pub mod config;
pub mod email;
pub mod http;
pub mod telemetry;
pub mod timezone;
pub mod usecases;
