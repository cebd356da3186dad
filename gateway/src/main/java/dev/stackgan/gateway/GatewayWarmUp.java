package dev.stackgan.gateway;

import dev.stackgan.proto.v1.GatewayServiceGrpc;
import dev.stackgan.proto.v1.GenerateRequest;
import dev.stackgan.proto.v1.Stage;
import dev.stackgan.security.AccessPolicy;
import dev.stackgan.security.BearerToken;
import dev.stackgan.serving.Errors;
import dev.stackgan.serving.requests.RequestIds;
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
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * Warms the gateway up before its gRPC health turns SERVING and its readiness UP, as the model services warm up:
 * once its gRPC and HTTP servers listen and the three stages serve a common version ({@link StagesReadiness}), it
 * sends itself requests of one 256 px image over loopback, until their latency settles or
 * {@code stackgan.serving.warm-up.time-limit} passes. Each warm-up request is one gRPC call and one HTTP call, and
 * both take in turn what users send: Generate and GenerateStream; GET /v1/images.png, POST /v1/images and the web
 * page's GET /v1/images/stream, with the headers of the clients that send them (curl, a browser, Java); captions of
 * other lengths and words; with a seed and without; with a request id and without. The JIT compiles what the warm-up
 * runs, shaped by what it saw: a header, an endpoint or an absent request id first met after ready threw compiled
 * code away during the first users' requests ({@code docs/operations.md}). The calls carry the warm-up mark
 * ({@link WarmUpCalls}: not counted as requests, not rate limited, access lines at INFO) and the gateway's own token.
 */
@Singleton
public class GatewayWarmUp extends SelfWarmUp {

    private static final Logger LOG = LoggerFactory.getLogger(GatewayWarmUp.class);
    /** How often the stages are asked while they are not ready: before that no request can succeed. */
    private static final Duration STAGES_POLL = Duration.ofMillis(500);
    /** Captions of common words and of several lengths, as users write them, taken in turn. */
    private static final List<String> PROMPTS = List.of(
            "a small bird with a red crown, black wings and a white belly", "this bird is yellow with grey wings",
            "A tiny brown bird with a short pointed beak.");
    /** The HTTP calls, taken in turn; half of them the endpoint the CLI and links use. */
    private static final List<HttpCall> HTTP_CALLS = List.of(HttpCall.PNG_BY_CURL, HttpCall.JSON_BY_JAVA,
            HttpCall.PNG_BY_JAVA, HttpCall.STREAM_BY_BROWSER);

    private final StagesReadiness stages;
    private final String token;
    private volatile int grpcPort = -1;
    private volatile URI http;
    private volatile boolean waitingForStages;
    /** Warm-up requests sent so far: which caption, gRPC method and HTTP call the next one takes. */
    private int sent;
    /** The last HTTP call's connection and its body, read but left open until the next call or a reconnect. */
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
        return WarmUp.run(settings, deadline -> {
            int turn = sent++;
            String prompt = PROMPTS.get(turn % PROMPTS.size());
            var gateway = GatewayServiceGrpc.newBlockingStub(loopback()).withInterceptors(calls)
                    .withDeadline(deadline);
            GenerateRequest.Builder request = GenerateRequest.newBuilder().setPrompt(prompt).setNumImages(1)
                    .setFinalStage(Stage.STAGE_2);
            if (turn % 2 == 0) {
                gateway.generate(request.setSeed(turn).build());
            } else {
                gateway.generateStream(request.build()).forEachRemaining(event -> { });
            }
            send(HTTP_CALLS.get(turn % HTTP_CALLS.size()), prompt, turn, deadline);
        }, this::answered);
    }

    /** Closes the HTTP connection of the last call, as the warm-up's gRPC channel is closed. */
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
     * Sends {@code call} over the connection of the call before (kept alive), or a new one after
     * {@link #closeOtherConnections()}. HttpURLConnection rather than Java 17's HttpClient, which cannot close a
     * connection when asked: the server would see the warm-up's connections close whenever the garbage collector got
     * to their clients, after ready.
     */
    private void send(HttpCall call, String prompt, int turn, Deadline deadline) {
        String seed = call.seeded() ? "seed=" + turn + "&" : "";
        String what = call.method() + " " + call.path();
        try {
            if (httpBody != null) {
                httpBody.close(); // hands the connection back for this call to reuse
            }
            URI uri = http.resolve(call.method().equals("GET")
                    ? call.path() + "?" + seed + "prompt=" + URLEncoder.encode(prompt, StandardCharsets.UTF_8)
                    : call.path());
            HttpURLConnection connection = (HttpURLConnection) uri.toURL().openConnection();
            int timeoutMillis = (int) Math.max(1, deadline.timeRemaining(TimeUnit.MILLISECONDS));
            connection.setConnectTimeout(timeoutMillis);
            connection.setReadTimeout(timeoutMillis);
            call.headers().forEach(connection::setRequestProperty);
            connection.setRequestProperty(WarmUpCalls.HEADER, WarmUpCalls.mark());
            if (call.requestId()) {
                connection.setRequestProperty(RequestIds.HEADER, WarmUpCalls.REQUEST_ID);
            }
            if (token != null) {
                connection.setRequestProperty(BearerToken.HEADER, BearerToken.header(token));
            }
            if (call.method().equals("POST")) {
                connection.setDoOutput(true);
                try (OutputStream body = connection.getOutputStream()) {
                    body.write(("{\"prompt\": \"" + prompt + "\", \"n\": 1, \"seed\": " + turn + "}")
                            .getBytes(StandardCharsets.UTF_8));
                }
            }
            int status = connection.getResponseCode();
            InputStream body = status == 200 ? connection.getInputStream() : connection.getErrorStream();
            // the browser's call asks for gzip, and the gateway compresses the event stream
            byte[] bytes = body == null ? new byte[0] : "gzip".equals(connection.getContentEncoding())
                    ? new GZIPInputStream(body).readAllBytes() : body.readAllBytes();
            httpConnection = connection;
            httpBody = body;
            boolean stream = call.path().endsWith("/stream");
            String text = status == 200 && !stream ? "" : new String(bytes, StandardCharsets.UTF_8);
            // an event stream answers 200 before its first event: it succeeded when its last is the final image
            if (status != 200 || stream && !text.contains("event: image")) {
                throw new IllegalStateException(what + " answered " + status + ": " + Errors.excerpt(text));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(what + ": " + e, e);
        }
    }

    /**
     * An HTTP call of the warm-up: the endpoint, the headers its usual client sends beside those HttpURLConnection
     * always sends (Host, Connection; User-Agent and Accept unless given), whether it sends a seed and a request id.
     */
    private record HttpCall(String method, String path, Map<String, String> headers, boolean seeded,
                            boolean requestId) {

        static final HttpCall PNG_BY_CURL = new HttpCall("GET", "/v1/images.png",
                Map.of("User-Agent", "curl/7.88.1", "Accept", "*/*"), false, false);
        static final HttpCall PNG_BY_JAVA = new HttpCall("GET", "/v1/images.png", Map.of(), true, true);
        static final HttpCall JSON_BY_JAVA = new HttpCall("POST", "/v1/images",
                Map.of("Content-Type", "application/json", "Accept", "application/json"), true, true);
        static final HttpCall STREAM_BY_BROWSER = new HttpCall("GET", "/v1/images/stream", Map.of(
                "User-Agent", "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
                "Accept", "text/event-stream", "Accept-Language", "en-US,en;q=0.5",
                "Accept-Encoding", "gzip, deflate, br", "Referer", "http://localhost:8080/",
                "Sec-Fetch-Dest", "empty", "Sec-Fetch-Mode", "cors", "Sec-Fetch-Site", "same-origin"), false, false);
    }

    @PreDestroy
    void stop() {
        close();
    }
}
