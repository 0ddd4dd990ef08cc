use super::*;

#[test]
fn store_info_reads_currency_version_and_decimals() {
    let status = serde_json::json!({
        "environment": {"version": "8.9.1", "home_url": "https://shop.example.com"},
        "settings": {"currency": "EUR", "number_of_decimals": 2},
    });
    assert_eq!(
        store_info(&status).unwrap(),
        StoreInfo {
            currency: "EUR".into(),
            woocommerce_version: Some("8.9.1".into()),
            decimals: Some(2)
        }
    );
    let jpy = serde_json::json!({"settings": {"currency": "JPY", "number_of_decimals": "0"}});
    assert_eq!(
        store_info(&jpy).unwrap(),
        StoreInfo {
            currency: "JPY".into(),
            woocommerce_version: None,
            decimals: Some(0)
        }
    );
    assert!(matches!(
        store_info(&serde_json::json!({})),
        Err(ClientError::UnexpectedResponse(_))
    ));
}

#[test]
fn html_with_success_status_means_the_rest_api_is_missing() {
    let err =
        parse_json::<serde_json::Value>(b"<!doctype html><html>Shop home</html>").unwrap_err();
    assert_eq!(err, ClientError::RestApiMissing);
    let err = parse_json::<Webhook>(b"{\"unexpected\":true}").unwrap_err();
    assert!(matches!(err, ClientError::UnexpectedResponse(_)), "{err:?}");
}

#[tokio::test]
async fn literal_private_hosts_are_refused_before_any_request() {
    let client = WooClient::new(&ClientConfig::default()).unwrap();
    let creds = Credentials::new("ck_x", "cs_y");
    for url in [
        "https://127.0.0.1:1",
        "https://10.0.0.1",
        "https://[::1]:1",
        "https://[::ffff:192.168.0.1]",
        "https://169.254.169.254",
    ] {
        let store = StoreUrl::parse(url).unwrap();
        assert_eq!(
            client.system_status(&store, &creds).await,
            Err(ClientError::PrivateAddress),
            "{url}"
        );
    }
}

#[test]
fn extra_ca_without_certificates_is_a_configuration_error() {
    let config = ClientConfig {
        extra_ca_pem: Some(b"not a pem".to_vec()),
        ..ClientConfig::default()
    };
    assert!(matches!(
        WooClient::new(&config),
        Err(ClientError::InvalidConfiguration(_))
    ));
}
