//! The pgbench script of one delivery, derived from captured deliveries — never
//! written by hand. Every statement is the SQL text Tally sent, in Tally's order, with
//! Tally's transaction boundaries; each `$n` becomes what makes the next transaction a
//! new delivery, decided by comparing two captured deliveries A and B:
//!
//! - the same value in A and B: a constant (a `-D` variable, so no literal is pasted
//!   into the SQL);
//! - text that contains the order id: the same text around the transaction's order id;
//! - a value an earlier statement returned (member id, wallet id): that statement ends
//!   in `\gset` and the value is taken from it;
//! - a timestamp: `now()` plus the same offset from the delivery's `now`;
//! - any other text or bytes (member code, email hash, delivery id): a value of the same
//!   shape, unique per transaction; any other integer: A's value.
//!
//! Every parameter is cast to the type Tally bound, so the server plans the same types.

mod shape;

use std::collections::BTreeMap;

use anyhow::{bail, Context};

use crate::capture::values::{self, is_integer, is_textual, is_timestamp, timestamp_micros};
use crate::capture::{Delivery, Executed, Value};

/// Orders of pgbench transactions are numbered from here (the load generator's and the
/// capture's orders stay far below).
pub const PGBENCH_ORDERS: i64 = 5_000_000_000;
/// Transactions one pgbench client may run before its unique numbers could repeat.
pub const PER_CLIENT: i64 = 1_000_000;

/// The derived script.
#[derive(Debug, Clone)]
pub struct Script {
    pub text: String,
    /// `-D name=value` for pgbench.
    pub defines: Vec<(String, String)>,
    pub statements: usize,
    /// How many parameters were derived each way, for the report.
    pub kinds: BTreeMap<&'static str, usize>,
}

#[derive(Default)]
struct Builder {
    constants: BTreeMap<String, String>,
    opaque: Vec<(Vec<String>, String)>,
    gsets: BTreeMap<usize, ()>,
    kinds: BTreeMap<&'static str, usize>,
}

impl Builder {
    fn constant(&mut self, text: &str) -> String {
        let next = format!("c{}", self.constants.len());
        let name = self.constants.entry(text.to_string()).or_insert(next);
        format!(":{name}")
    }
}

/// Derives the script from deliveries `a` and `b`; `samples` (all captured deliveries)
/// supply the alphabets of opaque values. `clients` bounds the unique numbers needed.
pub fn derive(
    a: &Delivery,
    b: &Delivery,
    samples: &[Delivery],
    clients: usize,
) -> anyhow::Result<Script> {
    if a.statements.len() != b.statements.len()
        || a.statements
            .iter()
            .zip(&b.statements)
            .any(|(x, y)| x.sql != y.sql)
    {
        bail!("two captured deliveries executed different statements: the delivery path is not deterministic enough to replay");
    }
    let mut builder = Builder::default();
    let mut lines: Vec<String> = Vec::new();
    for (i, (sa, sb)) in a.statements.iter().zip(&b.statements).enumerate() {
        if sa.params.len() != sb.params.len() {
            bail!("statement {i} had different parameters in the two captures");
        }
        let mut exprs = Vec::new();
        for (j, (pa, pb)) in sa.params.iter().zip(&sb.params).enumerate() {
            let expr = param(&mut builder, (a, b), (i, j), (pa, pb), samples, clients)
                .with_context(|| format!("statement {i} ({}), parameter ${}", sa.sql, j + 1))?;
            exprs.push(expr);
        }
        lines.push(substitute(&sa.sql, &exprs)?);
    }
    let mut text = String::from(
        "-- One Tally delivery per transaction, derived by `cargo xtask bench ingest` from the\n\
         -- statements Tally sent for captured deliveries (crates/bench/src/script.rs).\n",
    );
    text.push_str("\\set seq :seq + 1\n");
    text.push_str(&format!("\\set u :client_id * {PER_CLIENT} + :seq\n"));
    text.push_str(&format!("\\set oid {PGBENCH_ORDERS} + :u\n"));
    for (i, line) in lines.iter().enumerate() {
        if builder.gsets.contains_key(&i) {
            text.push_str(&format!("{line} \\gset r{i}_\n"));
        } else {
            text.push_str(&format!("{line};\n"));
        }
    }
    let mut defines: Vec<(String, String)> = vec![("seq".into(), "0".into())];
    defines.extend(
        builder
            .constants
            .iter()
            .map(|(value, name)| (name.clone(), value.clone())),
    );
    Ok(Script {
        text,
        defines,
        statements: lines.len(),
        kinds: builder.kinds,
    })
}

fn cast(expr: String, oid: u32) -> String {
    match values::type_name(oid) {
        Some(name) => format!("{expr}::{name}"),
        None => expr,
    }
}

fn param(
    builder: &mut Builder,
    (a, b): (&Delivery, &Delivery),
    (i, j): (usize, usize),
    (pa, pb): (&Value, &Value),
    samples: &[Delivery],
    clients: usize,
) -> anyhow::Result<String> {
    let oid = pa.oid;
    let Some(ta) = values::text(pa)? else {
        *builder.kinds.entry("constant").or_default() += 1;
        return Ok(cast("NULL".into(), oid));
    };
    if pa == pb {
        *builder.kinds.entry("constant").or_default() += 1;
        let name = builder.constant(&ta);
        return Ok(cast(name, oid));
    }
    let tb = values::text(pb)?.context("NULL in one capture only")?;
    let (oa, ob) = (a.order_id.to_string(), b.order_id.to_string());
    if is_integer(oid) && ta == oa && tb == ob {
        *builder.kinds.entry("order id").or_default() += 1;
        return Ok(cast(":oid".into(), oid));
    }
    if is_textual(oid) && ta.contains(&oa) {
        let parts: Vec<&str> = ta.split(oa.as_str()).collect();
        if parts.join(&ob) == tb {
            *builder.kinds.entry("text around the order id").or_default() += 1;
            let mut pieces = Vec::new();
            for (k, part) in parts.iter().enumerate() {
                if k > 0 {
                    pieces.push(":oid::text".to_string());
                }
                if !part.is_empty() {
                    pieces.push(format!("{}::text", builder.constant(part)));
                }
            }
            return Ok(cast(format!("({})", pieces.join(" || ")), oid));
        }
    }
    if is_timestamp(oid) {
        let (Some(ma), Some(mb)) = (timestamp_micros(pa), timestamp_micros(pb)) else {
            bail!("a timestamp sent as text");
        };
        let (da, db) = (ma - a.now_micros, mb - b.now_micros);
        if (da - db).abs() > 1 {
            bail!("a timestamp that is not the delivery's time plus a fixed offset");
        }
        *builder.kinds.entry("now()").or_default() += 1;
        return Ok(if da.abs() <= 1 {
            cast("now()".into(), oid)
        } else {
            cast(format!("(now() + interval '{da} microseconds')"), oid)
        });
    }
    if let Some((k, column)) = produced_by(a, b, i, pa, pb) {
        *builder
            .kinds
            .entry("returned by an earlier statement")
            .or_default() += 1;
        builder.gsets.insert(k, ());
        return Ok(cast(format!(":r{k}_{column}"), oid));
    }
    if is_integer(oid) {
        *builder
            .kinds
            .entry("varying integer kept as captured")
            .or_default() += 1;
        let name = builder.constant(&ta);
        return Ok(cast(name, oid));
    }
    let seen: Vec<String> = samples
        .iter()
        .filter_map(|d| d.statements.get(i)?.params.get(j))
        .filter_map(|v| values::text(v).ok().flatten())
        .collect();
    let index = match builder.opaque.iter().position(|(_, v)| *v == ta) {
        Some(index) => index,
        None => {
            builder.opaque.push((seen.clone(), ta.clone()));
            builder.opaque.len() - 1
        }
    };
    let needed = i64::try_from(clients)?
        .saturating_add(1)
        .saturating_mul(PER_CLIENT);
    *builder
        .kinds
        .entry("unique value of the same shape")
        .or_default() += 1;
    if oid == values::BYTEA {
        return Ok(shape::bytes(&ta, index));
    }
    if is_textual(oid) {
        return Ok(cast(shape::text(&ta, &seen, needed)?, oid));
    }
    bail!("a value of type oid {oid} that differs between deliveries in a way the script cannot reproduce")
}

/// The earliest statement before `i` that returned one row holding `pa` in A and `pb`
/// in B, in the same column: `(statement, column name)`.
fn produced_by(
    a: &Delivery,
    b: &Delivery,
    i: usize,
    pa: &Value,
    pb: &Value,
) -> Option<(usize, String)> {
    let same = |v: &Value, p: &Value| v.bytes == p.bytes && v.oid == p.oid && v.binary == p.binary;
    for k in 0..i {
        let (ka, kb): (&Executed, &Executed) = (a.statements.get(k)?, b.statements.get(k)?);
        let ([row_a], [row_b]) = (ka.rows.as_slice(), kb.rows.as_slice()) else {
            continue;
        };
        for (c, name) in ka.columns.iter().enumerate() {
            let unique = ka.columns.iter().filter(|n| *n == name).count() == 1;
            let plain = name
                .chars()
                .all(|ch| ch.is_ascii_alphanumeric() || ch == '_');
            if unique
                && plain
                && row_a.get(c).is_some_and(|v| same(v, pa))
                && row_b.get(c).is_some_and(|v| same(v, pb))
            {
                return Some((k, name.clone()));
            }
        }
    }
    None
}

/// `sql` with each `$n` (outside quotes) replaced by `exprs[n - 1]`.
fn substitute(sql: &str, exprs: &[String]) -> anyhow::Result<String> {
    if sql.contains(';') || sql.contains('\n') {
        bail!("a statement with a semicolon or a line break: {sql}");
    }
    if shape::has_variable(sql) {
        bail!("a statement with a colon pgbench would read as a variable: {sql}");
    }
    let mut out = String::new();
    let mut chars = sql.chars().peekable();
    let mut quote: Option<char> = None;
    while let Some(ch) = chars.next() {
        match (quote, ch) {
            (Some(q), c) if c == q => {
                quote = None;
                out.push(c);
            }
            (Some(_), c) => out.push(c),
            (None, '\'' | '"') => {
                quote = Some(ch);
                out.push(ch);
            }
            (None, '$') if chars.peek().is_some_and(char::is_ascii_digit) => {
                let mut digits = String::new();
                while let Some(d) = chars.peek().copied().filter(char::is_ascii_digit) {
                    digits.push(d);
                    chars.next();
                }
                let n: usize = digits.parse()?;
                let expr = exprs
                    .get(n.wrapping_sub(1))
                    .with_context(|| format!("${n} without a value"))?;
                out.push_str(expr);
            }
            (None, c) => out.push(c),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_outside_quotes_are_replaced() {
        let sql = r#"SELECT "t"."$1", $1, '$2' FROM t WHERE a = $2 LIMIT $10"#;
        let exprs: Vec<String> = (1..=10).map(|n| format!(":v{n}")).collect();
        assert_eq!(
            substitute(sql, &exprs).unwrap(),
            r#"SELECT "t"."$1", :v1, '$2' FROM t WHERE a = :v2 LIMIT :v10"#
        );
        assert!(substitute("SELECT $3", &exprs[..2]).is_err());
        assert!(substitute("SELECT 1; SELECT 2", &exprs).is_err());
    }
}
