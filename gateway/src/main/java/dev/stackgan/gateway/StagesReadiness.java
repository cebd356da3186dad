package dev.stackgan.gateway;

import com.google.common.util.concurrent.ListenableFuture;
import dev.stackgan.proto.v1.GetModelInfoRequest;
import dev.stackgan.proto.v1.ModelInfo;
import dev.stackgan.proto.v1.ModelManagementServiceGrpc;
import io.grpc.Status;
import io.micronaut.health.HealthStatus;
import io.micronaut.management.health.indicator.AbstractHealthIndicator;
import io.micronaut.management.health.indicator.annotation.Readiness;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Readiness of the gateway ({@code GET /health/readiness}): UP when the text encoder, Stage-I and Stage-II all serve
 * one common model version, the condition for a request to run end to end (requests are pinned to one version).
 * Asks each service's ModelManagementService, all at once, with a short deadline.
 */
@Singleton
@Readiness
public class StagesReadiness extends AbstractHealthIndicator<Map<String, Object>> {

    /** Long enough for a loaded service on a busy host, short enough for a probe's own timeout. */
    private static final long DEADLINE_MILLIS = 2000;

    private final ModelServices services;

    public StagesReadiness(ModelServices services) {
        this.services = services;
    }

    @Override
    protected String getName() {
        return "stages";
    }

    @Override
    protected Map<String, Object> getHealthInformation() {
        Map<ModelServices.Service, ListenableFuture<ModelInfo>> calls = new LinkedHashMap<>();
        for (ModelServices.Service service : services.all()) {
            calls.put(service, ModelManagementServiceGrpc.newFutureStub(service.channel())
                    .withDeadlineAfter(DEADLINE_MILLIS, TimeUnit.MILLISECONDS)
                    .getModelInfo(GetModelInfoRequest.getDefaultInstance()));
        }
        Map<String, Object> details = new LinkedHashMap<>();
        List<String> missing = new ArrayList<>();
        Set<String> common = null;
        String encoderCurrent = null;
        for (Map.Entry<ModelServices.Service, ListenableFuture<ModelInfo>> call : calls.entrySet()) {
            ModelServices.Service service = call.getKey();
            Map<String, Object> stage = new LinkedHashMap<>();
            stage.put("target", service.target());
            details.put(service.name(), stage);
            ModelInfo info;
            try {
                info = call.getValue().get();
            } catch (ExecutionException e) {
                Status status = Status.fromThrowable(e.getCause());
                stage.put("error", status.getCode() + (status.getDescription() == null ? ""
                        : ": " + status.getDescription()));
                missing.add(service.name() + " does not answer");
                common = new LinkedHashSet<>();
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            stage.put("ready", info.getReady());
            stage.put("current_version", info.getCurrentVersion());
            stage.put("loaded_versions", info.getLoadedVersionsList());
            if (!info.getReady()) {
                missing.add(service.name() + " has no model loaded");
            }
            if (service == services.textEncoder()) {
                encoderCurrent = info.getCurrentVersion();
            }
            if (common == null) {
                common = new LinkedHashSet<>(info.getLoadedVersionsList());
            } else {
                common.retainAll(info.getLoadedVersionsList());
            }
        }
        if (missing.isEmpty() && common.isEmpty()) {
            missing.add("no model version is loaded in all three services");
        }
        if (missing.isEmpty()) {
            healthStatus = HealthStatus.UP;
            // the encoder's current version is what unpinned requests get; else they run on a common one
            details.put("model_version", common.contains(encoderCurrent) ? encoderCurrent : common.iterator().next());
        } else {
            healthStatus = HealthStatus.DOWN;
            details.put("missing", missing);
        }
        return details;
    }
}
