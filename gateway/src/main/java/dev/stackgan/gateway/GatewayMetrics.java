package dev.stackgan.gateway;

import dev.stackgan.gateway.http.GatewayExceptionHandler;
import dev.stackgan.proto.v1.GatewayServiceGrpc;
import dev.stackgan.serving.metrics.CallMeter;
import dev.stackgan.serving.metrics.LatencyBuckets;
import io.grpc.Metadata;
import io.grpc.Status;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import jakarta.inject.Singleton;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The gateway's meters (docs/operations.md): requests by API, outcome and code with their end-to-end latency,
 * rejections by reason and field, per-stage call latency, images generated and requests in flight. The gRPC API is
 * measured here as a server interceptor, the HTTP API by {@code http/HttpMetricsFilter}.
 */
@Singleton
public class GatewayMetrics extends CallMeter {

    public static final String HTTP = "http";
    public static final String GRPC = "grpc";
    /** The trailer that names the request field at fault of a gRPC error, as {@code field} does over HTTP. */
    public static final Metadata.Key<String> FIELD = Metadata.Key.of("stackgan-field", Metadata.ASCII_STRING_MARSHALLER);
    /** The trailer of a refusal whose rejection reason is more than its code, e.g. {@link #RATE_LIMITED}. */
    public static final Metadata.Key<String> REASON = Metadata.Key.of("stackgan-rejection",
            Metadata.ASCII_STRING_MARSHALLER);
    /** The reason of a refusal by the per-client rate limit, apart from the concurrency limit's resource_exhausted. */
    public static final String RATE_LIMITED = "rate_limited";
    private static final String SUCCESS = "success";

    /** Refusals of a request as it stands (fix it, pick another version, or retry later), not failures of the chain. */
    private static final Set<Status.Code> REJECTIONS = EnumSet.of(Status.Code.INVALID_ARGUMENT,
            Status.Code.FAILED_PRECONDITION, Status.Code.RESOURCE_EXHAUSTED);

    private final MeterRegistry registry;

    public GatewayMetrics(MeterRegistry registry) {
        super(GatewayServiceGrpc.SERVICE_NAME);
        this.registry = registry;
        // The meters of answered requests exist from the start, at zero: Prometheus' rate() needs the zero, and the
        // first users' requests find them made, not code the warm-up (which they do not count) never ran.
        requests(HTTP, SUCCESS, "200");
        duration(HTTP, SUCCESS);
        requests(GRPC, SUCCESS, Status.Code.OK.name());
        duration(GRPC, SUCCESS);
    }

    /**
     * One API request ended with {@code code} (the HTTP status, or the gRPC code's name) after {@code nanos}.
     * {@code httpStatus} decides the outcome (the gRPC code's HTTP equivalent), so both APIs count alike.
     */
    public void requestEnded(String api, String code, int httpStatus, long nanos) {
        String outcome = httpStatus < 400 ? SUCCESS : httpStatus < 500 ? "client_error" : "server_error";
        requests(api, outcome, code).increment();
        duration(api, outcome).record(nanos, TimeUnit.NANOSECONDS);
    }

    private Counter requests(String api, String outcome, String code) {
        return registry.counter("stackgan.gateway.requests", "api", api, "outcome", outcome, "code", code);
    }

    private Timer duration(String api, String outcome) {
        return Timer.builder("stackgan.gateway.request.duration")
                .description("End-to-end time of a request, from arrival to its answer")
                .tags(Tags.of("api", api, "outcome", outcome)).serviceLevelObjectives(LatencyBuckets.SECONDS)
                .register(registry);
    }

    /**
     * Counts a refused request; {@code code} is a gRPC code's name, {@code field} may be null, {@code reason} is null
     * unless the code alone does not say it ({@link #RATE_LIMITED}).
     */
    public void rejected(String api, String code, String field, String reason) {
        Status.Code status;
        try {
            status = Status.Code.valueOf(code);
        } catch (IllegalArgumentException notGrpc) {
            return; // Micronaut's own 404 / 405 / 415 name HTTP statuses: not a refusal of an image request
        }
        if (REJECTIONS.contains(status)) {
            registry.counter("stackgan.gateway.rejections", "api", api,
                    "reason", reason != null ? reason : code.toLowerCase(java.util.Locale.ROOT),
                    "field", field == null ? "none" : field).increment();
        }
    }

    /** One call to a model service ({@code text-encoder}, {@code stage1}, {@code stage2}), answered or not. */
    void stageCalled(String stage, long nanos) {
        Timer.builder("stackgan.gateway.stage.duration")
                .description("Time of one call from the gateway to a model service")
                .tags("stage", stage).serviceLevelObjectives(LatencyBuckets.SECONDS)
                .register(registry).record(nanos, TimeUnit.NANOSECONDS);
    }

    void generated(Generation generation) {
        registry.counter("stackgan.gateway.images.generated", "stage",
                Integer.toString(generation.images().get(0).stage())).increment(generation.images().size());
    }

    /** The gateway answered one of the requests it sends itself while it warms up ({@link GatewayWarmUp}). */
    void warmUpRequestAnswered() {
        registry.counter("stackgan.gateway.warmup.requests").increment();
    }

    /** Requests holding one of the {@code limit} admission permits: running through the chain now. */
    void watchAdmission(Semaphore admission, int limit) {
        Gauge.builder("stackgan.gateway.requests.in.flight", admission, s -> limit - s.availablePermits())
                .description("Requests running through the chain (at most max-concurrent-requests)")
                .strongReference(true).register(registry);
    }

    @Override
    protected void closed(String method, Status status, Metadata trailers, long nanos) {
        String code = status.getCode().name();
        int httpStatus = status.isOk() ? 200 : GatewayExceptionHandler.httpStatus(status.getCode()).getCode();
        requestEnded(GRPC, code, httpStatus, nanos);
        rejected(GRPC, code, trailers.get(FIELD), trailers.get(REASON));
    }
}
