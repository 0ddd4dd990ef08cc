-- Sign-in: one-time codes, sign-in links, server-side sessions and rate-limit counters.
-- These are global tables: a member's identity spans partners, and partner users sign in
-- before the partner is known. Tokens and codes are stored only as keyed hashes.

CREATE TABLE one_time_codes (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    realm             text        NOT NULL CHECK (realm IN ('member', 'partner')),
    email_normalized  text        NOT NULL,
    code_hash         bytea       NOT NULL,
    attempts          integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    max_attempts      integer     NOT NULL DEFAULT 5 CHECK (max_attempts > 0),
    created_at        timestamptz NOT NULL DEFAULT now(),
    expires_at        timestamptz NOT NULL,
    consumed_at       timestamptz,
    CHECK (expires_at > created_at)
);
CREATE INDEX one_time_codes_by_email ON one_time_codes (realm, email_normalized, created_at DESC);
CREATE INDEX one_time_codes_by_expiry ON one_time_codes (expires_at);

CREATE TABLE sign_in_links (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token_hash    bytea       NOT NULL UNIQUE,
    member_id     bigint      NOT NULL REFERENCES members (id),
    -- Destination: the store-discount block of this partner's card.
    partner_id    bigint      NOT NULL,
    card_id       bigint      NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL,
    last_used_at  timestamptz,
    CHECK (expires_at > created_at)
);
CREATE INDEX sign_in_links_by_expiry ON sign_in_links (expires_at);

CREATE TABLE sessions (
    id                     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token_hash             bytea       NOT NULL UNIQUE,
    realm                  text        NOT NULL CHECK (realm IN ('member', 'partner')),
    member_id              bigint      REFERENCES members (id),
    partner_id             bigint,
    partner_user_id        bigint,
    method                 text        NOT NULL CHECK (method IN ('code', 'link')),
    -- Sensitive actions need a code verified within the last ten minutes.
    last_code_verified_at  timestamptz,
    created_at             timestamptz NOT NULL DEFAULT now(),
    last_seen_at           timestamptz NOT NULL DEFAULT now(),
    expires_at             timestamptz NOT NULL,
    revoked_at             timestamptz,
    CHECK ((realm = 'member' AND member_id IS NOT NULL AND partner_user_id IS NULL)
        OR (realm = 'partner' AND member_id IS NULL AND partner_id IS NOT NULL AND partner_user_id IS NOT NULL)),
    CHECK (expires_at > created_at)
);
CREATE INDEX sessions_by_member ON sessions (member_id) WHERE member_id IS NOT NULL;
CREATE INDEX sessions_by_partner_user ON sessions (partner_id, partner_user_id) WHERE partner_user_id IS NOT NULL;
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

-- Fixed-window counters ("code sends per email per 15 minutes"), shared by every
-- server process. The key names what is limited, e.g. 'code-send:email:<hash>'.
CREATE TABLE rate_limits (
    key           text        NOT NULL,
    window_start  timestamptz NOT NULL,
    count         integer     NOT NULL DEFAULT 0 CHECK (count >= 0),
    PRIMARY KEY (key, window_start)
);
CREATE INDEX rate_limits_by_window ON rate_limits (window_start);

-- Sign-ins, kept apart by method (code or link).
CREATE TABLE sign_in_events (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    realm            text        NOT NULL CHECK (realm IN ('member', 'partner')),
    member_id        bigint      REFERENCES members (id),
    partner_id       bigint,
    partner_user_id  bigint,
    method           text        NOT NULL CHECK (method IN ('code', 'link')),
    created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sign_in_events_by_member ON sign_in_events (member_id, created_at DESC) WHERE member_id IS NOT NULL;
CREATE INDEX sign_in_events_by_partner ON sign_in_events (partner_id, created_at DESC) WHERE partner_id IS NOT NULL;
