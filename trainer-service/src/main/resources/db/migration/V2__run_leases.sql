-- Several trainer processes share one database: a worker claims a run (SELECT ... FOR UPDATE SKIP LOCKED) and holds
-- it by renewing a lease; a run whose lease lapsed (its worker died) is taken over by another worker, which resumes
-- it from its newest checkpoint. cancel_requested reaches a run that trains in another process.
ALTER TABLE runs ADD COLUMN worker_id TEXT;
ALTER TABLE runs ADD COLUMN lease_expires_at TIMESTAMPTZ;
ALTER TABLE runs ADD COLUMN cancel_requested BOOLEAN NOT NULL DEFAULT false;
