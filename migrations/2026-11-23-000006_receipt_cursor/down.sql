DROP INDEX woo_receipts_by_outcome_id;
DROP INDEX woo_receipts_by_id;
