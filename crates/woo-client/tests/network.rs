//! Failures that need no store: DNS and a server that never answers.

use std::time::Duration;

use woo_client::{ClientConfig, ClientError, Credentials, StoreUrl, WooApi, WooClient};

fn credentials() -> Credentials {
    Credentials::new(
        "ck_0000000000000000000000000000000000000000",
        "cs_0000000000000000000000000000000000000000",
    )
}

#[tokio::test]
async fn unknown_host_is_host_not_found() {
    let client = WooClient::new(&ClientConfig::default()).unwrap();
    let store = StoreUrl::parse("https://no-such-host.invalid").unwrap();
    let err = client
        .system_status(&store, &credentials())
        .await
        .unwrap_err();
    assert_eq!(err, ClientError::HostNotFound);
    assert!(err.hint().starts_with("Host not found"));
}

#[tokio::test]
async fn a_name_resolving_to_loopback_is_refused_by_the_resolver() {
    let client = WooClient::new(&ClientConfig::default()).unwrap();
    let store = StoreUrl::parse("https://localhost:9").unwrap();
    assert_eq!(
        client.system_status(&store, &credentials()).await,
        Err(ClientError::PrivateAddress)
    );
}

#[tokio::test]
async fn a_store_that_accepts_and_never_answers_times_out() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let holder = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket); // never read, never answer
        }
    });
    let config = ClientConfig {
        timeout: Duration::from_millis(700),
        connect_timeout: Duration::from_millis(700),
        allow_private_networks: true,
        ..ClientConfig::default()
    };
    let client = WooClient::new(&config).unwrap();
    let store = StoreUrl::parse(&format!("https://127.0.0.1:{port}")).unwrap();
    let started = std::time::Instant::now();
    let err = client
        .system_status(&store, &credentials())
        .await
        .unwrap_err();
    assert_eq!(err, ClientError::Timeout);
    assert!(err.is_transient());
    assert!(started.elapsed() < Duration::from_secs(5));
    holder.abort();
}

#[tokio::test]
async fn a_closed_port_is_unreachable() {
    // Bind then drop to find a port nobody listens on.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let config = ClientConfig {
        allow_private_networks: true,
        ..ClientConfig::default()
    };
    let client = WooClient::new(&config).unwrap();
    let store = StoreUrl::parse(&format!("https://127.0.0.1:{port}")).unwrap();
    let err = client
        .system_status(&store, &credentials())
        .await
        .unwrap_err();
    match &err {
        ClientError::Unreachable(why) => assert!(why.to_lowercase().contains("refused"), "{why}"),
        other => panic!("{other:?}"),
    }
    assert!(err.is_transient());
}
