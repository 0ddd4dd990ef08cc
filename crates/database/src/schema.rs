// @generated automatically by Diesel CLI.

diesel::table! {
    activity_log (partner_id, id) {
        partner_id -> Int8,
        id -> Int8,
        actor_kind -> Text,
        partner_user_id -> Nullable<Int8>,
        api_token_id -> Nullable<Int8>,
        action -> Text,
        subject -> Nullable<Text>,
        details -> Jsonb,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    api_tokens (partner_id, id) {
        partner_id -> Int8,
        id -> Int8,
        name -> Text,
        token_hash -> Bytea,
        token_prefix -> Text,
        created_by -> Nullable<Int8>,
        created_at -> Timestamptz,
        last_used_at -> Nullable<Timestamptz>,
        revoked_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    card_tiers (partner_id, id) {
        partner_id -> Int8,
        id -> Int8,
        card_id -> Int8,
        name -> Text,
        threshold -> Int8,
        multiplier -> Numeric,
    }
}

diesel::table! {
    cards (partner_id, id) {
        partner_id -> Int8,
        id -> Int8,
        club_id -> Int8,
        name -> Text,
        currency -> Text,
        points_per_unit -> Int8,
        unit_amount -> Numeric,
        rounding -> Text,
        min_purchase_amount -> Numeric,
        min_points_per_purchase -> Int8,
        max_points_per_purchase -> Nullable<Int8>,
        welcome_bonus_points -> Int8,
        active -> Bool,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    clubs (partner_id, id) {
        partner_id -> Int8,
        id -> Int8,
        name -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    email_outbox (id) {
        id -> Int8,
        partner_id -> Nullable<Int8>,
        member_id -> Nullable<Int8>,
        kind -> Text,
        to_address -> Text,
        language -> Text,
        payload -> Jsonb,
        idempotency_key -> Text,
        status -> Text,
        attempts -> Int4,
        due_at -> Timestamptz,
        last_error -> Nullable<Text>,
        created_at -> Timestamptz,
        sent_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    entries (partner_id, id) {
        partner_id -> Int8,
        id -> Int8,
        wallet_id -> Int8,
        kind -> Text,
        channel -> Text,
        points -> Int8,
        applied_points -> Int8,
        balance_after -> Int8,
        idempotency_key -> Text,
        integration_id -> Nullable<Int8>,
        order_id -> Nullable<Text>,
        redemption_id -> Nullable<Int8>,
        partner_user_id -> Nullable<Int8>,
        reference -> Nullable<Text>,
        note -> Nullable<Text>,
        rule -> Nullable<Jsonb>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    idempotency_keys (partner_id, scope, key) {
        partner_id -> Int8,
        scope -> Text,
        key -> Text,
        request_hash -> Bytea,
        response_status -> Nullable<Int4>,
        response_body -> Nullable<Bytea>,
        created_at -> Timestamptz,
        completed_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    members (id) {
        id -> Int8,
        number -> Int8,
        code -> Text,
        email -> Text,
        email_normalized -> Text,
        name -> Text,
        phone -> Nullable<Text>,
        language -> Text,
        loyalty_emails -> Bool,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        deleted_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    one_time_codes (id) {
        id -> Int8,
        realm -> Text,
        email_normalized -> Text,
        code_hash -> Bytea,
        attempts -> Int4,
        max_attempts -> Int4,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
        consumed_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    order_awards (partner_id, id) {
        partner_id -> Int8,
        id -> Int8,
        integration_id -> Int8,
        order_id -> Text,
        wallet_id -> Int8,
        order_total -> Numeric,
        currency -> Text,
        points_awarded -> Int8,
        welcome_bonus_points -> Int8,
        points_taken_back -> Int8,
        refunded_amount -> Numeric,
        welcome_bonus_taken_back -> Bool,
        fully_refunded_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    partner_users (partner_id, id) {
        partner_id -> Int8,
        id -> Int8,
        email -> Text,
        email_normalized -> Text,
        name -> Text,
        role -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        disabled_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    partners (id) {
        id -> Int8,
        name -> Text,
        business_email -> Text,
        timezone -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    rate_limits (key, window_start) {
        key -> Text,
        window_start -> Timestamptz,
        count -> Int4,
    }
}

diesel::table! {
    redemptions (partner_id, id) {
        partner_id -> Int8,
        id -> Int8,
        integration_id -> Int8,
        wallet_id -> Int8,
        points -> Int8,
        amount -> Numeric,
        currency -> Text,
        code -> Text,
        status -> Text,
        coupon_id -> Nullable<Int8>,
        expires_on -> Date,
        requested_by -> Text,
        partner_user_id -> Nullable<Int8>,
        idempotency_key -> Text,
        attempts -> Int4,
        next_attempt_at -> Nullable<Timestamptz>,
        last_error -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        saga -> Jsonb,
        saga_version -> Int4,
        issued_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    sessions (id) {
        id -> Int8,
        token_hash -> Bytea,
        realm -> Text,
        member_id -> Nullable<Int8>,
        partner_id -> Nullable<Int8>,
        partner_user_id -> Nullable<Int8>,
        method -> Text,
        last_code_verified_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        last_seen_at -> Timestamptz,
        expires_at -> Timestamptz,
        revoked_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    sign_in_events (id) {
        id -> Int8,
        realm -> Text,
        member_id -> Nullable<Int8>,
        partner_id -> Nullable<Int8>,
        partner_user_id -> Nullable<Int8>,
        method -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    sign_in_links (id) {
        id -> Int8,
        token_hash -> Bytea,
        member_id -> Int8,
        partner_id -> Int8,
        card_id -> Int8,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
        last_used_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    wallets (partner_id, id) {
        partner_id -> Int8,
        id -> Int8,
        card_id -> Int8,
        member_id -> Int8,
        balance -> Int8,
        earned_points -> Int8,
        first_purchase_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    woo_integrations (partner_id, id) {
        partner_id -> Int8,
        id -> Int8,
        public_id -> Text,
        club_id -> Int8,
        card_id -> Int8,
        store_url -> Text,
        status -> Text,
        consumer_key_enc -> Nullable<Bytea>,
        consumer_secret_enc -> Nullable<Bytea>,
        webhook_secret_enc -> Nullable<Bytea>,
        webhook_mode -> Nullable<Text>,
        webhook_id -> Nullable<Int8>,
        webhook_health -> Text,
        webhook_checked_at -> Nullable<Timestamptz>,
        webhook_refusal -> Nullable<Text>,
        store_currency -> Nullable<Text>,
        reconcile_watermark -> Nullable<Timestamptz>,
        last_reconciled_at -> Nullable<Timestamptz>,
        last_delivery_at -> Nullable<Timestamptz>,
        connected_at -> Timestamptz,
        disconnected_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    woo_receipt_counts (partner_id, integration_id, minute, outcome, reason) {
        partner_id -> Int8,
        integration_id -> Int8,
        minute -> Timestamptz,
        outcome -> Text,
        reason -> Text,
        stored -> Int4,
        counted -> Int4,
    }
}

diesel::table! {
    woo_receipts (partner_id, id) {
        partner_id -> Int8,
        id -> Int8,
        integration_id -> Int8,
        delivery_id -> Nullable<Text>,
        webhook_id -> Nullable<Int8>,
        topic -> Nullable<Text>,
        order_id -> Nullable<Text>,
        order_status -> Nullable<Text>,
        total -> Nullable<Numeric>,
        currency -> Nullable<Text>,
        email_hash -> Nullable<Bytea>,
        outcome -> Text,
        reason -> Text,
        points -> Int8,
        http_status -> Int4,
        received_at -> Timestamptz,
        processing_ms -> Int4,
    }
}

diesel::table! {
    woo_reconcile_runs (partner_id, id) {
        partner_id -> Int8,
        id -> Int8,
        integration_id -> Int8,
        modified_after -> Timestamptz,
        status -> Text,
        pages_read -> Int4,
        orders_seen -> Int4,
        awarded -> Int4,
        already_processed -> Int4,
        ignored -> Int4,
        skipped -> Int4,
        failed -> Int4,
        error -> Nullable<Text>,
        requested_by -> Nullable<Int8>,
        created_at -> Timestamptz,
        started_at -> Nullable<Timestamptz>,
        finished_at -> Nullable<Timestamptz>,
        lease_until -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    woo_settings (partner_id, integration_id) {
        partner_id -> Int8,
        integration_id -> Int8,
        award_on -> Text,
        partial_refunds -> Text,
        email_language -> Text,
        discount_enabled -> Bool,
        value_per_point -> Numeric,
        min_points -> Int8,
        max_points -> Nullable<Int8>,
        code_prefix -> Text,
        valid_days -> Int4,
        updated_at -> Timestamptz,
    }
}

diesel::joinable!(activity_log -> partners (partner_id));
diesel::joinable!(api_tokens -> partners (partner_id));
diesel::joinable!(clubs -> partners (partner_id));
diesel::joinable!(email_outbox -> members (member_id));
diesel::joinable!(email_outbox -> partners (partner_id));
diesel::joinable!(idempotency_keys -> partners (partner_id));
diesel::joinable!(partner_users -> partners (partner_id));
diesel::joinable!(sessions -> members (member_id));
diesel::joinable!(sign_in_events -> members (member_id));
diesel::joinable!(sign_in_links -> members (member_id));
diesel::joinable!(wallets -> members (member_id));

diesel::allow_tables_to_appear_in_same_query!(
    activity_log,
    api_tokens,
    card_tiers,
    cards,
    clubs,
    email_outbox,
    entries,
    idempotency_keys,
    members,
    one_time_codes,
    order_awards,
    partner_users,
    partners,
    rate_limits,
    redemptions,
    sessions,
    sign_in_events,
    sign_in_links,
    wallets,
    woo_integrations,
    woo_receipt_counts,
    woo_receipts,
    woo_reconcile_runs,
    woo_settings,
);
