//! Exactly once: after a run, every order sent has one award and its (new) member's
//! wallet holds exactly the order's points and the welcome bonus — no more (awarded
//! twice) and no less (lost). Read through `database`, order by order.

use std::sync::Arc;

use anyhow::bail;

use crate::orders::{self, POINTS, WELCOME_BONUS};
use crate::store::Store;

/// The wallet totals of a run.
#[derive(Debug, Clone, Default)]
pub struct Totals {
    pub orders: i64,
    pub points: i64,
    pub expected: i64,
    pub wrong: Vec<String>,
}

/// Checks orders `first .. first + count`.
pub async fn orders(
    pool: &database::Pool,
    store: &Store,
    first: i64,
    count: i64,
) -> anyhow::Result<Totals> {
    const TASKS: i64 = 8;
    let store = Arc::new(store.clone());
    let mut tasks = tokio::task::JoinSet::new();
    for t in 0..TASKS {
        let (pool, store) = (pool.clone(), store.clone());
        tasks.spawn(async move {
            let mut totals = Totals::default();
            let mut conn = database::pool::get(&pool).await?;
            let mut order = first + t;
            while order < first + count {
                check_one(&mut conn, &store, order, &mut totals).await?;
                order += TASKS;
            }
            Ok::<_, anyhow::Error>(totals)
        });
    }
    let mut all = Totals::default();
    while let Some(joined) = tasks.join_next().await {
        let totals = joined??;
        all.orders += totals.orders;
        all.points += totals.points;
        all.expected += totals.expected;
        all.wrong.extend(totals.wrong);
    }
    all.wrong.sort();
    Ok(all)
}

async fn check_one(
    conn: &mut database::pool::Conn,
    store: &Store,
    order: i64,
    totals: &mut Totals,
) -> anyhow::Result<()> {
    let expected = POINTS + WELCOME_BONUS;
    totals.orders += 1;
    totals.expected += expected;
    let Some(member) = database::members::find_by_email(conn, &orders::email(order)).await? else {
        totals.wrong.push(format!("order {order}: no member"));
        return Ok(());
    };
    let balance = database::wallets::find(conn, store.partner_id, store.card_id, member.id)
        .await?
        .map(|w| w.balance);
    totals.points += balance.unwrap_or(0);
    let award = database::awards::find(
        conn,
        store.partner_id,
        store.integration_id,
        &order.to_string(),
    )
    .await?;
    let awarded = award.map(|a| a.points_awarded + a.welcome_bonus_points);
    if balance != Some(expected) || awarded != Some(expected) {
        totals.wrong.push(format!(
            "order {order}: wallet balance {balance:?}, award {awarded:?}, expected {expected}"
        ));
    }
    Ok(())
}

impl Totals {
    /// Fails loudly unless every order was awarded exactly once.
    pub fn ensure_exactly_once(&self, what: &str) -> anyhow::Result<()> {
        if self.wrong.is_empty() && self.points == self.expected {
            return Ok(());
        }
        bail!(
            "{what}: NOT exactly once — {} of {} orders wrong, wallets hold {} points, expected {}; first: {}",
            self.wrong.len(),
            self.orders,
            self.points,
            self.expected,
            self.wrong.iter().take(5).cloned().collect::<Vec<_>>().join("; ")
        )
    }
}
