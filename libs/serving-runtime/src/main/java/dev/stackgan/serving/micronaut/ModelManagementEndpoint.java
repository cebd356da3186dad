package dev.stackgan.serving.micronaut;

import dev.stackgan.proto.v1.GetModelInfoRequest;
import dev.stackgan.proto.v1.ModelInfo;
import dev.stackgan.proto.v1.ModelManagementServiceGrpc;
import dev.stackgan.proto.v1.ReloadModelRequest;
import dev.stackgan.serving.BatchingPolicy;
import dev.stackgan.serving.ModelInfos;
import dev.stackgan.serving.ModelRepository;
import io.grpc.stub.StreamObserver;
import jakarta.inject.Singleton;

/** stackgan.v1.ModelManagementService of a model service: what it serves, and reload on demand. */
@Singleton
public class ModelManagementEndpoint extends ModelManagementServiceGrpc.ModelManagementServiceImplBase {

    private final ModelRepository repository;
    private final BatchingPolicy batching;
    private final ServedGraph served;

    public ModelManagementEndpoint(ModelRepository repository, BatchingPolicy batching, ServedGraph served) {
        this.repository = repository;
        this.batching = batching;
        this.served = served;
    }

    @Override
    public void getModelInfo(GetModelInfoRequest request, StreamObserver<ModelInfo> observer) {
        observer.onNext(ModelInfos.of(served.serviceName(), repository, batching));
        observer.onCompleted();
    }

    @Override
    public void reloadModel(ReloadModelRequest request, StreamObserver<ModelInfo> observer) {
        repository.reload();
        observer.onNext(ModelInfos.of(served.serviceName(), repository, batching));
        observer.onCompleted();
    }
}
