package dev.stackgan.serving.micronaut;

import dev.stackgan.serving.ModelRepository;
import io.micronaut.context.annotation.Requires;
import io.micronaut.health.HealthStatus;
import io.micronaut.management.health.indicator.AbstractHealthIndicator;
import io.micronaut.management.health.indicator.annotation.Readiness;
import jakarta.inject.Singleton;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Readiness of a model service over HTTP ({@code GET /health/readiness}): UP once a bundle is loaded and the service
 * has warmed up ({@link ModelWarmUp}), DOWN with the reason before. Only in the model services: the gateway has no
 * {@link ServedGraph}.
 */
@Singleton
@Readiness
@Requires(beans = ServedGraph.class)
public class ModelReadiness extends AbstractHealthIndicator<Map<String, Object>> {

    private final ModelRepository repository;
    private final ModelWarmUp warmUp;

    public ModelReadiness(ModelRepository repository, ModelWarmUp warmUp) {
        this.repository = repository;
        this.warmUp = warmUp;
    }

    @Override
    protected String getName() {
        return "model";
    }

    @Override
    protected Map<String, Object> getHealthInformation() {
        ModelRepository.State state = repository.state();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("graph", repository.graph());
        if (state.ready()) {
            healthStatus = warmUp.warm() ? HealthStatus.UP : HealthStatus.DOWN;
            details.put("current_version", state.current());
            details.put("loaded_versions", state.loadedVersions());
            if (!warmUp.warm()) {
                details.put("missing", "warming up: " + warmUp.requests() + " requests answered so far "
                        + "(stackgan.serving.warm-up)");
            }
        } else {
            healthStatus = HealthStatus.DOWN;
            details.put("missing", "no bundle is loaded yet: promote one into the model repository "
                    + "(stackgan.serving.model-repository)");
        }
        if (state.lastError() != null) {
            details.put("last_load_error", state.lastError());
        }
        return details;
    }
}
