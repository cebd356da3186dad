package dev.stackgan.gateway;

import dev.stackgan.proto.v1.ModelInfo;
import dev.stackgan.proto.v1.ModelManagementServiceGrpc;
import dev.stackgan.proto.v1.ReloadModelRequest;
import dev.stackgan.serving.ModelRepository;
import dev.stackgan.serving.testing.GrpcClients;
import dev.stackgan.serving.testing.TinyBundles;
import dev.stackgan.stage1.Stage1Application;
import dev.stackgan.stage2.Stage2Application;
import dev.stackgan.textencoder.TextEncoderApplication;
import io.grpc.ManagedChannel;
import io.micronaut.context.ApplicationContext;
import io.micronaut.grpc.server.GrpcEmbeddedServer;
import io.micronaut.runtime.server.EmbeddedServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The four serving applications started for real in this JVM on free ports: text encoder, Stage-I and Stage-II
 * over one model repository (one replica each, or several behind a static:/// target), and the gateway pointed at
 * them. Each runs in its own ApplicationContext and sees only
 * its own module's beans and configuration ({@link ModuleClassLoader}). Repository polling is off: {@link #promote}
 * reloads through the gateway's ModelManagementService, so nothing depends on timing.
 */
final class ServingStack implements AutoCloseable {

    static final String TEXT_ENCODER = "text-encoder";
    static final String STAGE1 = "stage1";
    static final String STAGE2 = "stage2";

    private static final Map<String, Class<?>> SERVICES = Map.of(TEXT_ENCODER, TextEncoderApplication.class,
            STAGE1, Stage1Application.class, STAGE2, Stage2Application.class);

    private final Path repository;
    /** Replicas of each model service in start order; a killed replica's place stays, null. */
    private final Map<String, List<ApplicationContext>> services = new LinkedHashMap<>();
    private final Map<String, List<Integer>> ports = new HashMap<>();
    /** With several replicas, the gateway reaches each through one of these, so that a replica can crash. */
    private final Map<String, List<TcpForwarder>> forwarders = new HashMap<>();
    private final Map<String, URI> serviceHttp = new HashMap<>();
    private final ApplicationContext gateway;
    private final URI http;
    private final ManagedChannel channel;

    ServingStack(Path repository, Map<String, Object> gatewayProperties) {
        this(repository, gatewayProperties, Map.of());
    }

    /**
     * @param gatewayProperties overrides of the gateway's configuration
     * @param serviceProperties overrides of a model service's configuration, by service name
     */
    ServingStack(Path repository, Map<String, Object> gatewayProperties,
                 Map<String, Map<String, Object>> serviceProperties) {
        this(repository, gatewayProperties, serviceProperties, 1);
    }

    /** @param replicas replicas of each model service, on ports of their own */
    ServingStack(Path repository, Map<String, Object> gatewayProperties,
                 Map<String, Map<String, Object>> serviceProperties, int replicas) {
        this.repository = repository;
        Map<String, Object> gatewayConfig = new HashMap<>();
        // free ports: -1 for Micronaut HTTP, 0 for gRPC (the OS picks)
        gatewayConfig.put("micronaut.server.port", -1);
        gatewayConfig.put("grpc.server.port", 0);
        // SERVING at once, as before any stage is up (GatewayWarmUpTest checks the warm-up)
        gatewayConfig.put("stackgan.serving.warm-up.enabled", false);
        for (String name : List.of(TEXT_ENCODER, STAGE1, STAGE2)) {
            List<ApplicationContext> contexts = new ArrayList<>();
            List<Integer> grpcPorts = new ArrayList<>();
            for (int replica = 0; replica < replicas; replica++) {
                EmbeddedServer service = startService(name, serviceProperties.getOrDefault(name, Map.of()));
                contexts.add(service.getApplicationContext());
                grpcPorts.add(service.getApplicationContext().getBean(GrpcEmbeddedServer.class).getPort());
                serviceHttp.putIfAbsent(name, service.getURI());
            }
            services.put(name, contexts);
            ports.put(name, List.copyOf(grpcPorts));
            if (replicas == 1) {
                gatewayConfig.put("stackgan.gateway." + name + "-target", "dns:///localhost:" + grpcPorts.get(0));
            } else {
                List<TcpForwarder> forwarded = new ArrayList<>();
                for (int port : grpcPorts) {
                    forwarded.add(new TcpForwarder(port));
                }
                forwarders.put(name, forwarded);
                gatewayConfig.put("stackgan.gateway." + name + "-target", "static:///" + String.join(",",
                        forwarded.stream().map(forwarder -> "localhost:" + forwarder.port()).toList()));
            }
        }
        gatewayConfig.putAll(gatewayProperties);
        EmbeddedServer server = ApplicationContext.builder()
                .classLoader(new ModuleClassLoader(getClass().getClassLoader(), List.copyOf(SERVICES.values())))
                .properties(gatewayConfig)
                .environments("test")
                .run(EmbeddedServer.class);
        this.gateway = server.getApplicationContext();
        this.http = server.getURI();
        this.channel = GrpcClients.channel(gateway.getBean(GrpcEmbeddedServer.class).getPort());
    }

    /** Starts a model service as its main does: the HTTP server (health, metrics, /v2) and with it the gRPC one. */
    private EmbeddedServer startService(String name, Map<String, Object> overrides) {
        List<Class<?>> hidden = new ArrayList<>(SERVICES.values());
        hidden.remove(SERVICES.get(name));
        hidden.add(GatewayApplication.class);
        Map<String, Object> properties = new HashMap<>(Map.of(
                "grpc.server.port", 0,
                "micronaut.server.port", -1,
                "stackgan.serving.model-repository", repository.toString(),
                // tests promote tiny bundles and check what happens before any is loaded: no shipped default
                "stackgan.serving.default-bundle", false,
                "stackgan.serving.poll-interval", "1h",
                "stackgan.serving.intra-op-threads", 1,
                // SERVING as soon as a bundle loads (the model services' tests check the warm-up)
                "stackgan.serving.warm-up.enabled", false));
        properties.putAll(overrides);
        return ApplicationContext.builder()
                .classLoader(new ModuleClassLoader(getClass().getClassLoader(), hidden))
                .properties(properties)
                .environments("test")
                .run(EmbeddedServer.class);
    }

    /** Installs {@link TinyBundles#V1} into {@code repository} and points CURRENT at it, for a stack to serve. */
    static void promotedV1(Path repository) throws IOException {
        TinyBundles.export(repository, TinyBundles.V1, 1);
        Files.writeString(repository.resolve(ModelRepository.POINTER), TinyBundles.V1 + "\n");
    }

    URI http() {
        return http;
    }

    /** A channel to the gateway's gRPC port. */
    ManagedChannel channel() {
        return channel;
    }

    <T> T gatewayBean(Class<T> type) {
        return gateway.getBean(type);
    }

    /** A model service's gRPC port (its first replica's). */
    int servicePort(String service) {
        return servicePort(service, 0);
    }

    int servicePort(String service, int replica) {
        return ports.get(service).get(replica);
    }

    /** A model service's HTTP address (its first replica's: health, /prometheus, the Open Inference Protocol's /v2). */
    URI serviceHttp(String service) {
        return serviceHttp.get(service);
    }

    /** A bean of a running model service (its first replica), e.g. its DynamicBatcher to count the runs it made. */
    <T> T serviceBean(String service, Class<T> type) {
        return serviceBean(service, 0, type);
    }

    <T> T serviceBean(String service, int replica, Class<T> type) {
        return services.get(service).get(replica).getBean(type);
    }

    /** Points CURRENT at {@code bundleId} and reloads every service through the gateway (stages first). */
    ModelInfo promote(String bundleId) {
        writePointer(bundleId);
        return ModelManagementServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS)
                .reloadModel(ReloadModelRequest.getDefaultInstance());
    }

    /** Points CURRENT at {@code bundleId} and reloads only {@code service}: as if its poller came first. */
    ModelInfo promoteIn(String service, String bundleId) throws InterruptedException {
        writePointer(bundleId);
        return reload(service, 0);
    }

    /** Reloads one replica from the repository's CURRENT, as its own poller would. */
    ModelInfo reload(String service, int replica) throws InterruptedException {
        ManagedChannel direct = GrpcClients.channel(servicePort(service, replica));
        try {
            return ModelManagementServiceGrpc.newBlockingStub(direct).withDeadlineAfter(60, TimeUnit.SECONDS)
                    .reloadModel(ReloadModelRequest.getDefaultInstance());
        } finally {
            direct.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private void writePointer(String bundleId) {
        try {
            ModelRepository.promote(repository, bundleId);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops one model service (every replica of it) while the gateway keeps running. */
    void stop(String service) {
        services.remove(service).stream().filter(Objects::nonNull).forEach(ApplicationContext::close);
    }

    /**
     * Kills one replica of a stack started with several, as a crash would: its connections to the gateway are reset
     * with nothing said and nothing listens at its address any more; then the application itself stops.
     */
    void kill(String service, int replica) {
        forwarders.get(service).get(replica).crash();
        services.get(service).set(replica, null).close();
    }

    @Override
    public void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        gateway.close();
        for (TcpForwarder forwarder : forwarders.values().stream().flatMap(List::stream).toList()) {
            forwarder.close();
        }
        services.values().stream().flatMap(List::stream).filter(Objects::nonNull).forEach(ApplicationContext::close);
    }
}
