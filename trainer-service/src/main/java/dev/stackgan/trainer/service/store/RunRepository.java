package dev.stackgan.trainer.service.store;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.CrudRepository;
import java.time.Instant;
import java.util.Collection;
import java.util.List;

@JdbcRepository(dialect = Dialect.POSTGRES)
public interface RunRepository extends CrudRepository<RunRow, Long> {

    List<RunRow> findByStatusOrderById(String status);

    /** Newest first, ids below {@code beforeId}; {@code kind} empty matches every kind. */
    @Query("SELECT * FROM runs WHERE status IN (:statuses) AND (:kind = '' OR kind = :kind) AND id < :beforeId"
            + " ORDER BY id DESC LIMIT :limit")
    List<RunRow> page(Collection<String> statuses, String kind, long beforeId, int limit);

    @Query("SELECT status, count(*) AS runs FROM runs GROUP BY status")
    List<StateCount> countByState();

    @Query("UPDATE runs SET status = :status WHERE id = :id")
    void updateStatus(long id, String status);

    @Query("UPDATE runs SET status = 'RUNNING', started_at = COALESCE(started_at, :startedAt), finished_at = NULL,"
            + " error = NULL WHERE id = :id")
    void markRunning(long id, Instant startedAt);

    @Query("UPDATE runs SET status = :status, finished_at = :finishedAt, error = :error WHERE id = :id")
    void finish(long id, String status, Instant finishedAt, @Nullable String error);

    @Query("UPDATE runs SET progress = :progress, step = :step WHERE id = :id")
    void updateProgress(long id, double progress, long step);
}
