-- "Check for missed orders": runs of the reconciliation over a chosen period, with
-- their progress and what they found. Periodic reconciliation uses the integration's
-- watermark instead.
CREATE TABLE woo_reconcile_runs (
    partner_id       bigint      NOT NULL,
    id               bigint GENERATED ALWAYS AS IDENTITY,
    integration_id   bigint      NOT NULL,
    modified_after   timestamptz NOT NULL,
    status           text        NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
    pages_read       integer     NOT NULL DEFAULT 0,
    orders_seen      integer     NOT NULL DEFAULT 0,
    awarded          integer     NOT NULL DEFAULT 0,
    already_processed integer    NOT NULL DEFAULT 0,
    ignored          integer     NOT NULL DEFAULT 0,
    skipped          integer     NOT NULL DEFAULT 0,
    failed           integer     NOT NULL DEFAULT 0,
    error            text,
    requested_by     bigint,
    created_at       timestamptz NOT NULL DEFAULT now(),
    started_at       timestamptz,
    finished_at      timestamptz,
    lease_until      timestamptz,
    PRIMARY KEY (partner_id, id),
    FOREIGN KEY (partner_id, integration_id) REFERENCES woo_integrations (partner_id, id)
);
CREATE INDEX woo_reconcile_runs_queued ON woo_reconcile_runs (created_at) WHERE status IN ('queued', 'running');
CREATE INDEX woo_reconcile_runs_by_integration ON woo_reconcile_runs (partner_id, integration_id, created_at DESC);
