-- Codes that prove control of a new address before a member's email changes to it.
-- They live beside the sign-in codes (same hashing, attempts and expiry) under their
-- own realm, so such a code never signs anybody in.
ALTER TABLE one_time_codes DROP CONSTRAINT one_time_codes_realm_check;
ALTER TABLE one_time_codes ADD CONSTRAINT one_time_codes_realm_check
    CHECK (realm IN ('member', 'partner', 'email_change'));
