package dev.stackgan.trainer.service;

import dev.stackgan.trainer.run.StageRun;
import dev.stackgan.trainer.service.store.RunRepository;
import dev.stackgan.trainer.service.store.StateCount;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToDoubleFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The trainer's meters (docs/operations.md): runs by state and database availability (read from the database on
 * each scrape, {@link #refresh}), step time, checkpoints and divergence roll-backs by run kind, the journal's
 * buffered records, and the latest images/s and losses of each run training in this process (removed when it ends,
 * so finished runs do not pile up as series).
 */
@Requires(env = TrainerApplication.ENVIRONMENT)
@Singleton
public class TrainerMetrics {

    private static final Logger LOG = LoggerFactory.getLogger(TrainerMetrics.class);

    /** A tiny test step takes milliseconds, a paper-size Stage-II step on CPU tens of seconds. */
    private static final Duration[] STEP_SECONDS = {
        Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100),
        Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500),
        Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60),
        Duration.ofSeconds(120)};

    private final MeterRegistry registry;
    private final RunRepository runs;
    private final Map<RunStatus, AtomicLong> runsByState = new EnumMap<>(RunStatus.class);
    /** 1 when the database answered the last query of a scrape or readiness probe, 0 when it did not. */
    private final AtomicLong databaseUp = new AtomicLong();
    private final Map<Long, Live> live = new ConcurrentHashMap<>();

    /** The latest figures of one training run and the gauges that read them. */
    private static final class Live {
        volatile StageRun.StepMetrics last;
        final List<Meter> gauges = new ArrayList<>();
    }

    public TrainerMetrics(MeterRegistry registry, RunRepository runs, Journal journal) {
        this.registry = registry;
        this.runs = runs;
        for (RunStatus state : RunStatus.values()) {
            AtomicLong count = new AtomicLong();
            runsByState.put(state, count);
            Gauge.builder("stackgan.trainer.runs", count, AtomicLong::get).tag("state", state.name())
                    .description("Runs on record in each state").register(registry);
        }
        Gauge.builder("stackgan.trainer.database.up", databaseUp, AtomicLong::get)
                .description("1 if the database answered the last check, 0 if not").register(registry);
        Gauge.builder("stackgan.trainer.journal.pending.records", journal, Journal::pending)
                .description("Training records not yet written to the database (held in memory while it is away)")
                .register(registry);
        Gauge.builder("stackgan.trainer.journal.capacity.records", journal, Journal::capacity)
                .description("Records the journal holds before it drops metric rows and refuses new runs")
                .register(registry);
        FunctionCounter.builder("stackgan.trainer.journal.dropped.records", journal, Journal::dropped)
                .description("Per-step metric rows dropped because the journal was full").register(registry);
        FunctionCounter.builder("stackgan.trainer.journal.refusals", journal, Journal::refused)
                .description("CreateRun and ResumeRun calls refused because the journal was full")
                .register(registry);
    }

    /** Reads runs by state from the database; while it does not answer, the last counts stay. */
    public void refresh() {
        try {
            List<StateCount> counts = runs.countByState();
            runsByState.values().forEach(count -> count.set(0));
            counts.forEach(c -> runsByState.get(RunStatus.valueOf(c.status())).set(c.runs()));
            databaseReachable(true);
        } catch (RuntimeException e) {
            LOG.debug("runs by state not refreshed", e);
            databaseReachable(false);
        }
    }

    void databaseReachable(boolean reachable) {
        databaseUp.set(reachable ? 1 : 0);
    }

    void step(long runId, String kind, StageRun.StepMetrics m) {
        Timer.builder("stackgan.trainer.step.duration").description("Wall time of one training step")
                .tag("kind", kind).serviceLevelObjectives(STEP_SECONDS).register(registry)
                .record((long) (m.stepSeconds() * 1e9), TimeUnit.NANOSECONDS);
        Live run = live.get(runId);
        if (run == null) {
            live.put(runId, register(runId, kind, m)); // one worker thread per run: no other put races this one
        } else {
            run.last = m;
        }
    }

    private Live register(long runId, String kind, StageRun.StepMetrics first) {
        Live run = new Live();
        run.last = first;
        Tags tags = Tags.of("run", Long.toString(runId), "kind", kind);
        run.gauges.add(gauge(run, "stackgan.trainer.images.per.second", tags, "Images per second of the latest step",
                StageRun.StepMetrics::imagesPerSecond));
        run.gauges.add(gauge(run, "stackgan.trainer.loss", tags.and("loss", "generator"), "Latest losses of the run",
                StageRun.StepMetrics::generatorLoss));
        run.gauges.add(gauge(run, "stackgan.trainer.loss", tags.and("loss", "discriminator"),
                "Latest losses of the run", StageRun.StepMetrics::discriminatorLoss));
        run.gauges.add(gauge(run, "stackgan.trainer.loss", tags.and("loss", "kl"), "Latest losses of the run",
                StageRun.StepMetrics::kl));
        return run;
    }

    private Meter gauge(Live run, String name, Tags tags, String description,
                        ToDoubleFunction<StageRun.StepMetrics> value) {
        return Gauge.builder(name, run, r -> value.applyAsDouble(r.last)).tags(tags).description(description)
                .strongReference(true).register(registry);
    }

    void checkpointWritten(String kind) {
        registry.counter("stackgan.trainer.checkpoints.written", "kind", kind).increment();
    }

    void rolledBack(String kind) {
        registry.counter("stackgan.trainer.divergence.rollbacks", "kind", kind).increment();
    }

    void runEnded(long runId) {
        Live run = live.remove(runId);
        if (run != null) {
            run.gauges.forEach(registry::remove);
        }
    }
}
