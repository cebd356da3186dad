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
 * NOT_SERVING (overall, for the served service and for the Open Inference Protocol's) until a bundle is loaded and
 * the service has warmed up ({@link ModelWarmUp}), SERVING from then on.
 */
@Context
public class ModelLifecycle {

    private final ModelRepository repository;
    private final HealthStatusManager health;
    private final ServedGraph served;
    private final ServingConfiguration config;
    private final ModelWarmUp warmUp;

    public ModelLifecycle(ModelRepository repository, HealthStatusManager health, ServedGraph served,
                          ServingConfiguration config, ModelWarmUp warmUp) {
        this.repository = repository;
        this.health = health;
        this.served = served;
        this.config = config;
        this.warmUp = warmUp;
    }

    @PostConstruct
    void start() {
        repository.addListener(state -> mirrorReadiness());
        warmUp.whenWarm(this::mirrorReadiness);
        // Model info must answer even while no model is loaded: it says why.
        health.setStatus(ModelManagementServiceGrpc.SERVICE_NAME, ServingStatus.SERVING);
        repository.start(config.getPollInterval());
    }

    private synchronized void mirrorReadiness() {
        ServingStatus status = repository.state().ready() && warmUp.warm() ? ServingStatus.SERVING
                : ServingStatus.NOT_SERVING;
        health.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, status);
        health.setStatus(served.serviceName(), status);
        health.setStatus(GRPCInferenceServiceGrpc.SERVICE_NAME, status);
    }
}
