-- The loyalty core: partners and their users, clubs, cards and tiers, members,
-- wallets and the append-only ledger of entries.
--
-- Tenancy: every tenant-owned row carries partner_id, and every primary, unique and
-- foreign key among tenant tables includes it, so these tables can be distributed by
-- partner_id. Members (one record per email across the platform) are a global table.

CREATE FUNCTION tally_touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;

CREATE TABLE partners (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name            text        NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    business_email  text        NOT NULL CHECK (length(business_email) BETWEEN 3 AND 320),
    timezone        text        NOT NULL DEFAULT 'UTC',
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER partners_touch BEFORE UPDATE ON partners
    FOR EACH ROW EXECUTE FUNCTION tally_touch_updated_at();

CREATE TABLE partner_users (
    partner_id        bigint      NOT NULL REFERENCES partners (id),
    id                bigint GENERATED ALWAYS AS IDENTITY,
    email             text        NOT NULL CHECK (length(email) BETWEEN 3 AND 320),
    email_normalized  text        NOT NULL CHECK (email_normalized = lower(btrim(email_normalized))),
    name              text        NOT NULL DEFAULT '',
    role              text        NOT NULL CHECK (role IN ('owner', 'staff')),
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    disabled_at       timestamptz,
    PRIMARY KEY (partner_id, id),
    UNIQUE (partner_id, email_normalized)
);
-- Partner sign-in finds a user by email before it knows the partner.
CREATE INDEX partner_users_by_email ON partner_users (email_normalized);
CREATE TRIGGER partner_users_touch BEFORE UPDATE ON partner_users
    FOR EACH ROW EXECUTE FUNCTION tally_touch_updated_at();

CREATE TABLE clubs (
    partner_id  bigint      NOT NULL REFERENCES partners (id),
    id          bigint GENERATED ALWAYS AS IDENTITY,
    name        text        NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (partner_id, id),
    UNIQUE (partner_id, name)
);
CREATE TRIGGER clubs_touch BEFORE UPDATE ON clubs
    FOR EACH ROW EXECUTE FUNCTION tally_touch_updated_at();

CREATE TABLE cards (
    partner_id               bigint      NOT NULL,
    id                       bigint GENERATED ALWAYS AS IDENTITY,
    club_id                  bigint      NOT NULL,
    name                     text        NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    currency                 text        NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    points_per_unit          bigint      NOT NULL DEFAULT 1 CHECK (points_per_unit >= 0),
    unit_amount              numeric     NOT NULL DEFAULT 1 CHECK (unit_amount > 0),
    rounding                 text        NOT NULL DEFAULT 'down' CHECK (rounding IN ('down', 'nearest', 'up')),
    min_purchase_amount      numeric     NOT NULL DEFAULT 0 CHECK (min_purchase_amount >= 0),
    min_points_per_purchase  bigint      NOT NULL DEFAULT 0 CHECK (min_points_per_purchase >= 0),
    max_points_per_purchase  bigint      CHECK (max_points_per_purchase >= min_points_per_purchase),
    welcome_bonus_points     bigint      NOT NULL DEFAULT 0 CHECK (welcome_bonus_points >= 0),
    active                   boolean     NOT NULL DEFAULT true,
    created_at               timestamptz NOT NULL DEFAULT now(),
    updated_at               timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (partner_id, id),
    FOREIGN KEY (partner_id, club_id) REFERENCES clubs (partner_id, id)
);
CREATE INDEX cards_by_club ON cards (partner_id, club_id);
CREATE TRIGGER cards_touch BEFORE UPDATE ON cards
    FOR EACH ROW EXECUTE FUNCTION tally_touch_updated_at();

CREATE TABLE card_tiers (
    partner_id  bigint  NOT NULL,
    id          bigint GENERATED ALWAYS AS IDENTITY,
    card_id     bigint  NOT NULL,
    name        text    NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 100),
    threshold   bigint  NOT NULL CHECK (threshold >= 0),
    multiplier  numeric NOT NULL CHECK (multiplier > 0),
    PRIMARY KEY (partner_id, id),
    UNIQUE (partner_id, card_id, name),
    UNIQUE (partner_id, card_id, threshold),
    FOREIGN KEY (partner_id, card_id) REFERENCES cards (partner_id, id) ON DELETE CASCADE
);

-- Global: one member per email across the platform. A partner sees a member only
-- through a wallet on one of its cards.
CREATE SEQUENCE member_numbers AS bigint START WITH 1000;
CREATE TABLE members (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    number            bigint      NOT NULL DEFAULT nextval('member_numbers') UNIQUE,
    code              text        NOT NULL UNIQUE CHECK (code ~ '^[A-HJKMNP-Z2-9]{8}$' AND code ~ '[A-Z]'),
    email             text        NOT NULL CHECK (length(email) BETWEEN 3 AND 320),
    email_normalized  text        NOT NULL UNIQUE CHECK (email_normalized = lower(btrim(email_normalized))),
    name              text        NOT NULL DEFAULT '',
    phone             text,
    language          text        NOT NULL DEFAULT 'en' CHECK (language IN ('en', 'nl', 'de', 'fr', 'es')),
    loyalty_emails    boolean     NOT NULL DEFAULT true,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    deleted_at        timestamptz
);
ALTER SEQUENCE member_numbers OWNED BY members.number;
CREATE TRIGGER members_touch BEFORE UPDATE ON members
    FOR EACH ROW EXECUTE FUNCTION tally_touch_updated_at();

CREATE TABLE wallets (
    partner_id            bigint      NOT NULL,
    id                    bigint GENERATED ALWAYS AS IDENTITY,
    card_id               bigint      NOT NULL,
    member_id             bigint      NOT NULL REFERENCES members (id),
    balance               bigint      NOT NULL DEFAULT 0 CHECK (balance >= 0),
    -- Points earned from purchases, less refunds: decides the tier.
    earned_points         bigint      NOT NULL DEFAULT 0,
    -- Set once, by the first qualifying purchase, which also carries the welcome bonus.
    first_purchase_at     timestamptz,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (partner_id, id),
    UNIQUE (partner_id, card_id, member_id),
    FOREIGN KEY (partner_id, card_id) REFERENCES cards (partner_id, id)
);
CREATE INDEX wallets_by_member ON wallets (member_id);
CREATE TRIGGER wallets_touch BEFORE UPDATE ON wallets
    FOR EACH ROW EXECUTE FUNCTION tally_touch_updated_at();

CREATE TABLE entries (
    partner_id        bigint      NOT NULL,
    id                bigint GENERATED ALWAYS AS IDENTITY,
    wallet_id         bigint      NOT NULL,
    kind              text        NOT NULL CHECK (kind IN ('purchase', 'welcome_bonus', 'refund', 'redemption',
                                                           'redemption_reversal', 'adjustment', 'expiry')),
    channel           text        NOT NULL CHECK (channel IN ('counter', 'woocommerce', 'api', 'system')),
    -- What the entry records, and what it actually changed (a refund larger than the
    -- balance records the full deduction and applies only down to zero).
    points            bigint      NOT NULL,
    applied_points    bigint      NOT NULL,
    balance_after     bigint      NOT NULL CHECK (balance_after >= 0),
    idempotency_key   text        NOT NULL CHECK (length(idempotency_key) BETWEEN 1 AND 200),
    -- Sources: at most a few are set.
    integration_id    bigint,
    order_id          text,
    redemption_id     bigint,
    partner_user_id   bigint,
    reference         text,
    note              text,
    -- The earn rule and arithmetic that produced the points ("why 42 points?").
    rule              jsonb,
    created_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (partner_id, id),
    UNIQUE (partner_id, idempotency_key),
    FOREIGN KEY (partner_id, wallet_id) REFERENCES wallets (partner_id, id),
    FOREIGN KEY (partner_id, partner_user_id) REFERENCES partner_users (partner_id, id),
    CHECK (abs(applied_points) <= abs(points)),
    CHECK (applied_points = 0 OR sign(applied_points) = sign(points))
);
CREATE INDEX entries_by_wallet_time ON entries (partner_id, wallet_id, created_at DESC, id DESC);
CREATE INDEX entries_by_partner_time ON entries (partner_id, created_at DESC);
CREATE INDEX entries_by_order ON entries (partner_id, integration_id, order_id) WHERE order_id IS NOT NULL;

-- Entries are append-only: corrections are new entries.
CREATE FUNCTION tally_refuse_entry_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ledger entries are append-only: % is refused', TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$;
CREATE TRIGGER entries_append_only BEFORE UPDATE OR DELETE ON entries
    FOR EACH ROW EXECUTE FUNCTION tally_refuse_entry_change();
CREATE TRIGGER entries_no_truncate BEFORE TRUNCATE ON entries
    FOR EACH STATEMENT EXECUTE FUNCTION tally_refuse_entry_change();
