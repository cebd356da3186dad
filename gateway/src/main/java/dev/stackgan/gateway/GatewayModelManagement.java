package dev.stackgan.gateway;

import dev.stackgan.proto.v1.GatewayServiceGrpc;
import dev.stackgan.proto.v1.GetModelInfoRequest;
import dev.stackgan.proto.v1.ModelInfo;
import dev.stackgan.proto.v1.ModelManagementServiceGrpc;
import dev.stackgan.proto.v1.ReloadModelRequest;
import dev.stackgan.security.AccessPolicy;
import dev.stackgan.security.BearerToken;
import dev.stackgan.serving.micronaut.ModelManagementEndpoint;
import io.grpc.ClientInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.micronaut.context.annotation.Replaces;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * stackgan.v1.ModelManagementService of the gateway: the text encoder decides which version requests get, so its model
 * info is the gateway's. Reload goes to Stage-II, Stage-I and then the text encoder, so that the encoder never
 * hands out a version the later stages have not loaded (each call reaches one replica of each service). Reload
 * carries the gateway's own management token on (docs/operations.md, "Authentication"): the deployment's one token.
 */
@Singleton
@Replaces(ModelManagementEndpoint.class)
public class GatewayModelManagement extends ModelManagementServiceGrpc.ModelManagementServiceImplBase {

    private static final long DEADLINE_SECONDS = 120;

    private final ModelServices services;
    private final List<ClientInterceptor> credentials;

    public GatewayModelManagement(ModelServices services, AccessPolicy access) {
        this.services = services;
        this.credentials = access.managementToken().map(BearerToken::attach).stream().toList();
    }

    @Override
    public void getModelInfo(GetModelInfoRequest request, StreamObserver<ModelInfo> observer) {
        answer(observer, List.of(services.textEncoder()),
                stub -> stub.getModelInfo(GetModelInfoRequest.getDefaultInstance()));
    }

    @Override
    public void reloadModel(ReloadModelRequest request, StreamObserver<ModelInfo> observer) {
        answer(observer, List.of(services.stage2(), services.stage1(), services.textEncoder()),
                stub -> stub.withInterceptors(credentials.toArray(ClientInterceptor[]::new))
                        .reloadModel(ReloadModelRequest.getDefaultInstance()));
    }

    private interface ManagementCall {
        ModelInfo call(ModelManagementServiceGrpc.ModelManagementServiceBlockingStub stub);
    }

    /** Calls each service in order and answers with the last one's info, under the gateway's service name. */
    private static void answer(StreamObserver<ModelInfo> observer, List<ModelServices.Service> order,
                               ManagementCall call) {
        ModelInfo info = null;
        for (ModelServices.Service service : order) {
            try {
                info = call.call(ModelManagementServiceGrpc.newBlockingStub(service.channel())
                        .withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS));
            } catch (StatusRuntimeException e) {
                observer.onError(Status.fromCode(e.getStatus().getCode()).withDescription(service.name()
                        + " service (" + service.target() + "): " + e.getStatus().getDescription())
                        .asRuntimeException());
                return;
            }
        }
        observer.onNext(info.toBuilder().setService(GatewayServiceGrpc.SERVICE_NAME).build());
        observer.onCompleted();
    }
}
