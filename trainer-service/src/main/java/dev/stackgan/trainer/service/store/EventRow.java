package dev.stackgan.trainer.service.store;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.GeneratedValue;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;
import java.time.Instant;

/** A row of {@code events}: something that happened to a run (resumed, rolled back, lr halved, ...). */
@MappedEntity("events")
public record EventRow(@Id @GeneratedValue @Nullable Long id, long runId, String type, long step, String message,
                       Instant createdAt) {
}
