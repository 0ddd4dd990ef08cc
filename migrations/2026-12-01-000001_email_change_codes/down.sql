DELETE FROM one_time_codes WHERE realm = 'email_change';
ALTER TABLE one_time_codes DROP CONSTRAINT one_time_codes_realm_check;
ALTER TABLE one_time_codes ADD CONSTRAINT one_time_codes_realm_check
    CHECK (realm IN ('member', 'partner'));
