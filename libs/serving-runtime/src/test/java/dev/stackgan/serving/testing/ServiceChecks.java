package dev.stackgan.serving.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.util.concurrent.ListenableFuture;
import dev.stackgan.bundle.graph.ModelGraphs;
import dev.stackgan.proto.inference.GRPCInferenceServiceGrpc;
import dev.stackgan.proto.inference.ModelInferRequest;
import dev.stackgan.proto.inference.ServerLiveRequest;
import dev.stackgan.proto.inference.ServerReadyRequest;
import dev.stackgan.proto.v1.ExecutionProvider;
import dev.stackgan.proto.v1.ModelGraph;
import dev.stackgan.proto.v1.ModelInfo;
import dev.stackgan.proto.v1.ModelManagementServiceGrpc;
import dev.stackgan.serving.ModelInfos;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import org.junit.jupiter.api.function.Executable;

/** Checks every model service must pass, run against the real application by each service's tests. */
public final class ServiceChecks {

    private ServiceChecks() {
    }

    /**
     * Over an empty repository the service is NOT_SERVING (overall and by name) and says so in its model info;
     * after a bundle is promoted it is SERVING and names its graph; reflection lists the service, model management
     * and health under their full names. Over HTTP the process is live throughout, and readiness answers 503 saying
     * what is missing before the promotion and 200 naming the version after. The Open Inference Protocol follows
     * the same model: its health status, ServerReady and /v2/health/ready, and ModelInfer is UNAVAILABLE before;
     * reflection lists inference.GRPCInferenceService.
     */
    public static void assertHealthFollowsModelAndReflectionListsServices(Path emptyRepository, String serviceName,
                                                                          ModelGraph graph) throws Exception {
        try (ServiceHarness service = new ServiceHarness(emptyRepository, Map.of())) {
            assertEquals(ServingStatus.NOT_SERVING, GrpcClients.health(service.channel(), ""));
            assertEquals(ServingStatus.NOT_SERVING, GrpcClients.health(service.channel(), serviceName));
            assertEquals(ServingStatus.NOT_SERVING,
                    GrpcClients.health(service.channel(), GRPCInferenceServiceGrpc.SERVICE_NAME));
            assertFalse(InferenceClient.stub(service.channel())
                    .serverReady(ServerReadyRequest.getDefaultInstance()).getReady());
            assertTrue(InferenceClient.stub(service.channel())
                    .serverLive(ServerLiveRequest.getDefaultInstance()).getLive());
            assertEquals(503, HttpHealth.get(service.http(), "/v2/health/ready").status());
            assertEquals(200, HttpHealth.get(service.http(), "/v2/health/live").status());
            String model = graphName(graph);
            assertStatus(Status.Code.UNAVAILABLE, "model '" + model + "' is not ready: no bundle is loaded yet",
                    () -> InferenceClient.stub(service.channel())
                            .modelInfer(ModelInferRequest.newBuilder().setModelName(model).build()));
            ModelInfo before = service.modelInfo();
            assertFalse(before.getReady());
            assertEquals(serviceName, before.getService());
            assertEquals(graph, before.getGraph());
            assertEquals(ExecutionProvider.EXECUTION_PROVIDER_UNSPECIFIED, before.getExecutionProvider(),
                    "nothing runs yet");
            assertEquals(200, HttpHealth.get(service.http(), "/health/liveness").status());
            HttpHealth.Reply notReady = HttpHealth.get(service.http(), "/health/readiness");
            assertEquals(503, notReady.status(), notReady.body().toString());
            assertEquals("DOWN", notReady.body().path("status").asText());
            assertTrue(notReady.body().path("details").path("model").path("details").path("missing").asText()
                    .contains("no bundle is loaded"), notReady.body().toString());

            TinyBundles.export(emptyRepository, "first", 3);
            ModelInfo after = service.promote("first");
            assertTrue(after.getReady());
            assertEquals("first", after.getCurrentVersion());
            assertEquals(ExecutionProvider.EXECUTION_PROVIDER_CPU, after.getExecutionProvider(),
                    "auto falls back to CPU on a host without CUDA");
            assertEquals(16, after.getDimensions().getStage1ImageSize());
            assertEquals(List.of("first"), after.getLoadedVersionsList());
            assertEquals(ServingStatus.SERVING, GrpcClients.health(service.channel(), ""));
            assertEquals(ServingStatus.SERVING, GrpcClients.health(service.channel(), serviceName));
            assertEquals(ServingStatus.SERVING,
                    GrpcClients.health(service.channel(), GRPCInferenceServiceGrpc.SERVICE_NAME));
            assertTrue(InferenceClient.stub(service.channel())
                    .serverReady(ServerReadyRequest.getDefaultInstance()).getReady());
            assertEquals(200, HttpHealth.get(service.http(), "/v2/health/ready").status());
            HttpHealth.Reply ready = HttpHealth.get(service.http(), "/health/readiness");
            assertEquals(200, ready.status(), ready.body().toString());
            assertEquals("first", ready.body().path("details").path("model").path("details")
                    .path("current_version").asText(), ready.body().toString());
            assertEquals(200, HttpHealth.get(service.http(), "/health/liveness").status());

            List<String> services = GrpcClients.listServices(service.channel());
            assertTrue(services.containsAll(List.of(serviceName, "stackgan.v1.ModelManagementService",
                    HealthGrpc.SERVICE_NAME, "inference.GRPCInferenceService")), services.toString());
            assertEquals("stackgan.v1.ModelManagementService", ModelManagementServiceGrpc.SERVICE_NAME);
        }
    }

    /** The bundle's name of a graph: the Open Inference Protocol's model name. */
    private static String graphName(ModelGraph graph) {
        return ModelGraphs.ALL.stream().filter(name -> ModelInfos.graph(name) == graph).findFirst().orElseThrow();
    }

    /**
     * With room for one waiting request and a long batching delay: a second concurrent request is refused with
     * RESOURCE_EXHAUSTED, and a request whose deadline passes while it waits gets DEADLINE_EXCEEDED.
     * {@code call} sends one valid request with the given deadline in milliseconds.
     */
    public static void assertQueueOverflowAndDeadline(Path repository,
                                                      BiFunction<ServiceHarness, Long, ListenableFuture<?>> call)
            throws Exception {
        // the first request must sit in the queue for the second to find it full, even on an idle service
        Map<String, Object> tightQueue = Map.of("stackgan.serving.batching.max-queue-size", 1,
                "stackgan.serving.batching.max-queue-delay", "1500ms",
                "stackgan.serving.batching.wait-when-idle", true);
        try (ServiceHarness service = new ServiceHarness(repository, tightQueue)) {
            service.promote(TinyBundles.V1);
            ListenableFuture<?> waiting = call.apply(service, 30_000L);
            Thread.sleep(300); // the first request is queued before the second arrives
            assertStatus(Status.Code.RESOURCE_EXHAUSTED, "batching.max-queue-size 1",
                    () -> call.apply(service, 30_000L).get(30, TimeUnit.SECONDS));
            waiting.get(30, TimeUnit.SECONDS);
            assertStatus(Status.Code.DEADLINE_EXCEEDED, "",
                    () -> call.apply(service, 200L).get(30, TimeUnit.SECONDS));
        }
    }

    /**
     * End to end over gRPC: while two clients keep calling, {@link TinyBundles#V2} is promoted; no call fails and
     * every call started after the swap reports V2. Then a corrupt bundle is promoted: it is refused, V2 keeps
     * serving and the model info says why. {@code call} sends one valid request and returns its model_version.
     */
    public static void assertHotSwapUnderLoadAndCorruptBundleRefused(Path repository,
                                                                     Function<ServiceHarness, String> call)
            throws Exception {
        TinyBundles.exportVersions(repository);
        try (ServiceHarness service = new ServiceHarness(repository, Map.of())) {
            service.promote(TinyBundles.V1);
            AtomicBoolean swapped = new AtomicBoolean();
            Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
            Queue<String> versionsAfterSwap = new ConcurrentLinkedQueue<>();
            Queue<String> versionsBefore = new ConcurrentLinkedQueue<>();
            Runnable client = () -> {
                int afterSwap = 0;
                while (afterSwap < 5 && failures.isEmpty()) {
                    boolean startedAfterSwap = swapped.get();
                    try {
                        String version = call.apply(service);
                        (startedAfterSwap ? versionsAfterSwap : versionsBefore).add(version);
                    } catch (RuntimeException e) {
                        failures.add(e);
                    }
                    afterSwap += startedAfterSwap ? 1 : 0;
                }
            };
            CompletableFuture<Void> clients = CompletableFuture.allOf(CompletableFuture.runAsync(client),
                    CompletableFuture.runAsync(client));
            Thread.sleep(200);
            assertEquals(TinyBundles.V2, service.promote(TinyBundles.V2).getCurrentVersion());
            swapped.set(true);
            clients.get(60, TimeUnit.SECONDS);
            assertTrue(failures.isEmpty(), "failed calls: " + failures);
            assertTrue(versionsBefore.contains(TinyBundles.V1), versionsBefore.toString());
            assertEquals(Set.of(TinyBundles.V2), Set.copyOf(versionsAfterSwap));

            TinyBundles.corrupt(TinyBundles.export(repository, "tiny-broken", 3));
            ModelInfo refused = service.promote("tiny-broken");
            assertEquals(TinyBundles.V2, refused.getCurrentVersion());
            assertEquals("tiny-broken", refused.getLastLoadErrorVersion());
            assertTrue(refused.getLastLoadError().contains("sha256 mismatch"), refused.getLastLoadError());
            assertEquals(TinyBundles.V2, call.apply(service));
        }
    }

    /**
     * A model_version that is no bundle id is INVALID_ARGUMENT naming the rule, and a 10,000-character one is
     * echoed only in part (the whole value overflowed the gRPC trailer: RST_STREAM); the longest valid id passes
     * the check (and is not loaded). {@code call} sends one valid request pinned to the given version.
     */
    public static void assertModelVersionMustBeABundleId(Consumer<String> call) {
        String message = assertStatus(Status.Code.INVALID_ARGUMENT, "model_version 'vvv",
                () -> call.accept("v".repeat(10_000)));
        assertTrue(message.contains("10000 characters") && message.length() < 400, message);
        assertStatus(Status.Code.INVALID_ARGUMENT, "'../" + TinyBundles.V1 + "' is not a bundle id: 1 to 128 of",
                () -> call.accept("../" + TinyBundles.V1));
        assertStatus(Status.Code.FAILED_PRECONDITION, "is not loaded here", () -> call.accept("v".repeat(128)));
    }

    /** The call fails with {@code code} and a description containing {@code messagePart}; returns the description. */
    public static String assertStatus(Status.Code code, String messagePart, Executable call) {
        Throwable thrown = assertThrows(Throwable.class, call);
        Throwable cause = thrown instanceof ExecutionException ? thrown.getCause() : thrown;
        assertTrue(cause instanceof StatusRuntimeException, "expected a gRPC status, got " + cause);
        Status status = ((StatusRuntimeException) cause).getStatus();
        assertEquals(code, status.getCode(), String.valueOf(status.getDescription()));
        String description = String.valueOf(status.getDescription());
        assertTrue(description.contains(messagePart), "'" + description + "' should contain '" + messagePart + "'");
        return description;
    }
}
