package dev.stackgan.trainer.service.store;

import io.micronaut.data.annotation.Embeddable;
import io.micronaut.data.annotation.EmbeddedId;
import io.micronaut.data.annotation.MappedEntity;
import io.micronaut.data.annotation.MappedProperty;

/** A row of {@code metrics}: one logged step of a run, keyed by (run, step). */
@MappedEntity("metrics")
public record MetricRow(@EmbeddedId Key id, int epoch, float discriminatorLoss, float generatorLoss, float kl,
                        float generatorLr, float discriminatorLr, double imagesPerSecond, double wallSeconds) {

    @Embeddable
    public record Key(@MappedProperty("run_id") long runId, @MappedProperty("step") long step) {
    }
}
