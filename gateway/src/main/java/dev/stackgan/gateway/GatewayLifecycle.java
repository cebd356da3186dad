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
 * (which would open a model repository) and reports SERVING once started; model services report their own health.
 */
@Context
@Replaces(ModelLifecycle.class)
public class GatewayLifecycle {

    private final HealthStatusManager health;

    public GatewayLifecycle(HealthStatusManager health) {
        this.health = health;
    }

    @PostConstruct
    void start() {
        health.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, ServingStatus.SERVING);
        health.setStatus(GatewayServiceGrpc.SERVICE_NAME, ServingStatus.SERVING);
        health.setStatus(ModelManagementServiceGrpc.SERVICE_NAME, ServingStatus.SERVING);
    }
}
