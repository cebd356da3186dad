package dev.stackgan.trainer.service.store;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;
import java.time.Instant;

/** A row of {@code bundles}: an exported model bundle; its source checkpoints are in {@code bundle_checkpoints}. */
@MappedEntity("bundles")
public record BundleRow(@Id String bundleId, String path, String sha256, Instant createdAt,
                        @Nullable Instant promotedAt) {
}
