package dev.stackgan.trainer.service;

import dev.stackgan.trainer.service.store.RunRepository;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.annotation.Value;
import io.micronaut.health.HealthStatus;
import io.micronaut.management.health.indicator.AbstractHealthIndicator;
import io.micronaut.management.health.indicator.annotation.Readiness;
import jakarta.inject.Singleton;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Readiness of the trainer over HTTP ({@code GET /health/readiness}): UP while the database answers, DOWN (503)
 * naming the JDBC URL and the driver's reason when it does not. Runs keep training meanwhile (the journal buffers
 * their records), but no run can be created, listed or exported, so a load balancer should send no calls.
 */
@Requires(env = TrainerApplication.ENVIRONMENT)
@Singleton
@Readiness
public class DatabaseReadiness extends AbstractHealthIndicator<Map<String, Object>> {

    private final RunRepository runs;
    private final TrainerMetrics metrics;
    private final String url;

    public DatabaseReadiness(RunRepository runs, TrainerMetrics metrics,
                             @Value("${datasources.default.url}") String url) {
        this.runs = runs;
        this.metrics = metrics;
        this.url = url;
    }

    @Override
    protected String getName() {
        return "database";
    }

    @Override
    protected Map<String, Object> getHealthInformation() {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("url", url);
        try {
            details.put("runs", runs.count());
            healthStatus = HealthStatus.UP;
        } catch (RuntimeException e) {
            healthStatus = HealthStatus.DOWN;
            details.put("missing", "the database does not answer (datasources.default.url): "
                    + Journal.rootMessage(e));
        }
        metrics.databaseReachable(healthStatus == HealthStatus.UP);
        return details;
    }
}
