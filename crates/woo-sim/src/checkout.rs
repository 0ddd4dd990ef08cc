//! Coupons on orders: validation as `WC_Discounts` does it, the discount spread over line
//! items, and usage counting (counted when an order enters pending/on-hold/processing/
//! completed, released when it is cancelled).

use crate::coupons::{find_by_code, format_code, AMOUNT_DP};
use crate::money::Money;
use crate::orders::{CouponLine, Order};
use crate::rest::{ApiError, Result};
use crate::state::Store;

const COUNTED: &[&str] = &["pending", "on-hold", "processing", "completed"];

fn invalid(message: String) -> ApiError {
    ApiError::new(400, "woocommerce_rest_invalid_coupon", &message)
}

fn email_matches(pattern: &str, email: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == email,
        Some((pre, post)) => {
            email.len() >= pre.len() + post.len() && email.starts_with(pre) && email.ends_with(post)
        }
    }
}

/// Who uses a coupon: the customer ID, or the billing email for guests.
fn user_key(order: &Order) -> String {
    if order.customer_id > 0 {
        order.customer_id.to_string()
    } else {
        order.billing.email.to_lowercase()
    }
}

/// Validates `code` for `order` and returns its coupon line (discount computed later).
pub(crate) fn coupon_line(
    store: &mut Store,
    order: &Order,
    code: &str,
    now: time::OffsetDateTime,
) -> Result<CouponLine> {
    let code = format_code(code);
    let coupon = find_by_code(store, &code)
        .ok_or_else(|| invalid(format!("Coupon \"{code}\" does not exist!")))?
        .clone();
    if coupon.usage_limit > 0 && coupon.usage_count >= coupon.usage_limit {
        return Err(invalid("Coupon usage limit has been reached.".into()));
    }
    if coupon.usage_limit_per_user > 0 {
        let me = user_key(order);
        let used = coupon.used_by.iter().filter(|u| **u == me).count() as i64;
        if used >= coupon.usage_limit_per_user {
            return Err(invalid("Coupon usage limit has been reached.".into()));
        }
    }
    if coupon.expires.is_some_and(|e| now > e) {
        return Err(invalid("This coupon has expired.".into()));
    }
    if !coupon.email_restrictions.is_empty() {
        let email = order.billing.email.to_lowercase();
        if !coupon
            .email_restrictions
            .iter()
            .any(|p| email_matches(p, &email))
        {
            return Err(invalid(format!(
                "Sorry, it seems the coupon \"{code}\" is not yours."
            )));
        }
    }
    Ok(CouponLine {
        id: store.item_id(),
        code,
        discount: Money::ZERO,
        discount_type: coupon.discount_type,
        nominal_amount: coupon.amount,
        free_shipping: coupon.free_shipping,
    })
}

/// Recomputes line item totals from their subtotals and the coupon lines.
pub(crate) fn apply_discounts(order: &mut Order, dp: u32) {
    for item in &mut order.line_items {
        item.total = item.subtotal;
    }
    for i in 0..order.coupon_lines.len() {
        let (kind, nominal) = {
            let c = &order.coupon_lines[i];
            (c.discount_type.clone(), c.nominal_amount)
        };
        let per_item: Vec<i64> = match kind.as_str() {
            "percent" => order
                .line_items
                .iter()
                .map(|it| {
                    it.total
                        .percent(nominal.rescale(AMOUNT_DP, dp), dp)
                        .0
                        .min(it.total.0)
                })
                .collect(),
            "fixed_product" => order
                .line_items
                .iter()
                .map(|it| (nominal.rescale(AMOUNT_DP, dp).0 * it.quantity).min(it.total.0))
                .collect(),
            _ => {
                let base: i64 = order.line_items.iter().map(|it| it.total.0).sum();
                let amount = nominal.rescale(AMOUNT_DP, dp).0.min(base);
                let mut shares: Vec<i64> = order
                    .line_items
                    .iter()
                    .map(|it| {
                        if base == 0 {
                            0
                        } else {
                            amount * it.total.0 / base
                        }
                    })
                    .collect();
                let mut left = amount - shares.iter().sum::<i64>();
                for (share, it) in shares.iter_mut().zip(&order.line_items) {
                    let room = it.total.0 - *share;
                    let add = left.min(room);
                    *share += add;
                    left -= add;
                }
                shares
            }
        };
        for (item, d) in order.line_items.iter_mut().zip(&per_item) {
            item.total = Money(item.total.0 - d);
        }
        order.coupon_lines[i].discount = Money(per_item.iter().sum());
    }
}

/// Counts or releases coupon usage after a status change.
pub(crate) fn update_usage(store: &mut Store, order: &mut Order) {
    let count = COUNTED.contains(&order.status.as_str());
    let release = order.status == "cancelled";
    if count == order.coupon_usage_counted || (!count && !release) {
        return;
    }
    let me = user_key(order);
    for line in &order.coupon_lines {
        let Some(id) = find_by_code(store, &line.code).map(|c| c.id) else {
            continue;
        };
        let Some(c) = store.coupons.get_mut(&id) else {
            continue;
        };
        if count {
            c.usage_count += 1;
            c.used_by.push(me.clone());
        } else {
            c.usage_count = (c.usage_count - 1).max(0);
            if let Some(pos) = c.used_by.iter().position(|u| *u == me) {
                c.used_by.remove(pos);
            }
        }
    }
    order.coupon_usage_counted = count;
}
