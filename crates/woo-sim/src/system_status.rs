//! `GET /wc/v3/system_status`: the parts a client reads (WooCommerce version and the store's
//! currency settings; the decimals are `settings.number_of_decimals`).

use crate::json::{obj, Json};
use crate::rest::Reply;
use crate::state::{Config, WC_VERSION, WP_VERSION};

/// `get_woocommerce_currency_symbol()` for common currencies (HTML entities decoded).
pub(crate) fn currency_symbol(code: &str) -> String {
    match code {
        "USD" | "CAD" | "AUD" | "NZD" | "MXN" | "SGD" | "HKD" | "ARS" | "CLP" | "COP" => "$",
        "EUR" => "€",
        "GBP" | "EGP" => "£",
        "JPY" | "CNY" => "¥",
        "CHF" => "CHF",
        "SEK" | "NOK" | "DKK" => "kr.",
        "PLN" => "zł",
        "INR" => "₹",
        "BRL" => "R$",
        "KRW" => "₩",
        "ZAR" => "R",
        "KWD" => "د.ك",
        "BHD" => ".د.ب",
        other => other,
    }
    .to_string()
}

pub(crate) fn get(config: &Config) -> Reply {
    let home = config.base_url.clone();
    let environment = obj! {
        "home_url" => home.as_str(),
        "site_url" => home.as_str(),
        "store_id" => "",
        "version" => WC_VERSION,
        "log_directory" => "/var/www/html/wp-content/uploads/wc-logs/",
        "log_directory_writable" => true,
        "wp_version" => WP_VERSION,
        "wp_multisite" => false,
        "wp_memory_limit" => 268435456i64,
        "wp_debug_mode" => false,
        "wp_cron" => true,
        "language" => "en_US",
        "external_object_cache" => Json::Null,
        "server_info" => "nginx/1.22.1",
        "php_version" => "8.2.18",
        "php_post_max_size" => 8388608i64,
        "php_max_execution_time" => 30i64,
        "php_max_input_vars" => 1000i64,
        "curl_version" => "7.88.1, OpenSSL/3.0.11",
        "suhosin_installed" => false,
        "max_upload_size" => 2097152i64,
        "mysql_version" => "10.11.6",
        "mysql_version_string" => "10.11.6-MariaDB-0+deb12u1",
        "default_timezone" => "UTC",
        "fsockopen_or_curl_enabled" => true,
        "soapclient_enabled" => false,
        "domdocument_enabled" => true,
        "gzip_enabled" => true,
        "mbstring_enabled" => true,
        "remote_post_successful" => true,
        "remote_post_response" => 200u16,
        "remote_get_successful" => true,
        "remote_get_response" => 200u16,
    };
    let settings = obj! {
        "api_enabled" => false,
        "force_ssl" => false,
        "currency" => config.currency.as_str(),
        "currency_symbol" => currency_symbol(&config.currency),
        "currency_position" => "left",
        "thousand_separator" => ",",
        "decimal_separator" => ".",
        "number_of_decimals" => config.decimals,
        "geolocation_enabled" => false,
        "taxonomies" => obj! {
            "external" => "external", "grouped" => "grouped", "simple" => "simple", "variable" => "variable",
        },
        "product_visibility_terms" => obj! {
            "exclude-from-catalog" => "exclude-from-catalog", "exclude-from-search" => "exclude-from-search",
            "featured" => "featured", "outofstock" => "outofstock",
        },
        "woocommerce_com_connected" => "no",
        "enforce_approved_download_dirs" => true,
        "order_datastore" => "Automattic\\WooCommerce\\Internal\\DataStores\\Orders\\OrdersTableDataStore",
        "HPOS_enabled" => true,
        "HPOS_sync_enabled" => false,
    };
    Reply::ok(obj! {
        "environment" => environment,
        "database" => obj! { "wc_database_version" => WC_VERSION, "database_prefix" => "wp_" },
        "active_plugins" => Json::Arr(vec![obj! {
            "plugin" => "woocommerce/woocommerce.php", "name" => "WooCommerce", "version" => WC_VERSION,
            "version_latest" => WC_VERSION, "url" => "https://woocommerce.com/", "author_name" => "Automattic",
            "author_url" => "https://woocommerce.com", "network_activated" => false,
        }]),
        "inactive_plugins" => Json::Arr(vec![]),
        "dropins_mu_plugins" => obj! { "dropins" => Json::Arr(vec![]), "mu_plugins" => Json::Arr(vec![]) },
        "theme" => obj! { "name" => "Storefront", "version" => "4.5.5", "is_child_theme" => false, "has_woocommerce_support" => true },
        "settings" => settings,
        "security" => obj! { "secure_connection" => true, "hide_errors" => true },
        "pages" => Json::Arr(vec![]),
        "post_type_counts" => Json::Arr(vec![]),
        "logging" => obj! { "handler" => "Automattic\\WooCommerce\\Internal\\Admin\\Logging\\LogHandlerFileV2", "level_threshold" => "none" },
    })
}
