-- WooCommerce: connected stores, their settings, delivery receipts, order awards and
-- redemptions (store coupons).

CREATE TABLE woo_integrations (
    partner_id           bigint      NOT NULL,
    id                   bigint GENERATED ALWAYS AS IDENTITY,
    -- Random, URL-safe; names the integration in its webhook delivery URL.
    public_id            text        NOT NULL CHECK (public_id ~ '^[A-Za-z0-9_-]{16,64}$'),
    club_id              bigint      NOT NULL,
    card_id              bigint      NOT NULL,
    store_url            text        NOT NULL CHECK (store_url ~ '^https?://'),
    status               text        NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'disconnected')),
    -- Encrypted with a key derived from APP_SECRET_KEY (key id prefixed); wiped on disconnect.
    consumer_key_enc     bytea,
    consumer_secret_enc  bytea,
    webhook_secret_enc   bytea,
    webhook_mode         text        CHECK (webhook_mode IN ('automatic', 'manual')),
    webhook_id           bigint,
    webhook_health       text        NOT NULL DEFAULT 'unknown' CHECK (webhook_health IN ('ok', 'disabled', 'missing', 'unknown')),
    webhook_checked_at   timestamptz,
    -- Why the store refused to create the webhook (manual mode).
    webhook_refusal      text,
    store_currency       text        CHECK (store_currency ~ '^[A-Z]{3}$'),
    reconcile_watermark  timestamptz,
    last_reconciled_at   timestamptz,
    last_delivery_at     timestamptz,
    connected_at         timestamptz NOT NULL DEFAULT now(),
    disconnected_at      timestamptz,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (partner_id, id),
    UNIQUE (partner_id, public_id),
    -- One integration per (club, store URL); reconnecting revives it.
    UNIQUE (partner_id, club_id, store_url),
    FOREIGN KEY (partner_id, club_id) REFERENCES clubs (partner_id, id),
    FOREIGN KEY (partner_id, card_id) REFERENCES cards (partner_id, id),
    CHECK (status = 'disconnected' OR (consumer_key_enc IS NOT NULL AND consumer_secret_enc IS NOT NULL AND webhook_secret_enc IS NOT NULL))
);
-- The receiver finds an integration by public id alone; public ids are 128+ random bits.
CREATE INDEX woo_integrations_by_public_id ON woo_integrations (public_id);
CREATE INDEX woo_integrations_to_reconcile ON woo_integrations (last_reconciled_at NULLS FIRST) WHERE status = 'active';
CREATE TRIGGER woo_integrations_touch BEFORE UPDATE ON woo_integrations
    FOR EACH ROW EXECUTE FUNCTION tally_touch_updated_at();

CREATE TABLE woo_settings (
    partner_id        bigint      NOT NULL,
    integration_id    bigint      NOT NULL,
    award_on          text        NOT NULL DEFAULT 'processing_or_completed' CHECK (award_on IN ('processing_or_completed', 'completed')),
    partial_refunds   text        NOT NULL DEFAULT 'ignore' CHECK (partial_refunds IN ('ignore', 'proportional')),
    email_language    text        NOT NULL DEFAULT 'en' CHECK (email_language IN ('en', 'nl', 'de', 'fr', 'es')),
    discount_enabled  boolean     NOT NULL DEFAULT false,
    value_per_point   numeric     NOT NULL DEFAULT 0.05 CHECK (value_per_point > 0),
    min_points        bigint      NOT NULL DEFAULT 1000 CHECK (min_points >= 1),
    max_points        bigint      CHECK (max_points >= min_points),
    code_prefix       text        NOT NULL DEFAULT 'POINTS' CHECK (code_prefix ~ '^[A-Z0-9]{1,12}$'),
    valid_days        integer     NOT NULL DEFAULT 7 CHECK (valid_days BETWEEN 1 AND 90),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (partner_id, integration_id),
    FOREIGN KEY (partner_id, integration_id) REFERENCES woo_integrations (partner_id, id)
);
CREATE TRIGGER woo_settings_touch BEFORE UPDATE ON woo_settings
    FOR EACH ROW EXECUTE FUNCTION tally_touch_updated_at();

CREATE TABLE woo_receipts (
    partner_id      bigint      NOT NULL,
    id              bigint GENERATED ALWAYS AS IDENTITY,
    integration_id  bigint      NOT NULL,
    delivery_id     text,
    webhook_id      bigint,
    topic           text,
    order_id        text,
    order_status    text,
    total           numeric,
    currency        text,
    -- Keyed hash of the billing email; the address itself is never stored here.
    email_hash      bytea,
    outcome         text        NOT NULL CHECK (outcome IN ('processed', 'ignored', 'skipped', 'failed')),
    reason          text        NOT NULL,
    points          bigint      NOT NULL DEFAULT 0,
    http_status     integer     NOT NULL,
    received_at     timestamptz NOT NULL,
    processing_ms   integer     NOT NULL DEFAULT 0 CHECK (processing_ms >= 0),
    PRIMARY KEY (partner_id, id),
    FOREIGN KEY (partner_id, integration_id) REFERENCES woo_integrations (partner_id, id)
);
CREATE INDEX woo_receipts_by_time ON woo_receipts (partner_id, integration_id, received_at DESC, id DESC);
CREATE INDEX woo_receipts_by_outcome ON woo_receipts (partner_id, integration_id, outcome, received_at DESC, id DESC);
CREATE INDEX woo_receipts_by_order ON woo_receipts (partner_id, integration_id, order_id, received_at DESC) WHERE order_id IS NOT NULL;

-- Past the flood bound, unsigned traffic (pings, failed signatures) is counted per
-- minute instead of receipted one by one.
CREATE TABLE woo_receipt_counts (
    partner_id      bigint      NOT NULL,
    integration_id  bigint      NOT NULL,
    minute          timestamptz NOT NULL,
    outcome         text        NOT NULL CHECK (outcome IN ('processed', 'ignored', 'skipped', 'failed')),
    reason          text        NOT NULL,
    stored          integer     NOT NULL DEFAULT 0 CHECK (stored >= 0),
    counted         integer     NOT NULL DEFAULT 0 CHECK (counted >= 0),
    PRIMARY KEY (partner_id, integration_id, minute, outcome, reason),
    FOREIGN KEY (partner_id, integration_id) REFERENCES woo_integrations (partner_id, id)
);

CREATE TABLE order_awards (
    partner_id               bigint      NOT NULL,
    id                       bigint GENERATED ALWAYS AS IDENTITY,
    integration_id           bigint      NOT NULL,
    order_id                 text        NOT NULL,
    wallet_id                bigint      NOT NULL,
    order_total              numeric     NOT NULL CHECK (order_total >= 0),
    currency                 text        NOT NULL,
    points_awarded           bigint      NOT NULL CHECK (points_awarded >= 0),
    welcome_bonus_points     bigint      NOT NULL DEFAULT 0 CHECK (welcome_bonus_points >= 0),
    -- Cumulative: what partial refunds have taken back so far, and the amount refunded.
    points_taken_back        bigint      NOT NULL DEFAULT 0 CHECK (points_taken_back BETWEEN 0 AND points_awarded),
    refunded_amount          numeric     NOT NULL DEFAULT 0 CHECK (refunded_amount >= 0),
    welcome_bonus_taken_back boolean     NOT NULL DEFAULT false,
    fully_refunded_at        timestamptz,
    created_at               timestamptz NOT NULL DEFAULT now(),
    updated_at               timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (partner_id, id),
    -- Each order awards at most once, ever, per integration.
    UNIQUE (partner_id, integration_id, order_id),
    FOREIGN KEY (partner_id, integration_id) REFERENCES woo_integrations (partner_id, id),
    FOREIGN KEY (partner_id, wallet_id) REFERENCES wallets (partner_id, id)
);
CREATE TRIGGER order_awards_touch BEFORE UPDATE ON order_awards
    FOR EACH ROW EXECUTE FUNCTION tally_touch_updated_at();

CREATE TABLE redemptions (
    partner_id        bigint      NOT NULL,
    id                bigint GENERATED ALWAYS AS IDENTITY,
    integration_id    bigint      NOT NULL,
    wallet_id         bigint      NOT NULL,
    points            bigint      NOT NULL CHECK (points > 0),
    amount            numeric     NOT NULL CHECK (amount > 0),
    currency          text        NOT NULL,
    -- Upper case as shown; the store keeps it in lower case and compares case-insensitively.
    code              text        NOT NULL CHECK (code ~ '^[A-Z0-9]{1,12}-[A-HJKMNP-Z2-9]{8}$'),
    status            text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'issued', 'reversed')),
    coupon_id         bigint,
    expires_on        date        NOT NULL,
    requested_by      text        NOT NULL CHECK (requested_by IN ('member', 'partner')),
    partner_user_id   bigint,
    idempotency_key   text        NOT NULL,
    attempts          integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at   timestamptz,
    last_error        text,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (partner_id, id),
    UNIQUE (partner_id, integration_id, code),
    UNIQUE (partner_id, idempotency_key),
    FOREIGN KEY (partner_id, integration_id) REFERENCES woo_integrations (partner_id, id),
    FOREIGN KEY (partner_id, wallet_id) REFERENCES wallets (partner_id, id),
    FOREIGN KEY (partner_id, partner_user_id) REFERENCES partner_users (partner_id, id)
);
CREATE INDEX redemptions_by_wallet ON redemptions (partner_id, wallet_id, created_at DESC);
CREATE INDEX redemptions_pending ON redemptions (next_attempt_at) WHERE status = 'pending';
CREATE TRIGGER redemptions_touch BEFORE UPDATE ON redemptions
    FOR EACH ROW EXECUTE FUNCTION tally_touch_updated_at();

ALTER TABLE entries
    ADD FOREIGN KEY (partner_id, integration_id) REFERENCES woo_integrations (partner_id, id),
    ADD FOREIGN KEY (partner_id, redemption_id) REFERENCES redemptions (partner_id, id);
