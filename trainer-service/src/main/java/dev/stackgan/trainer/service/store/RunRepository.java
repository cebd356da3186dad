package dev.stackgan.trainer.service.store;

import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.CrudRepository;
import java.util.Collection;
import java.util.List;

@JdbcRepository(dialect = Dialect.POSTGRES)
public interface RunRepository extends CrudRepository<RunRow, Long> {

    /** Newest first, ids below {@code beforeId}; {@code kind} empty matches every kind. */
    @Query("SELECT * FROM runs WHERE status IN (:statuses) AND (:kind = '' OR kind = :kind) AND id < :beforeId"
            + " ORDER BY id DESC LIMIT :limit")
    List<RunRow> page(Collection<String> statuses, String kind, long beforeId, int limit);

    @Query("SELECT status, count(*) AS runs FROM runs GROUP BY status")
    List<StateCount> countByState();

    /** QUEUED again, if it is still {@code status} (a worker may have claimed an INTERRUPTED run meanwhile). */
    @Query("UPDATE runs SET status = 'QUEUED' WHERE id = :id AND status = :status")
    int requeue(long id, String status);
}
