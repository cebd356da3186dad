package dev.stackgan.trainer.service.store;

import io.micronaut.data.annotation.Query;
import io.micronaut.data.jdbc.annotation.JdbcRepository;
import io.micronaut.data.model.query.builder.sql.Dialect;
import io.micronaut.data.repository.GenericRepository;
import java.util.List;

@JdbcRepository(dialect = Dialect.POSTGRES)
public interface MetricRepository extends GenericRepository<MetricRow, MetricRow.Key> {

    /** A step logged again (after a roll-back) replaces its row: one row per (run, step). */
    @Query("INSERT INTO metrics (run_id, step, epoch, discriminator_loss, generator_loss, kl, generator_lr,"
            + " discriminator_lr, images_per_second, wall_seconds) VALUES (:runId, :step, :epoch, :discriminatorLoss,"
            + " :generatorLoss, :kl, :generatorLr, :discriminatorLr, :imagesPerSecond, :wallSeconds)"
            + " ON CONFLICT (run_id, step) DO UPDATE SET epoch = EXCLUDED.epoch,"
            + " discriminator_loss = EXCLUDED.discriminator_loss, generator_loss = EXCLUDED.generator_loss,"
            + " kl = EXCLUDED.kl, generator_lr = EXCLUDED.generator_lr,"
            + " discriminator_lr = EXCLUDED.discriminator_lr, images_per_second = EXCLUDED.images_per_second,"
            + " wall_seconds = EXCLUDED.wall_seconds")
    void upsert(long runId, long step, int epoch, float discriminatorLoss, float generatorLoss, float kl,
                float generatorLr, float discriminatorLr, double imagesPerSecond, double wallSeconds);

    /** Drops the steps a resumed run will train again (logged after the checkpoint it resumes from). */
    @Query("DELETE FROM metrics WHERE run_id = :runId AND step > :step")
    void deleteAfter(long runId, long step);

    @Query("SELECT count(*) FROM metrics WHERE run_id = :runId AND step <= :step")
    long countUpTo(long runId, long step);

    @Query("SELECT step FROM metrics WHERE run_id = :runId ORDER BY step")
    List<Long> steps(long runId);

    @Query("SELECT * FROM metrics WHERE run_id = :runId ORDER BY step")
    List<MetricRow> findByRun(long runId);
}
