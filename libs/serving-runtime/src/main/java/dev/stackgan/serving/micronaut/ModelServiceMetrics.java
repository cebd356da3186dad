package dev.stackgan.serving.micronaut;

import dev.stackgan.proto.inference.GRPCInferenceServiceGrpc;
import dev.stackgan.serving.DynamicBatcher;
import dev.stackgan.serving.ModelRepository;
import dev.stackgan.serving.metrics.CallMeter;
import dev.stackgan.serving.metrics.LatencyBuckets;
import io.grpc.Metadata;
import io.grpc.Status;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The meters of a model service (docs/operations.md): requests by status (as a server interceptor of the served
 * gRPC service and of the Open Inference Protocol's), inference time, queue wait, batch size and queue depth (from
 * the {@link DynamicBatcher}), the served version, swaps and load failures (from the {@link ModelRepository}), and
 * the warm-up's requests ({@link ModelWarmUp}). Every meter carries the graph.
 */
@Singleton
@Requires(beans = ServedGraph.class)
public class ModelServiceMetrics extends CallMeter implements DynamicBatcher.Listener {

    /** Batch sizes are whole rows up to max-batch-size (64 by default): powers of two resolve them well enough. */
    private static final double[] BATCH_SIZES = {1, 2, 4, 8, 16, 32, 64, 128};

    private final MeterRegistry registry;
    private final Tags graph;
    private final Timer inferenceAlone;
    private final Timer inferenceOverlapped;
    private final Timer queueWait;
    private final DistributionSummary batchSize;
    private final Counter swaps;
    private final Counter loadFailures;
    private final Counter warmUpRequests;
    private final MultiGauge served;
    private String current;

    public ModelServiceMetrics(MeterRegistry registry, ServedGraph graph) {
        super(graph.serviceName(), GRPCInferenceServiceGrpc.SERVICE_NAME);
        this.registry = registry;
        this.graph = Tags.of("graph", graph.graph());
        this.inferenceAlone = inferenceTimer(false);
        this.inferenceOverlapped = inferenceTimer(true);
        this.queueWait = Timer.builder("stackgan.model.queue.wait")
                .description("Time a request waited in the batching queue before its batch ran")
                .tags(this.graph).serviceLevelObjectives(LatencyBuckets.SECONDS).register(registry);
        this.batchSize = DistributionSummary.builder("stackgan.model.batch.size")
                .description("Rows of one session run (the requests merged into it, each with its rows)")
                .tags(this.graph).serviceLevelObjectives(BATCH_SIZES).register(registry);
        this.swaps = Counter.builder("stackgan.model.swaps")
                .description("Times a bundle version was swapped in to serve (the first load included)")
                .tags(this.graph).register(registry);
        this.loadFailures = Counter.builder("stackgan.model.load.failures")
                .description("Bundle loads that failed (verification, session, warm-up); the old version kept serving")
                .tags(this.graph).register(registry);
        this.warmUpRequests = Counter.builder("stackgan.model.warmup.requests")
                .description("Requests the service sent itself and had answered while it warmed up before readiness")
                .tags(this.graph).register(registry);
        // an info gauge; not named _info, a suffix the Prometheus client reserves (and strips)
        this.served = MultiGauge.builder("stackgan.model.serving")
                .description("1 for the bundle version served to unpinned requests, with the execution provider")
                .tags(this.graph).register(registry);
    }

    /** Runs that started while another batch of the service ran ({@code overlapped}) or alone. */
    private Timer inferenceTimer(boolean overlapped) {
        return Timer.builder("stackgan.model.inference.duration")
                .description("Time of one ONNX Runtime session run (one merged batch); overlapped: it started while"
                        + " another batch ran, on the overlap session if there is one")
                .tags(graph.and("overlapped", Boolean.toString(overlapped)))
                .serviceLevelObjectives(LatencyBuckets.SECONDS).register(registry);
    }

    /** Counts swaps and failures and keeps the served-version gauge current. */
    void observe(ModelRepository repository) {
        repository.addListener(state -> {
            if (state.lastError() != null) {
                loadFailures.increment();
            }
            if (state.current() != null && !state.current().equals(current)) {
                current = state.current();
                swaps.increment();
                served.register(List.of(MultiGauge.Row.of(Tags.of("version", current,
                        "execution_provider", repository.runtime().activeProvider()), 1)), true);
            }
        });
    }

    void observe(DynamicBatcher batcher) {
        Gauge.builder("stackgan.model.queue.depth", batcher, DynamicBatcher::queued)
                .description("Requests waiting in the batching queue").tags(graph).register(registry);
    }

    /** One warm-up request was answered (they are not in the request totals: {@code CallMeter} skips them). */
    void warmUpRequestAnswered() {
        warmUpRequests.increment();
    }

    @Override
    public void batchRan(int rows, long runNanos, long[] waitNanos, boolean overlapped) {
        (overlapped ? inferenceOverlapped : inferenceAlone).record(runNanos, TimeUnit.NANOSECONDS);
        batchSize.record(rows);
        for (long wait : waitNanos) {
            queueWait.record(wait, TimeUnit.NANOSECONDS);
        }
    }

    @Override
    protected void closed(String method, Status status, Metadata trailers, long nanos) {
        registry.counter("stackgan.model.requests", graph.and("method", method, "status",
                status.getCode().name())).increment();
    }
}
