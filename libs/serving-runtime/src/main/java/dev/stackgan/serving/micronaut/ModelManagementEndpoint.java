package dev.stackgan.serving.micronaut;

import dev.stackgan.proto.v1.GetModelInfoRequest;
import dev.stackgan.proto.v1.ModelInfo;
import dev.stackgan.proto.v1.ModelManagementServiceGrpc;
import dev.stackgan.proto.v1.ReloadModelRequest;
import dev.stackgan.serving.BatchingPolicy;
import dev.stackgan.serving.Inference;
import dev.stackgan.serving.ModelInfos;
import dev.stackgan.serving.ModelRepository;
import io.grpc.stub.StreamObserver;
import io.micronaut.scheduling.TaskExecutors;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.util.concurrent.Executor;

/** stackgan.v1.ModelManagementService of a model service: what it serves, and reload on demand. */
@Singleton
public class ModelManagementEndpoint extends ModelManagementServiceGrpc.ModelManagementServiceImplBase {

    private final ModelRepository repository;
    private final BatchingPolicy batching;
    private final ServedGraph served;
    private final Executor blocking;

    public ModelManagementEndpoint(ModelRepository repository, BatchingPolicy batching, ServedGraph served,
                                   @Named(TaskExecutors.IO) Executor blocking) {
        this.repository = repository;
        this.batching = batching;
        this.served = served;
        this.blocking = blocking;
    }

    @Override
    public void getModelInfo(GetModelInfoRequest request, StreamObserver<ModelInfo> observer) {
        observer.onNext(ModelInfos.of(served.serviceName(), repository, batching));
        observer.onCompleted();
    }

    @Override
    public void reloadModel(ReloadModelRequest request, StreamObserver<ModelInfo> observer) {
        // a reload loads a bundle (seconds): never on the transport thread that calls may run on
        blocking.execute(() -> {
            ModelInfo info;
            try {
                repository.reload();
                info = ModelInfos.of(served.serviceName(), repository, batching);
            } catch (RuntimeException e) {
                observer.onError(Inference.toStatus(e));
                return;
            }
            observer.onNext(info);
            observer.onCompleted();
        });
    }
}
