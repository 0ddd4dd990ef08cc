DELETE FROM email_outbox WHERE kind = 'invitation';
ALTER TABLE email_outbox DROP CONSTRAINT email_outbox_kind_check;
ALTER TABLE email_outbox ADD CONSTRAINT email_outbox_kind_check
    CHECK (kind IN ('sign_in_code', 'welcome', 'points', 'coupon'));
