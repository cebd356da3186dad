package dev.stackgan.gateway;

import dev.stackgan.proto.v1.GatewayServiceGrpc;
import dev.stackgan.proto.v1.GenerateRequest;
import dev.stackgan.proto.v1.Stage;
import dev.stackgan.security.AccessPolicy;
import dev.stackgan.security.BearerToken;
import dev.stackgan.serving.Errors;
import dev.stackgan.serving.micronaut.SelfWarmUp;
import dev.stackgan.serving.micronaut.ServingConfiguration;
import dev.stackgan.serving.warmup.WarmUp;
import dev.stackgan.serving.warmup.WarmUpCalls;
import io.grpc.ClientInterceptor;
import io.grpc.Deadline;
import io.grpc.stub.MetadataUtils;
import io.micronaut.grpc.server.GrpcEmbeddedServer;
import io.micronaut.health.HealthStatus;
import io.micronaut.runtime.event.annotation.EventListener;
import io.micronaut.runtime.server.event.ServerStartupEvent;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * Warms the gateway up before its gRPC health turns SERVING and its readiness UP, as the model services warm up:
 * once its gRPC and HTTP servers listen and the three stages serve a common version ({@link StagesReadiness}), it
 * sends itself a gRPC Generate and an HTTP GET /v1/images.png of one 256 px image at a time over loopback, until their
 * latency settles or {@code stackgan.serving.warm-up.time-limit} passes. Both APIs: they share the chain and the PNG
 * encoder, but each has its own server, codec and filters that the JIT compiles on first use (a fresh gateway's first
 * request took 41x the warm median, docs/benchmarks.md section 7). The calls carry the warm-up mark
 * ({@link WarmUpCalls}: not counted as requests, not rate limited, access lines at INFO with the request id
 * {@code warm-up}) and the gateway's own token.
 */
@Singleton
public class GatewayWarmUp extends SelfWarmUp {

    private static final Logger LOG = LoggerFactory.getLogger(GatewayWarmUp.class);
    /** How often the stages are asked while they are not ready: before that no request can succeed. */
    private static final Duration STAGES_POLL = Duration.ofMillis(500);
    /** A caption of common words, as users write them; a fixed seed, since only the path matters. */
    static final String PROMPT = "a small bird with a red crown, black wings and a white belly";

    private final StagesReadiness stages;
    private final String token;
    private volatile int grpcPort = -1;
    private volatile URI http;
    private volatile boolean waitingForStages;
    /** The last HTTP GET's connection and its body, read but left open until the next GET or a reconnect. */
    private HttpURLConnection httpConnection;
    private InputStream httpBody;

    public GatewayWarmUp(ServingConfiguration config, StagesReadiness stages, GatewayMetrics metrics,
                         AccessPolicy access) {
        super(config.getWarmUp(), "the gateway", LOG, metrics::warmUpRequestAnswered);
        this.stages = stages;
        this.token = access.selfToken().orElse(null);
    }

    @EventListener
    void serverStarted(ServerStartupEvent event) {
        if (event.getSource() instanceof GrpcEmbeddedServer grpc) {
            grpcPort = grpc.getPort();
        } else {
            http = event.getSource().getURI();
        }
        if (grpcPort >= 0 && http != null) {
            start(grpcPort);
        }
    }

    /** Whether the warm-up waits for the stages to serve a common version (readiness says so). */
    public boolean waitingForStages() {
        return waitingForStages;
    }

    @Override
    protected WarmUp.Result warmUp() throws InterruptedException {
        awaitStages();
        ClientInterceptor mark = MetadataUtils.newAttachHeadersInterceptor(WarmUpCalls.headers());
        ClientInterceptor[] calls = token == null ? new ClientInterceptor[] {mark}
                : new ClientInterceptor[] {mark, BearerToken.attach(token)};
        GenerateRequest generate = GenerateRequest.newBuilder().setPrompt(PROMPT).setNumImages(1).setSeed(1)
                .setFinalStage(Stage.STAGE_2).build();
        URI png = http.resolve("/v1/images.png?seed=1&prompt=" + URLEncoder.encode(PROMPT, StandardCharsets.UTF_8));
        return WarmUp.run(settings, deadline -> {
            GatewayServiceGrpc.newBlockingStub(loopback()).withInterceptors(calls).withDeadline(deadline)
                    .generate(generate);
            get(png, deadline);
        }, this::answered);
    }

    /** Closes the HTTP connection of the last GET, as the warm-up's gRPC channel is closed. */
    @Override
    protected void closeOtherConnections() {
        if (httpConnection != null) {
            // with the body still open this closes the socket; after close() it would stay in the keep-alive cache
            httpConnection.disconnect();
            httpConnection = null;
            httpBody = null;
        }
    }

    private void awaitStages() throws InterruptedException {
        waitingForStages = true;
        try {
            while (!closing() && !HealthStatus.UP.equals(Mono.from(stages.getResult()).block().getStatus())) {
                Thread.sleep(STAGES_POLL.toMillis());
            }
        } finally {
            waitingForStages = false;
        }
    }

    /**
     * GETs {@code uri} over the connection of the GET before (kept alive), or a new one after
     * {@link #closeOtherConnections()}. HttpURLConnection rather than Java 17's HttpClient, which cannot close a
     * connection when asked: the server would see the warm-up's connections close whenever the garbage collector got
     * to their clients, after ready.
     */
    private void get(URI uri, Deadline deadline) {
        String what = "GET /v1/images.png";
        try {
            if (httpBody != null) {
                httpBody.close(); // hands the connection back for this GET to reuse
            }
            HttpURLConnection connection = (HttpURLConnection) uri.toURL().openConnection();
            int timeoutMillis = (int) Math.max(1, deadline.timeRemaining(TimeUnit.MILLISECONDS));
            connection.setConnectTimeout(timeoutMillis);
            connection.setReadTimeout(timeoutMillis);
            WarmUpCalls.httpHeaders().forEach(connection::setRequestProperty);
            if (token != null) {
                connection.setRequestProperty(BearerToken.HEADER, BearerToken.header(token));
            }
            int status = connection.getResponseCode();
            InputStream body = status == 200 ? connection.getInputStream() : connection.getErrorStream();
            byte[] bytes = body == null ? new byte[0] : body.readAllBytes();
            httpConnection = connection;
            httpBody = body;
            if (status != 200) {
                throw new IllegalStateException(what + " answered " + status + ": "
                        + Errors.excerpt(new String(bytes, StandardCharsets.UTF_8)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(what + ": " + e, e);
        }
    }

    @PreDestroy
    void stop() {
        close();
    }
}
