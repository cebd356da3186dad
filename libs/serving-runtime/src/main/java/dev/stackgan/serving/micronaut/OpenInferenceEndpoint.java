package dev.stackgan.serving.micronaut;

import dev.stackgan.proto.inference.GRPCInferenceServiceGrpc;
import dev.stackgan.proto.inference.ModelInferRequest;
import dev.stackgan.proto.inference.ModelInferResponse;
import dev.stackgan.proto.inference.ModelMetadataRequest;
import dev.stackgan.proto.inference.ModelMetadataResponse;
import dev.stackgan.proto.inference.ModelReadyRequest;
import dev.stackgan.proto.inference.ModelReadyResponse;
import dev.stackgan.proto.inference.ServerLiveRequest;
import dev.stackgan.proto.inference.ServerLiveResponse;
import dev.stackgan.proto.inference.ServerMetadataRequest;
import dev.stackgan.proto.inference.ServerMetadataResponse;
import dev.stackgan.proto.inference.ServerReadyRequest;
import dev.stackgan.proto.inference.ServerReadyResponse;
import dev.stackgan.serving.Inference;
import dev.stackgan.serving.oip.OpenInference;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;
import java.util.function.Supplier;

/** inference.GRPCInferenceService, the Open Inference Protocol over gRPC, of a model service. */
@Singleton
@Requires(beans = ServedGraph.class)
public class OpenInferenceEndpoint extends GRPCInferenceServiceGrpc.GRPCInferenceServiceImplBase {

    private final OpenInference inference;

    public OpenInferenceEndpoint(OpenInference inference) {
        this.inference = inference;
    }

    @Override
    public void serverLive(ServerLiveRequest request, StreamObserver<ServerLiveResponse> observer) {
        answer(observer, () -> ServerLiveResponse.newBuilder().setLive(true).build());
    }

    @Override
    public void serverReady(ServerReadyRequest request, StreamObserver<ServerReadyResponse> observer) {
        answer(observer, () -> ServerReadyResponse.newBuilder().setReady(inference.serverReady()).build());
    }

    @Override
    public void modelReady(ModelReadyRequest request, StreamObserver<ModelReadyResponse> observer) {
        answer(observer, () -> ModelReadyResponse.newBuilder()
                .setReady(inference.modelReady(request.getName(), request.getVersion())).build());
    }

    @Override
    public void serverMetadata(ServerMetadataRequest request, StreamObserver<ServerMetadataResponse> observer) {
        answer(observer, inference::serverMetadata);
    }

    @Override
    public void modelMetadata(ModelMetadataRequest request, StreamObserver<ModelMetadataResponse> observer) {
        answer(observer, () -> inference.modelMetadata(request.getName(), request.getVersion()));
    }

    @Override
    public void modelInfer(ModelInferRequest request, StreamObserver<ModelInferResponse> observer) {
        Inference.answer(inference.infer(request), observer);
    }

    private static <T> void answer(StreamObserver<T> observer, Supplier<T> answer) {
        T response;
        try {
            response = answer.get();
        } catch (StatusRuntimeException e) {
            observer.onError(e);
            return;
        }
        observer.onNext(response);
        observer.onCompleted();
    }
}
