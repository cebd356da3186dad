package dev.stackgan.trainer.service.store;

import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.CrudRepository;
import java.time.Instant;
import java.util.List;

@JdbcRepository(dialect = Dialect.POSTGRES)
public interface BundleRepository extends CrudRepository<BundleRow, String> {

    List<BundleRow> listOrderByCreatedAt();

    @Query("INSERT INTO bundle_checkpoints (bundle_id, checkpoint_id, position) VALUES (:bundleId, :checkpointId,"
            + " :position)")
    void addSource(String bundleId, long checkpointId, int position);

    @Query("SELECT checkpoint_id FROM bundle_checkpoints WHERE bundle_id = :bundleId ORDER BY position")
    List<Long> sources(String bundleId);

    @Query("UPDATE bundles SET promoted_at = :promotedAt WHERE bundle_id = :bundleId")
    void markPromoted(String bundleId, Instant promotedAt);
}
