package dev.stackgan.gateway;

import io.micronaut.health.HealthStatus;
import io.micronaut.management.health.indicator.AbstractHealthIndicator;
import io.micronaut.management.health.indicator.annotation.Readiness;
import jakarta.inject.Singleton;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The warm-up's part of the gateway's readiness ({@code GET /health/readiness}, beside {@link StagesReadiness}): DOWN
 * until the gateway has warmed up ({@link GatewayWarmUp}), saying what it waits for.
 */
@Singleton
@Readiness
public class GatewayWarmUpReadiness extends AbstractHealthIndicator<Map<String, Object>> {

    private final GatewayWarmUp warmUp;

    public GatewayWarmUpReadiness(GatewayWarmUp warmUp) {
        this.warmUp = warmUp;
    }

    @Override
    protected String getName() {
        return "warm-up";
    }

    @Override
    protected Map<String, Object> getHealthInformation() {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("requests", warmUp.requests());
        if (warmUp.warm()) {
            healthStatus = HealthStatus.UP;
        } else {
            healthStatus = HealthStatus.DOWN;
            details.put("missing", (warmUp.waitingForStages() ? "waiting for the three stages to serve a common"
                    + " version before warming up" : "warming up: " + warmUp.requests() + " requests answered so far")
                    + " (stackgan.serving.warm-up)");
        }
        return details;
    }
}
