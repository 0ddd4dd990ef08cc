//! The embedded migrations apply, revert and apply again on a real PostgreSQL.

use database::testing::TestDatabase;
use database::{migrate, pool};
use diesel::sql_types::BigInt;
use diesel_async::RunQueryDsl;

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

async fn user_tables(db: &TestDatabase) -> i64 {
    let mut conn = pool::get(db.pool()).await.unwrap();
    diesel::sql_query(
        "SELECT count(*) AS n FROM information_schema.tables \
         WHERE table_schema = 'public' AND table_name <> '__diesel_schema_migrations'",
    )
    .get_result::<Count>(&mut conn)
    .await
    .unwrap()
    .n
}

#[tokio::test]
async fn migrations_run_up_down_and_up_again() {
    let db = TestDatabase::empty().await;
    let before = migrate::status(db.url()).await.unwrap();
    assert!(before.applied.is_empty());
    assert!(!before.pending.is_empty());

    let applied = migrate::run_pending(db.url()).await.unwrap();
    assert_eq!(applied.len(), before.pending.len());
    let tables = user_tables(&db).await;
    assert!(
        tables >= 20,
        "expected the whole schema, found {tables} tables"
    );
    assert!(migrate::status(db.url()).await.unwrap().is_current());

    let reverted = migrate::revert_all(db.url()).await.unwrap();
    assert_eq!(reverted.len(), applied.len());
    assert_eq!(
        user_tables(&db).await,
        0,
        "down migrations must remove everything"
    );

    migrate::run_pending(db.url()).await.unwrap();
    assert_eq!(user_tables(&db).await, tables);
    assert!(migrate::status(db.url()).await.unwrap().is_current());
}

#[tokio::test]
async fn test_databases_are_fresh_and_separate() {
    let a = TestDatabase::new().await;
    let b = TestDatabase::new().await;
    assert_ne!(a.name(), b.name());
    assert!(migrate::status(a.url()).await.unwrap().is_current());
    let name = a.name().to_owned();
    drop(a);
    // Dropping the handle drops the database.
    let mut conn = pool::get(b.pool()).await.unwrap();
    let left = diesel::sql_query("SELECT count(*) AS n FROM pg_database WHERE datname = $1")
        .bind::<diesel::sql_types::Text, _>(&name)
        .get_result::<Count>(&mut conn)
        .await
        .unwrap();
    assert_eq!(left.n, 0);
}
