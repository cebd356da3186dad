package dev.stackgan.trainer.service.store;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.GeneratedValue;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;
import io.micronaut.data.annotation.sql.ColumnTransformer;
import java.time.Instant;

/**
 * A row of {@code runs}: one training run, its spec (JSON), where it stands and which trainer process trains it
 * ({@link RunLeases} writes the lease columns).
 */
@MappedEntity("runs")
public record RunRow(@Id @GeneratedValue @Nullable Long id, String name, String kind, String status,
                     @ColumnTransformer(write = "?::jsonb") String spec, String dataset,
                     @Nullable Long parentCheckpointId, Instant createdAt, @Nullable Instant startedAt,
                     @Nullable Instant finishedAt, @Nullable String error, double progress, long step,
                     long totalSteps, @Nullable String workerId) {
}
