package dev.stackgan.trainer.service.store;

import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.CrudRepository;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

@JdbcRepository(dialect = Dialect.POSTGRES)
public interface CheckpointRepository extends CrudRepository<CheckpointRow, Long> {

    List<CheckpointRow> findByRunIdOrderByStep(long runId);

    Optional<CheckpointRow> findByPath(String path);

    /** A roll-back rewrites the checkpoint of the same position: its record is replaced, not duplicated. */
    @Query("INSERT INTO checkpoints (run_id, epoch, step, path, sha256, files, size_bytes, evaluation, created_at)"
            + " VALUES (:runId, :epoch, :step, :path, :sha256, CAST(:files AS jsonb), :sizeBytes, CAST(:evaluation AS jsonb),"
            + " :createdAt) ON CONFLICT (path) DO UPDATE SET sha256 = EXCLUDED.sha256, files = EXCLUDED.files,"
            + " size_bytes = EXCLUDED.size_bytes, evaluation = EXCLUDED.evaluation, created_at = EXCLUDED.created_at")
    void upsert(long runId, int epoch, long step, String path, String sha256, String files, long sizeBytes,
                String evaluation, Instant createdAt);
}
