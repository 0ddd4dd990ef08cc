//! The order an `order.updated` delivery carries.

use time::macros::format_description;
use time::PrimitiveDateTime;

use crate::decimal;
use crate::json::Fields;
use crate::payload::ParseError;
use crate::status::OrderStatus;

/// The parts of a WooCommerce order (`GET /wc/v3/orders/<id>` shape) that Tally reads.
///
/// Fields are private and read through getters, so every value satisfies the checks made
/// by [`parse`](crate::parse): a positive `id`, a three-letter upper-case `currency`, a
/// non-negative decimal `total`. Money stays the decimal text WooCommerce sent (its number
/// of decimals follows the store: `"50.00"`, `"1500"`, `"29.999"`); turning it into an
/// amount is the ledger's job. `total` is the original total: refunds never reduce it,
/// they appear in [`refunds`](Self::refunds) with negative totals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderEvent {
    id: i64,
    number: Option<String>,
    status: OrderStatus,
    currency: String,
    total: String,
    customer_id: i64,
    billing: Billing,
    refunds: Vec<Refund>,
    date_modified_gmt: Option<String>,
}

/// The order's billing contact. Strings are trimmed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Billing {
    email: Option<String>,
    first_name: String,
    last_name: String,
    phone: Option<String>,
}

/// One refund of the order, as listed in the order JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refund {
    id: i64,
    total: String,
    reason: Option<String>,
}

impl OrderEvent {
    /// The order id.
    pub fn id(&self) -> i64 {
        self.id
    }

    /// The order number shown to the shopper (a string; plugins may change it). `None`
    /// when absent or empty.
    pub fn number(&self) -> Option<&str> {
        self.number.as_deref()
    }

    /// The status at the time the body was built (delivery time, not event time).
    pub fn status(&self) -> &OrderStatus {
        &self.status
    }

    /// ISO 4217 code, upper case, e.g. `USD`.
    pub fn currency(&self) -> &str {
        &self.currency
    }

    /// The order total exactly as sent (shipping and taxes included, never reduced by
    /// refunds). A JSON number is kept as its token text, e.g. `1500` or `29.5`.
    pub fn total(&self) -> &str {
        &self.total
    }

    /// The WordPress user id of the customer; `0` for a guest (also when absent).
    pub fn customer_id(&self) -> i64 {
        self.customer_id
    }

    /// Billing contact; all empty when the order has none.
    pub fn billing(&self) -> &Billing {
        &self.billing
    }

    /// Refunds, newest first as WooCommerce lists them; totals are negative.
    pub fn refunds(&self) -> &[Refund] {
        &self.refunds
    }

    /// `date_modified_gmt` as sent, e.g. `2026-11-23T17:56:40` (UTC, no offset).
    pub fn date_modified_gmt(&self) -> Option<&str> {
        self.date_modified_gmt.as_deref()
    }

    /// [`date_modified_gmt`](Self::date_modified_gmt) read as a UTC date and time
    /// (`YYYY-MM-DDTHH:MM:SS`); `None` when absent or in another shape.
    pub fn date_modified_gmt_parsed(&self) -> Option<PrimitiveDateTime> {
        let format = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
        PrimitiveDateTime::parse(self.date_modified_gmt.as_deref()?, format).ok()
    }

    pub(crate) fn from_fields(fields: &Fields<'_>) -> Result<Self, ParseError> {
        let id = fields
            .int("id", "id")?
            .ok_or(ParseError::MissingField("id"))?;
        if id <= 0 {
            return Err(ParseError::invalid("id", "must be a positive whole number"));
        }
        let status = fields
            .string("status", "status")?
            .ok_or(ParseError::MissingField("status"))?;
        if status.trim().is_empty() {
            return Err(ParseError::invalid("status", "must not be empty"));
        }
        let currency = fields
            .string("currency", "currency")?
            .ok_or(ParseError::MissingField("currency"))?;
        if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_alphabetic()) {
            return Err(ParseError::invalid(
                "currency",
                "must be a three-letter ISO 4217 code such as \"USD\"",
            ));
        }
        let total = fields
            .amount("total", "total", decimal::check_non_negative)?
            .ok_or(ParseError::MissingField("total"))?;
        let customer_id = fields.int("customer_id", "customer_id")?.unwrap_or(0);
        if customer_id < 0 {
            return Err(ParseError::invalid("customer_id", "must not be negative"));
        }
        let billing = match fields.object("billing", "billing")? {
            Some(billing) => Billing::from_fields(&billing)?,
            None => Billing::default(),
        };
        let refunds = fields
            .array("refunds", "refunds")?
            .into_iter()
            .map(|raw| {
                let refund =
                    Fields::of(raw).ok_or(ParseError::invalid("refunds", "must hold objects"))?;
                Refund::from_fields(&refund)
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            id,
            number: non_empty(fields.text_or_number("number", "number")?),
            status: OrderStatus::parse(&status),
            currency: currency.to_ascii_uppercase(),
            total,
            customer_id,
            billing,
            refunds,
            date_modified_gmt: non_empty(fields.string("date_modified_gmt", "date_modified_gmt")?),
        })
    }
}

impl Billing {
    /// The billing email, trimmed; `None` when missing, empty or only whitespace
    /// (a guest checkout without an address). Not validated as an address here.
    pub fn email(&self) -> Option<&str> {
        self.email.as_deref()
    }

    /// First name, trimmed; empty when missing.
    pub fn first_name(&self) -> &str {
        &self.first_name
    }

    /// Last name, trimmed; empty when missing.
    pub fn last_name(&self) -> &str {
        &self.last_name
    }

    /// Phone, trimmed; `None` when missing or blank.
    pub fn phone(&self) -> Option<&str> {
        self.phone.as_deref()
    }

    fn from_fields(fields: &Fields<'_>) -> Result<Self, ParseError> {
        Ok(Self {
            email: non_empty(fields.string("email", "billing.email")?),
            first_name: non_empty(fields.string("first_name", "billing.first_name")?)
                .unwrap_or_default(),
            last_name: non_empty(fields.string("last_name", "billing.last_name")?)
                .unwrap_or_default(),
            phone: non_empty(fields.text_or_number("phone", "billing.phone")?),
        })
    }
}

impl Refund {
    /// The refund's own id (stable: use it to make per-refund work idempotent).
    pub fn id(&self) -> i64 {
        self.id
    }

    /// The refunded amount as sent: negative, e.g. `-10.00`.
    pub fn total(&self) -> &str {
        &self.total
    }

    /// The reason typed by the shop; `None` when empty.
    pub fn reason(&self) -> Option<&str> {
        self.reason.as_deref()
    }

    fn from_fields(fields: &Fields<'_>) -> Result<Self, ParseError> {
        let id = fields
            .int("id", "refunds[].id")?
            .ok_or(ParseError::MissingField("refunds[].id"))?;
        let total = fields
            .amount("total", "refunds[].total", decimal::check_signed)?
            .ok_or(ParseError::MissingField("refunds[].total"))?;
        Ok(Self {
            id,
            total,
            reason: non_empty(fields.string("reason", "refunds[].reason")?),
        })
    }
}

/// Trimmed text, `None` when blank.
fn non_empty(text: Option<String>) -> Option<String> {
    let text = text?;
    let trimmed = text.trim();
    (!trimmed.is_empty()).then(|| trimmed.to_owned())
}
