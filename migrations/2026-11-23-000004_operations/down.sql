DROP TABLE email_outbox;
DROP TABLE idempotency_keys;
ALTER TABLE activity_log DROP CONSTRAINT activity_log_partner_id_api_token_id_fkey;
DROP TABLE api_tokens;
DROP TABLE activity_log;
