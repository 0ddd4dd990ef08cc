-- Operations: the partner's activity log, API tokens, idempotency keys for API calls and
-- forms, and the transactional email outbox.

CREATE TABLE activity_log (
    partner_id       bigint      NOT NULL REFERENCES partners (id),
    id               bigint GENERATED ALWAYS AS IDENTITY,
    actor_kind       text        NOT NULL CHECK (actor_kind IN ('partner_user', 'api_token', 'member', 'system')),
    partner_user_id  bigint,
    api_token_id     bigint,
    action           text        NOT NULL,
    subject          text,
    details          jsonb       NOT NULL DEFAULT '{}'::jsonb,
    created_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (partner_id, id),
    FOREIGN KEY (partner_id, partner_user_id) REFERENCES partner_users (partner_id, id)
);
CREATE INDEX activity_log_by_time ON activity_log (partner_id, created_at DESC, id DESC);

CREATE TABLE api_tokens (
    partner_id       bigint      NOT NULL REFERENCES partners (id),
    id               bigint GENERATED ALWAYS AS IDENTITY,
    name             text        NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 100),
    -- Keyed hash of the token; the token itself is shown once and never stored.
    token_hash       bytea       NOT NULL,
    -- The first characters, to tell tokens apart in the dashboard.
    token_prefix     text        NOT NULL,
    created_by       bigint,
    created_at       timestamptz NOT NULL DEFAULT now(),
    last_used_at     timestamptz,
    revoked_at       timestamptz,
    PRIMARY KEY (partner_id, id),
    UNIQUE (partner_id, token_hash),
    FOREIGN KEY (partner_id, created_by) REFERENCES partner_users (partner_id, id)
);
-- Bearer authentication finds a token by its hash before it knows the partner.
CREATE INDEX api_tokens_by_hash ON api_tokens (token_hash);
ALTER TABLE activity_log
    ADD FOREIGN KEY (partner_id, api_token_id) REFERENCES api_tokens (partner_id, id);

-- A request with an Idempotency-Key is answered once; a replay gets the stored answer,
-- the same key with another request is refused.
CREATE TABLE idempotency_keys (
    partner_id       bigint      NOT NULL REFERENCES partners (id),
    scope            text        NOT NULL,
    key              text        NOT NULL CHECK (length(key) BETWEEN 1 AND 200),
    request_hash     bytea       NOT NULL,
    response_status  integer,
    response_body    bytea,
    created_at       timestamptz NOT NULL DEFAULT now(),
    completed_at     timestamptz,
    PRIMARY KEY (partner_id, scope, key)
);
CREATE INDEX idempotency_keys_by_time ON idempotency_keys (created_at);

-- Written in the same transaction as the event that causes the email; a worker claims
-- due rows with FOR UPDATE SKIP LOCKED and delivers them with retries and back-off.
CREATE TABLE email_outbox (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    partner_id       bigint      REFERENCES partners (id),
    member_id        bigint      REFERENCES members (id),
    kind             text        NOT NULL CHECK (kind IN ('sign_in_code', 'welcome', 'points', 'coupon')),
    to_address       text        NOT NULL,
    language         text        NOT NULL DEFAULT 'en' CHECK (language IN ('en', 'nl', 'de', 'fr', 'es')),
    -- What the template needs; rendered when sent.
    payload          jsonb       NOT NULL DEFAULT '{}'::jsonb,
    idempotency_key  text        NOT NULL UNIQUE,
    status           text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts         integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    due_at           timestamptz NOT NULL DEFAULT now(),
    last_error       text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    sent_at          timestamptz
);
CREATE INDEX email_outbox_due ON email_outbox (due_at) WHERE status = 'pending';
CREATE INDEX email_outbox_by_member ON email_outbox (member_id, created_at DESC) WHERE member_id IS NOT NULL;
