//! The order resource and its JSON, field for field as WooCommerce 8.9 renders
//! `GET /wc/v3/orders/{id}` (and therefore the `order.updated` body).

use serde_json::Value;
use time::OffsetDateTime;

use crate::json::{obj, Json};
use crate::money::Money;
use crate::state::Config;
use crate::{dates, system_status};

/// Statuses the v3 schema accepts (without `wc-`).
pub(crate) const STATUSES: &[&str] = &[
    "pending",
    "processing",
    "on-hold",
    "completed",
    "cancelled",
    "refunded",
    "failed",
    "checkout-draft",
];

#[derive(Debug, Clone, Default)]
pub(crate) struct Address {
    pub first_name: String,
    pub last_name: String,
    pub company: String,
    pub address_1: String,
    pub address_2: String,
    pub city: String,
    pub state: String,
    pub postcode: String,
    pub country: String,
    pub email: String,
    pub phone: String,
}

impl Address {
    pub(crate) const FIELDS: &'static [&'static str] = &[
        "first_name",
        "last_name",
        "company",
        "address_1",
        "address_2",
        "city",
        "state",
        "postcode",
        "country",
        "email",
        "phone",
    ];

    pub(crate) fn field_mut(&mut self, name: &str) -> Option<&mut String> {
        Some(match name {
            "first_name" => &mut self.first_name,
            "last_name" => &mut self.last_name,
            "company" => &mut self.company,
            "address_1" => &mut self.address_1,
            "address_2" => &mut self.address_2,
            "city" => &mut self.city,
            "state" => &mut self.state,
            "postcode" => &mut self.postcode,
            "country" => &mut self.country,
            "email" => &mut self.email,
            "phone" => &mut self.phone,
            _ => return None,
        })
    }

    fn render(&self, with_email: bool) -> Json {
        let mut fields = vec![
            ("first_name", &self.first_name),
            ("last_name", &self.last_name),
            ("company", &self.company),
            ("address_1", &self.address_1),
            ("address_2", &self.address_2),
            ("city", &self.city),
            ("state", &self.state),
            ("postcode", &self.postcode),
            ("country", &self.country),
        ];
        if with_email {
            fields.push(("email", &self.email));
        }
        fields.push(("phone", &self.phone));
        Json::Obj(
            fields
                .into_iter()
                .map(|(k, v)| (k.to_string(), Json::from(v)))
                .collect(),
        )
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Meta {
    pub id: i64,
    pub key: String,
    pub value: Value,
}

pub(crate) fn render_meta(meta: &[Meta]) -> Json {
    Json::Arr(
        meta.iter()
            .map(|m| obj! { "id" => m.id, "key" => m.key.as_str(), "value" => Json::from_value(&m.value) })
            .collect(),
    )
}

#[derive(Debug, Clone)]
pub(crate) struct LineItem {
    pub id: i64,
    pub name: String,
    pub product_id: i64,
    pub variation_id: i64,
    pub quantity: i64,
    pub subtotal: Money,
    pub total: Money,
    pub sku: String,
}

#[derive(Debug, Clone)]
pub(crate) struct ShippingLine {
    pub id: i64,
    pub method_title: String,
    pub method_id: String,
    pub instance_id: String,
    pub total: Money,
}

#[derive(Debug, Clone)]
pub(crate) struct CouponLine {
    pub id: i64,
    pub code: String,
    pub discount: Money,
    pub discount_type: String,
    pub nominal_amount: Money,
    pub free_shipping: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct Refund {
    pub id: i64,
    pub reason: String,
    pub amount: Money,
    pub created: OffsetDateTime,
}

#[derive(Debug, Clone)]
pub(crate) struct Order {
    pub id: i64,
    pub status: String,
    pub currency: String,
    pub created: OffsetDateTime,
    pub modified: OffsetDateTime,
    pub completed: Option<OffsetDateTime>,
    pub paid: Option<OffsetDateTime>,
    pub customer_id: i64,
    pub order_key: String,
    pub billing: Address,
    pub shipping: Address,
    pub payment_method: String,
    pub payment_method_title: String,
    pub transaction_id: String,
    pub customer_note: String,
    pub meta_data: Vec<Meta>,
    pub line_items: Vec<LineItem>,
    pub shipping_lines: Vec<ShippingLine>,
    pub coupon_lines: Vec<CouponLine>,
    /// Oldest first; rendered newest first.
    pub refunds: Vec<Refund>,
    /// Whether coupon usage has been counted for this order.
    pub coupon_usage_counted: bool,
}

impl Order {
    pub(crate) fn discount_total(&self) -> Money {
        Money(self.coupon_lines.iter().map(|c| c.discount.0).sum())
    }

    pub(crate) fn shipping_total(&self) -> Money {
        Money(self.shipping_lines.iter().map(|s| s.total.0).sum())
    }

    /// The order total; refunds never reduce it.
    pub(crate) fn total(&self) -> Money {
        Money(self.line_items.iter().map(|i| i.total.0).sum::<i64>() + self.shipping_total().0)
    }

    pub(crate) fn refunded(&self) -> Money {
        Money(self.refunds.iter().map(|r| r.amount.0).sum())
    }

    fn needs_payment(&self) -> bool {
        ["pending", "failed"].contains(&self.status.as_str()) && self.total() > Money::ZERO
    }

    fn is_editable(&self) -> bool {
        ["pending", "on-hold", "auto-draft", "checkout-draft"].contains(&self.status.as_str())
    }
}

/// The order as `GET /wp-json/wc/v3/orders/{id}` returns it.
pub(crate) fn render(o: &Order, config: &Config) -> Json {
    let dp = config.decimals;
    let m = |v: Money| v.format(dp);
    let zero = Money::ZERO.format(dp);
    let line_items: Vec<Json> = o
        .line_items
        .iter()
        .map(|i| {
            obj! {
                "id" => i.id, "name" => i.name.as_str(), "product_id" => i.product_id,
                "variation_id" => i.variation_id, "quantity" => i.quantity, "tax_class" => "",
                "subtotal" => m(i.subtotal), "subtotal_tax" => zero.as_str(), "total" => m(i.total),
                "total_tax" => zero.as_str(), "taxes" => Json::Arr(vec![]), "meta_data" => Json::Arr(vec![]),
                "sku" => i.sku.as_str(), "price" => i.total.per_unit_number(i.quantity, dp),
                "image" => obj! { "id" => "", "src" => "" }, "parent_name" => Json::Null,
            }
        })
        .collect();
    let shipping_lines: Vec<Json> = o
        .shipping_lines
        .iter()
        .map(|s| {
            obj! {
                "id" => s.id, "method_title" => s.method_title.as_str(), "method_id" => s.method_id.as_str(),
                "instance_id" => s.instance_id.as_str(), "total" => m(s.total), "total_tax" => zero.as_str(),
                "taxes" => Json::Arr(vec![]), "meta_data" => Json::Arr(vec![]),
            }
        })
        .collect();
    let coupon_lines: Vec<Json> = o
        .coupon_lines
        .iter()
        .map(|c| {
            obj! {
                "id" => c.id, "code" => c.code.as_str(), "discount" => m(c.discount),
                "discount_tax" => zero.as_str(), "meta_data" => Json::Arr(vec![]),
                "discount_type" => c.discount_type.as_str(),
                "nominal_amount" => c.nominal_amount.per_unit_number(1, dp),
                "free_shipping" => c.free_shipping,
            }
        })
        .collect();
    let refunds: Vec<Json> = o
        .refunds
        .iter()
        .rev()
        .map(|r| obj! { "id" => r.id, "reason" => r.reason.as_str(), "total" => m(Money(-r.amount.0)) })
        .collect();
    let date = |d: Option<OffsetDateTime>| d.map(dates::format);
    let mut links = vec![
        (
            "self".to_string(),
            Json::Arr(vec![
                obj! { "href" => config.api_url(&format!("orders/{}", o.id)) },
            ]),
        ),
        (
            "collection".to_string(),
            Json::Arr(vec![obj! { "href" => config.api_url("orders") }]),
        ),
    ];
    if o.customer_id > 0 {
        links.push((
            "customer".to_string(),
            Json::Arr(vec![
                obj! { "href" => config.api_url(&format!("customers/{}", o.customer_id)) },
            ]),
        ));
    }
    obj! {
        "id" => o.id,
        "parent_id" => 0i64,
        "status" => o.status.as_str(),
        "currency" => o.currency.as_str(),
        "version" => crate::state::WC_VERSION,
        "prices_include_tax" => false,
        "date_created" => dates::format(o.created),
        "date_modified" => dates::format(o.modified),
        "discount_total" => m(o.discount_total()),
        "discount_tax" => zero.as_str(),
        "shipping_total" => m(o.shipping_total()),
        "shipping_tax" => zero.as_str(),
        "cart_tax" => zero.as_str(),
        "total" => m(o.total()),
        "total_tax" => zero.as_str(),
        "customer_id" => o.customer_id,
        "order_key" => o.order_key.as_str(),
        "billing" => o.billing.render(true),
        "shipping" => o.shipping.render(false),
        "payment_method" => o.payment_method.as_str(),
        "payment_method_title" => o.payment_method_title.as_str(),
        "transaction_id" => o.transaction_id.as_str(),
        "customer_ip_address" => "",
        "customer_user_agent" => "",
        "created_via" => "rest-api",
        "customer_note" => o.customer_note.as_str(),
        "date_completed" => date(o.completed),
        "date_paid" => date(o.paid),
        "cart_hash" => "",
        "number" => o.id.to_string(),
        "meta_data" => render_meta(&o.meta_data),
        "line_items" => Json::Arr(line_items),
        "tax_lines" => Json::Arr(vec![]),
        "shipping_lines" => Json::Arr(shipping_lines),
        "fee_lines" => Json::Arr(vec![]),
        "coupon_lines" => Json::Arr(coupon_lines),
        "refunds" => Json::Arr(refunds),
        "payment_url" => format!(
            "{}/checkout/order-pay/{}/?pay_for_order=true&key={}",
            config.base_url, o.id, o.order_key
        ),
        "is_editable" => o.is_editable(),
        "needs_payment" => o.needs_payment(),
        "needs_processing" => !o.line_items.is_empty(),
        "date_created_gmt" => dates::format(o.created),
        "date_modified_gmt" => dates::format(o.modified),
        "date_completed_gmt" => date(o.completed),
        "date_paid_gmt" => date(o.paid),
        "currency_symbol" => system_status::currency_symbol(&o.currency),
        "_links" => Json::Obj(links),
    }
}
