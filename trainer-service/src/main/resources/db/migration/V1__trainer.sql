-- Training history: runs, their logged steps, checkpoints and events, and the bundles exported from checkpoints.
-- Checkpoint and bundle files live on disk; these tables hold their record and checksum.

CREATE TABLE runs (
    id                   BIGSERIAL PRIMARY KEY,
    name                 TEXT        NOT NULL,
    kind                 TEXT        NOT NULL CHECK (kind IN ('text-encoder', 'stage1', 'stage2')),
    status               TEXT        NOT NULL
        CHECK (status IN ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED', 'INTERRUPTED')),
    spec                 JSONB       NOT NULL,
    dataset              TEXT        NOT NULL,
    parent_checkpoint_id BIGINT,
    created_at           TIMESTAMPTZ NOT NULL,
    started_at           TIMESTAMPTZ,
    finished_at          TIMESTAMPTZ,
    error                TEXT,
    progress             DOUBLE PRECISION NOT NULL DEFAULT 0,
    step                 BIGINT      NOT NULL DEFAULT 0,
    total_steps          BIGINT      NOT NULL
);
CREATE INDEX runs_status_kind ON runs (status, kind);

-- One row per logged step; (run_id, step) is unique so a replayed step overwrites instead of duplicating.
CREATE TABLE metrics (
    run_id               BIGINT      NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    step                 BIGINT      NOT NULL,
    epoch                INT         NOT NULL,
    discriminator_loss   REAL        NOT NULL,
    generator_loss       REAL        NOT NULL,
    kl                   REAL        NOT NULL,
    generator_lr         REAL        NOT NULL,
    discriminator_lr     REAL        NOT NULL,
    images_per_second    DOUBLE PRECISION NOT NULL,
    wall_seconds         DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (run_id, step)
);

CREATE TABLE checkpoints (
    id                   BIGSERIAL PRIMARY KEY,
    run_id               BIGINT      NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    epoch                INT         NOT NULL,
    step                 BIGINT      NOT NULL,
    path                 TEXT        NOT NULL UNIQUE,
    -- sha256 of the sorted "name sha256" listing of the directory's files; files holds that listing as JSON
    sha256               CHAR(64)    NOT NULL,
    files                JSONB       NOT NULL,
    size_bytes           BIGINT      NOT NULL,
    evaluation           JSONB       NOT NULL,
    created_at           TIMESTAMPTZ NOT NULL
);
CREATE INDEX checkpoints_run ON checkpoints (run_id, step);

ALTER TABLE runs ADD CONSTRAINT runs_parent_checkpoint
    FOREIGN KEY (parent_checkpoint_id) REFERENCES checkpoints (id);

CREATE TABLE events (
    id                   BIGSERIAL PRIMARY KEY,
    run_id               BIGINT      NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    type                 TEXT        NOT NULL,
    step                 BIGINT      NOT NULL,
    message              TEXT        NOT NULL,
    created_at           TIMESTAMPTZ NOT NULL
);
CREATE INDEX events_run ON events (run_id, id);

CREATE TABLE bundles (
    bundle_id            TEXT        PRIMARY KEY,
    path                 TEXT        NOT NULL,
    -- sha256 of manifest.json, which holds the sha256 of every other file of the bundle
    sha256               CHAR(64)    NOT NULL,
    created_at           TIMESTAMPTZ NOT NULL,
    promoted_at          TIMESTAMPTZ
);

CREATE TABLE bundle_checkpoints (
    bundle_id            TEXT        NOT NULL REFERENCES bundles (bundle_id) ON DELETE CASCADE,
    checkpoint_id        BIGINT      NOT NULL REFERENCES checkpoints (id),
    position             INT         NOT NULL,
    PRIMARY KEY (bundle_id, position)
);
