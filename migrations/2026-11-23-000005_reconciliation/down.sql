DROP TABLE woo_reconcile_runs;
