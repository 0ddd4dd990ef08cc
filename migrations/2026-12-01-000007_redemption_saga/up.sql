-- The issuance saga of each redemption (coupons::Saga as JSON), and a version that
-- every save compares and bumps, so of several processes driving the same redemption
-- only one moves it on (and only one finishes it).
ALTER TABLE redemptions
    ADD COLUMN saga          jsonb   NOT NULL DEFAULT '{}'::jsonb,
    ADD COLUMN saga_version  integer NOT NULL DEFAULT 0 CHECK (saga_version >= 0),
    ADD COLUMN issued_at     timestamptz;
