ALTER TABLE redemptions
    DROP COLUMN issued_at,
    DROP COLUMN saga_version,
    DROP COLUMN saga;
