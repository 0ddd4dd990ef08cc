-- The Activity list pages by receipt id (a stable cursor, newest first).
CREATE INDEX woo_receipts_by_id ON woo_receipts (partner_id, integration_id, id DESC);
CREATE INDEX woo_receipts_by_outcome_id ON woo_receipts (partner_id, integration_id, outcome, id DESC);
