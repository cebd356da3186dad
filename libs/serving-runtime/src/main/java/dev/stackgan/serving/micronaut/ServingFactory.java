package dev.stackgan.serving.micronaut;

import dev.stackgan.serving.BatchingPolicy;
import dev.stackgan.serving.DefaultBundle;
import dev.stackgan.serving.DynamicBatcher;
import dev.stackgan.serving.ExecutionProvider;
import dev.stackgan.serving.Inference;
import dev.stackgan.serving.ModelRepository;
import dev.stackgan.serving.OrtRuntime;
import dev.stackgan.serving.oip.OpenInference;
import io.grpc.BindableService;
import io.grpc.protobuf.services.ProtoReflectionService;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Value;
import jakarta.inject.Named;
import jakarta.inject.Singleton;

/** The serving runtime as beans: one ONNX Runtime, the model repository and batcher of the served graph. */
@Factory
public class ServingFactory {

    @Singleton
    OrtRuntime ortRuntime(ServingConfiguration config) {
        // with one instance no batch ever starts beside another: no overlap session to load
        int overlapThreads = config.getBatching().getInstances() > 1 ? config.getOverlapIntraOpThreads() : 0;
        return new OrtRuntime(ExecutionProvider.parse(config.getExecutionProvider()), config.getIntraOpThreads(),
                overlapThreads, config.getInterOpThreads(), config.isAllowSpinning(),
                OrtRuntime.parseOptimizationLevel(config.getOptimizationLevel()));
    }

    @Singleton
    @Bean(preDestroy = "close")
    ModelRepository modelRepository(ServingConfiguration config, ServedGraph served, OrtRuntime runtime,
                                    ModelServiceMetrics metrics) {
        ModelRepository repository = new ModelRepository(config.getModelRepository(), served.graph(), runtime,
                config.getKeepVersions(), config.isDefaultBundle() ? DefaultBundle.shipped() : null);
        metrics.observe(repository);
        return repository;
    }

    @Singleton
    BatchingPolicy batchingPolicy(ServingConfiguration config) {
        ServingConfiguration.Batching batching = config.getBatching();
        return new BatchingPolicy(batching.getMaxBatchSize(), batching.getMaxQueueDelay(),
                batching.getMaxQueueSize(), batching.isWaitWhenIdle(), batching.getInstances());
    }

    @Singleton
    @Bean(preDestroy = "close")
    DynamicBatcher dynamicBatcher(BatchingPolicy policy, ServedGraph served, ModelServiceMetrics metrics) {
        DynamicBatcher batcher = new DynamicBatcher(policy, served.graph(), metrics);
        metrics.observe(batcher);
        return batcher;
    }

    @Singleton
    Inference inference(ModelRepository repository, DynamicBatcher batcher) {
        return new Inference(repository, batcher);
    }

    /** The Open Inference Protocol over the same repository and batching queue, named after the application. */
    @Singleton
    OpenInference openInference(ModelRepository repository, Inference inference,
                                @Value("${micronaut.application.name}") String applicationName) {
        return new OpenInference(repository, inference, applicationName);
    }

    /** Server reflection for grpcurl and other tools (v1, and v1alpha for tools that only speak that). */
    @Singleton
    @Named("reflection-v1")
    BindableService reflectionV1() {
        return ProtoReflectionServiceV1.newInstance();
    }

    @Singleton
    @Named("reflection-v1alpha")
    BindableService reflectionV1Alpha() {
        return ProtoReflectionService.newInstance();
    }
}
