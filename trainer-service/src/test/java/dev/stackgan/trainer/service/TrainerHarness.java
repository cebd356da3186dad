package dev.stackgan.trainer.service;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.stackgan.proto.v1.Run;
import dev.stackgan.proto.v1.RunProgress;
import dev.stackgan.proto.v1.RunStatus;
import dev.stackgan.proto.v1.TrainerServiceGrpc;
import dev.stackgan.trainer.cli.TrainerCommand;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.micronaut.grpc.server.GrpcEmbeddedServer;
import io.micronaut.runtime.server.EmbeddedServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The trainer started for real (Micronaut, Flyway, gRPC on a free port) over a throwaway database and a work dir. */
final class TrainerHarness implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    final GrpcEmbeddedServer server;
    final TrainerClient client;
    final Path work;

    TrainerHarness(String jdbcUrl, Path work, Map<String, Object> overrides) {
        this(jdbcUrl, work, overrides, null);
    }

    /** @param clientToken the management token {@link #client} sends, or null for none */
    TrainerHarness(String jdbcUrl, Path work, Map<String, Object> overrides, String clientToken) {
        this.work = work;
        this.server = TrainerApplication.start(new String[0], properties(jdbcUrl, work, freePort(), overrides));
        try {
            this.client = TrainerClient.connect("127.0.0.1:" + server.getPort(), Duration.ofSeconds(30),
                    clientToken);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The properties of a trainer over {@code work}: data/, runs/, bundles/ and models/ inside it. */
    static Map<String, Object> properties(String jdbcUrl, Path work, int port, Map<String, Object> overrides) {
        Map<String, Object> p = new HashMap<>();
        p.put("datasources.default.url", jdbcUrl);
        p.put("datasources.default.username", TestDatabase.USER);
        p.put("grpc.server.port", port);
        p.put("micronaut.server.port", -1);
        p.put("stackgan.trainer.data-root", work.resolve("data").toString());
        p.put("stackgan.trainer.runs-directory", work.resolve("runs").toString());
        p.put("stackgan.trainer.bundles-directory", work.resolve("bundles").toString());
        p.put("stackgan.trainer.model-repository", work.resolve("models").toString());
        p.put("stackgan.trainer.database-retry-interval", "200ms");
        // a killed worker's run is taken over within seconds, not the production 30 s
        p.put("stackgan.trainer.lease-duration", "3s");
        p.put("stackgan.trainer.poll-interval", "200ms");
        p.putAll(overrides);
        return p;
    }

    /**
     * A trainer in its own JVM on the test classpath over {@code work} (as {@link #properties}), logging to
     * {@code work/<name>.log}: a process a test can kill with SIGKILL.
     */
    static Process startProcess(TestDatabase database, Path work, int port, String name,
                                Map<String, Object> overrides) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add("-Dai.djl.offline=true");
        command.add("-Dai.djl.default_engine=PyTorch");
        for (Map.Entry<String, Object> p : properties(database.url(), work, port, overrides).entrySet()) {
            command.add("-D" + p.getKey() + "=" + p.getValue());
        }
        command.add(TrainerCommand.class.getName());
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(work.resolve(name + ".log").toFile()).start();
    }

    /**
     * A client of a trainer started by {@link #startProcess}, once it answers; fails with the process's log when
     * the process exits first or does not answer within 3 minutes (JVM and Micronaut start-up on a busy machine).
     */
    static TrainerClient connect(Process process, Path work, String name, int port) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (process.isAlive() && System.nanoTime() < deadline) {
            try {
                return TrainerClient.connect("127.0.0.1:" + port, Duration.ofSeconds(5));
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() != Status.Code.UNAVAILABLE) {
                    throw e;
                }
            }
        }
        throw new AssertionError("trainer " + name + (process.isAlive() ? " did not answer within 3 minutes"
                : " exited with " + process.exitValue()) + "; its log:\n"
                + Files.readString(work.resolve(name + ".log")));
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The HTTP port's base address: health and metrics. */
    URI http() {
        return bean(EmbeddedServer.class).getURI();
    }

    /** GET {@code path} on the HTTP port, as a probe would: status and body. */
    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(http().resolve(path)).timeout(Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** POST {@code path} without a body on the HTTP port (the dashboard's actions): status and body. */
    HttpResponse<String> post(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(http().resolve(path)).timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Creates a run from a spec file's JSON, waits for it to end SUCCEEDED, and answers its record. */
    Run trainToEnd(String spec) {
        Run run = client.create(spec);
        RunProgress end = client.watch(run.getId(), p -> { });
        assertEquals(RunStatus.RUN_STATUS_SUCCEEDED, end.getStatus(), end.getError());
        return client.get(run.getId());
    }

    TrainerServiceGrpc.TrainerServiceBlockingStub stub() {
        return client.stub();
    }

    <T> T bean(Class<T> type) {
        return server.getApplicationContext().getBean(type);
    }

    @Override
    public void close() throws InterruptedException {
        client.close();
        server.getApplicationContext().close();
    }
}
