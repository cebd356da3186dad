package dev.stackgan.gateway;

import dev.stackgan.proto.v1.GatewayServiceGrpc;
import dev.stackgan.proto.v1.ModelManagementServiceGrpc;
import dev.stackgan.serving.micronaut.ModelLifecycle;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Replaces;
import jakarta.annotation.PostConstruct;

/**
 * grpc.health.v1 of the gateway. The gateway loads no model, so it replaces the serving runtime's model lifecycle
 * (which would open a model repository). It reports NOT_SERVING until it has warmed up ({@link GatewayWarmUp}, which
 * first waits for the three stages), SERVING from then on; model services report their own health. Model management
 * answers from the start: it says what the stages serve.
 */
@Context
@Replaces(ModelLifecycle.class)
public class GatewayLifecycle {

    private final HealthStatusManager health;
    private final GatewayWarmUp warmUp;

    public GatewayLifecycle(HealthStatusManager health, GatewayWarmUp warmUp) {
        this.health = health;
        this.warmUp = warmUp;
    }

    @PostConstruct
    void start() {
        health.setStatus(ModelManagementServiceGrpc.SERVICE_NAME, ServingStatus.SERVING);
        health.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, ServingStatus.NOT_SERVING);
        health.setStatus(GatewayServiceGrpc.SERVICE_NAME, ServingStatus.NOT_SERVING);
        warmUp.whenWarm(() -> {
            health.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, ServingStatus.SERVING);
            health.setStatus(GatewayServiceGrpc.SERVICE_NAME, ServingStatus.SERVING);
        });
    }
}
