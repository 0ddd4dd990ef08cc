-- Invitations: an owner invites a staff member (or another owner) by email; the
-- invitation goes through the outbox like every other email.
ALTER TABLE email_outbox DROP CONSTRAINT email_outbox_kind_check;
ALTER TABLE email_outbox ADD CONSTRAINT email_outbox_kind_check
    CHECK (kind IN ('sign_in_code', 'welcome', 'points', 'coupon', 'invitation'));
