package dev.stackgan.trainer.service.store;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.GeneratedValue;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;
import io.micronaut.data.annotation.sql.ColumnTransformer;
import java.time.Instant;

/**
 * A row of {@code checkpoints}: the record of a checkpoint directory. {@code files} is the JSON object of file name
 * to sha256 whose sorted "name sha256" listing hashes to {@code sha256}.
 */
@MappedEntity("checkpoints")
public record CheckpointRow(@Id @GeneratedValue @Nullable Long id, long runId, int epoch, long step, String path,
                            String sha256, @ColumnTransformer(write = "?::jsonb") String files, long sizeBytes,
                            @ColumnTransformer(write = "?::jsonb") String evaluation, Instant createdAt) {
}
