package dev.stackgan.serving.testing;

import dev.stackgan.proto.v1.GetModelInfoRequest;
import dev.stackgan.proto.v1.ModelInfo;
import dev.stackgan.proto.v1.ModelManagementServiceGrpc;
import dev.stackgan.proto.v1.ReloadModelRequest;
import dev.stackgan.serving.ModelRepository;
import io.grpc.ManagedChannel;
import io.grpc.stub.AbstractBlockingStub;
import io.micronaut.context.ApplicationContext;
import io.micronaut.grpc.server.GrpcEmbeddedServer;
import io.micronaut.runtime.server.EmbeddedServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A model service application started for real (Micronaut, gRPC and its HTTP health port on free ports, ONNX
 * Runtime) over a model repository directory, with a channel to it. The poller is effectively off: tests promote and then reload through
 * the ModelManagementService API, so nothing depends on timing.
 */
public final class ServiceHarness implements AutoCloseable {

    private final Path repository;
    private final ApplicationContext context;
    private final ManagedChannel channel;
    private final URI http;

    public ServiceHarness(Path repository, Map<String, Object> overrides) {
        this.repository = repository;
        Map<String, Object> properties = new HashMap<>();
        properties.put("stackgan.serving.model-repository", repository.toString());
        // the tests promote tiny bundles into an empty repository and check NOT_SERVING before: no shipped default
        properties.put("stackgan.serving.default-bundle", false);
        properties.put("stackgan.serving.poll-interval", "1h");
        properties.put("stackgan.serving.intra-op-threads", 1);
        // SERVING as soon as a bundle loads, as the tests expect; WarmUpContract turns the warm-up on
        properties.put("stackgan.serving.warm-up.enabled", false);
        // ports the servers bind themselves (0: the OS picks, -1: Micronaut picks and retries): picking a free port
        // first and binding it later raced with the HTTP server's own pick and with other processes
        properties.put("grpc.server.port", 0);
        properties.put("micronaut.server.port", -1);
        properties.putAll(overrides);
        // the HTTP server is the primary one; starting it starts the gRPC server too, as Micronaut.run does
        EmbeddedServer server = ApplicationContext.run(EmbeddedServer.class, properties, "test");
        this.context = server.getApplicationContext();
        this.http = server.getURI();
        this.channel = GrpcClients.channel(context.getBean(GrpcEmbeddedServer.class).getPort());
    }

    /**
     * The service over {@code repository} holding {@link TinyBundles#V1} (current) and {@link TinyBundles#V2}
     * (loaded, previous), accepting batches of up to {@code maxBatchSize}.
     */
    public static ServiceHarness servingTwoVersions(Path repository, int maxBatchSize) {
        TinyBundles.exportVersions(repository);
        ServiceHarness service = new ServiceHarness(repository,
                Map.of("stackgan.serving.batching.max-batch-size", maxBatchSize));
        service.promote(TinyBundles.V2);
        service.promote(TinyBundles.V1);
        return service;
    }

    /** A blocking stub with a generous deadline (tests must never hang). */
    public <S extends AbstractBlockingStub<S>> S blocking(Function<ManagedChannel, S> newStub) {
        return newStub.apply(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
    }

    public ManagedChannel channel() {
        return channel;
    }

    /** The HTTP health port's base address. */
    public URI http() {
        return http;
    }

    public <T> T bean(Class<T> type) {
        return context.getBean(type);
    }

    /** Points CURRENT at {@code bundleId} and has the service load it now (the previous one stays loaded). */
    public ModelInfo promote(String bundleId) {
        try {
            ModelRepository.promote(repository, bundleId);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return ModelManagementServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS)
                .reloadModel(ReloadModelRequest.getDefaultInstance());
    }

    public ModelInfo modelInfo() {
        return ModelManagementServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                .getModelInfo(GetModelInfoRequest.getDefaultInstance());
    }

    @Override
    public void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        context.close();
    }
}
