package dev.stackgan.serving.micronaut;

import dev.stackgan.proto.inference.GRPCInferenceServiceGrpc;
import dev.stackgan.proto.v1.ModelManagementServiceGrpc;
import dev.stackgan.serving.ModelRepository;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import io.micronaut.context.annotation.Context;
import jakarta.annotation.PostConstruct;

/**
 * Starts polling the model repository when the application starts and mirrors readiness into grpc.health.v1:
 * NOT_SERVING (overall, for the served service and for the Open Inference Protocol's) until a bundle is loaded,
 * SERVING from then on.
 */
@Context
public class ModelLifecycle {

    private final ModelRepository repository;
    private final HealthStatusManager health;
    private final ServedGraph served;
    private final ServingConfiguration config;

    public ModelLifecycle(ModelRepository repository, HealthStatusManager health, ServedGraph served,
                          ServingConfiguration config) {
        this.repository = repository;
        this.health = health;
        this.served = served;
        this.config = config;
    }

    @PostConstruct
    void start() {
        repository.addListener(state -> {
            ServingStatus status = state.ready() ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
            health.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, status);
            health.setStatus(served.serviceName(), status);
            health.setStatus(GRPCInferenceServiceGrpc.SERVICE_NAME, status);
        });
        // Model info must answer even while no model is loaded: it says why.
        health.setStatus(ModelManagementServiceGrpc.SERVICE_NAME, ServingStatus.SERVING);
        repository.start(config.getPollInterval());
    }
}
