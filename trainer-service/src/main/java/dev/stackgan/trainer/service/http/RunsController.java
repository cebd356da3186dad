package dev.stackgan.trainer.service.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.stackgan.proto.v1.ListRunsRequest;
import dev.stackgan.proto.v1.RunEvent;
import dev.stackgan.proto.v1.RunProgress;
import dev.stackgan.trainer.run.RunKind;
import dev.stackgan.trainer.service.ConfinedPaths;
import dev.stackgan.trainer.service.InvalidFieldException;
import dev.stackgan.trainer.service.Protos;
import dev.stackgan.trainer.service.RunStatus;
import dev.stackgan.trainer.service.TrainerApplication;
import dev.stackgan.trainer.service.TrainerCalls;
import dev.stackgan.trainer.service.store.MetricRow;
import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.server.types.files.SystemFile;
import io.micronaut.http.sse.Event;
import io.micronaut.json.JsonMapper;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.serde.annotation.Serdeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Sinks;

/**
 * The dashboard's reads (GET under /api): the gRPC API's answers as JSON (proto3's JSON mapping of the same
 * stackgan.v1 messages, made by the same {@link TrainerCalls}), plus what gRPC only streams: a run's metric history
 * and events, its live progress as server-sent events, and checkpoints' sample sheets. docs/dashboard.md lists them.
 */
@Requires(env = TrainerApplication.ENVIRONMENT)
@Controller("/api")
@ExecuteOn(TaskExecutors.BLOCKING)
public class RunsController {

    private static final Set<String> LIST_PARAMETERS = Set.of("status", "kind", "page_size", "page_token");

    private final TrainerCalls calls;
    private final JsonMapper json;

    public RunsController(TrainerCalls calls, JsonMapper json) {
        this.calls = calls;
        this.json = json;
    }

    /** ListRuns: {@code ?status=running,queued&kind=stage1&page_size=50&page_token=...}, newest first. */
    @Get(uri = "/runs", produces = MediaType.APPLICATION_JSON)
    public String runs(HttpRequest<?> request) {
        ListRunsRequest.Builder list = ListRunsRequest.newBuilder();
        for (String name : request.getParameters().names()) {
            if (!LIST_PARAMETERS.contains(name)) {
                throw new InvalidFieldException(name, "unknown query parameter " + ConfinedPaths.shown(name)
                        + "; known: " + LIST_PARAMETERS.stream().sorted().toList());
            }
        }
        for (String word : Params.words(request.getParameters().getAll("status"))) {
            list.addStatus(status(word).toProto());
        }
        List<String> kinds = Params.words(request.getParameters().getAll("kind"));
        if (kinds.size() > 1) {
            throw new InvalidFieldException("kind", "kind takes one run kind, got "
                    + ConfinedPaths.shown(String.join(",", kinds)));
        }
        for (String kind : kinds) {
            try {
                list.setKind(Protos.toProto(dev.stackgan.proto.v1.RunKind.class, RunKind.parse(kind)));
            } catch (IllegalArgumentException e) {
                throw new InvalidFieldException("kind", e.getMessage());
            }
        }
        request.getParameters().getFirst("page_size").ifPresent(size -> {
            try {
                list.setPageSize(Integer.parseInt(size));
            } catch (NumberFormatException e) {
                throw new InvalidFieldException("page_size", "page_size must be an integer, got "
                        + ConfinedPaths.shown(size));
            }
        });
        request.getParameters().getFirst("page_token").ifPresent(list::setPageToken);
        return Params.json(calls.list(list.build()));
    }

    private static RunStatus status(String word) {
        try {
            return RunStatus.valueOf(word.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidFieldException("status", "status " + ConfinedPaths.shown(word) + " is not one of "
                    + Arrays.stream(RunStatus.values()).map(s -> s.name().toLowerCase(Locale.ROOT)).toList());
        }
    }

    /** GetRun. */
    @Get(uri = "/runs/{run_id}", produces = MediaType.APPLICATION_JSON)
    public String run(@PathVariable("run_id") String runId) {
        return Params.json(calls.get(Params.id("run_id", runId)));
    }

    /** ListCheckpoints: each with sizes, checksums and evaluation figures. */
    @Get(uri = "/runs/{run_id}/checkpoints", produces = MediaType.APPLICATION_JSON)
    public String checkpoints(@PathVariable("run_id") String runId) {
        return Params.json(calls.checkpoints(Params.id("run_id", runId)));
    }

    /** Every logged step, as columns (one array per figure, index i is step[i]); a non-finite value is null. */
    @Get(uri = "/runs/{run_id}/metrics", produces = MediaType.APPLICATION_JSON)
    public MetricSeries metrics(@PathVariable("run_id") String runId) {
        long id = Params.id("run_id", runId);
        return MetricSeries.of(id, calls.metrics(id));
    }

    /** The recorded events, oldest first: {"events": [RunEvent, ...]}. */
    @Get(uri = "/runs/{run_id}/events", produces = MediaType.APPLICATION_JSON)
    public String events(@PathVariable("run_id") String runId) {
        List<RunEvent> events = calls.events(Params.id("run_id", runId));
        return events.stream().map(Params::json).collect(Collectors.joining(",", "{\"events\":[", "]}"));
    }

    /**
     * WatchRun as server-sent events: {@code progress} events carry RunProgress (the first is the run's state now),
     * {@code end} follows the final one, {@code error} carries an error body if the watch fails midway.
     */
    @Get(uri = "/runs/{run_id}/watch", produces = MediaType.TEXT_EVENT_STREAM)
    public Publisher<Event<String>> watch(@PathVariable("run_id") String runId) {
        long id = Params.id("run_id", runId);
        calls.get(id); // an unknown run is a 404 with its error body, not a stream
        Sinks.Many<Event<String>> events = Sinks.many().unicast().onBackpressureBuffer();
        AtomicBoolean gone = new AtomicBoolean();
        Runnable unwatch = calls.watch(id, new TrainerCalls.ProgressSink() {
            @Override
            public void next(RunProgress progress) {
                events.tryEmitNext(Event.of(Params.json(progress)).name("progress"));
            }

            @Override
            public void completed() {
                events.tryEmitNext(Event.of("{}").name("end"));
                events.tryEmitComplete();
            }

            @Override
            public void failed(Exception e) {
                String body;
                try {
                    body = json.writeValueAsString(TrainerErrors.body(e));
                } catch (IOException io) {
                    throw new UncheckedIOException(io);
                }
                events.tryEmitNext(Event.of(body).name("error"));
                events.tryEmitComplete();
            }

            @Override
            public boolean isCancelled() {
                return gone.get();
            }
        });
        return events.asFlux().doOnCancel(() -> {
            gone.set(true);
            unwatch.run();
        });
    }

    /** The sample sheet (PNG) an evaluated GAN checkpoint drew; 404 naming checkpoint_id for any other. */
    @Get(uri = "/checkpoints/{checkpoint_id}/samples.png", produces = MediaType.IMAGE_PNG)
    public SystemFile samples(@PathVariable("checkpoint_id") String checkpointId) {
        return new SystemFile(calls.samples(Params.id("checkpoint_id", checkpointId)).toFile(),
                MediaType.IMAGE_PNG_TYPE);
    }

    /** ListBundles. */
    @Get(uri = "/bundles", produces = MediaType.APPLICATION_JSON)
    public String bundles() {
        return Params.json(calls.bundles());
    }

    /**
     * A run's metric history as columns; JSON has no NaN, so a value that is not finite is null. Empty columns (no
     * step yet) are written as [], not left out.
     */
    @Serdeable
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record MetricSeries(long runId, long[] step, int[] epoch, Float[] discriminatorLoss,
                               Float[] generatorLoss, Float[] kl, Float[] generatorLr, Float[] discriminatorLr,
                               Double[] imagesPerSecond, double[] wallSeconds) {

        static MetricSeries of(long runId, List<MetricRow> rows) {
            return new MetricSeries(runId, rows.stream().mapToLong(r -> r.id().step()).toArray(),
                    rows.stream().mapToInt(MetricRow::epoch).toArray(),
                    floats(rows, MetricRow::discriminatorLoss), floats(rows, MetricRow::generatorLoss),
                    floats(rows, MetricRow::kl), floats(rows, MetricRow::generatorLr),
                    floats(rows, MetricRow::discriminatorLr),
                    rows.stream().map(r -> Double.isFinite(r.imagesPerSecond()) ? r.imagesPerSecond() : null)
                            .toArray(Double[]::new),
                    rows.stream().mapToDouble(MetricRow::wallSeconds).toArray());
        }

        private static Float[] floats(List<MetricRow> rows, ToDoubleFunction<MetricRow> column) {
            return rows.stream().map(r -> (float) column.applyAsDouble(r))
                    .map(v -> Float.isFinite(v) ? v : null).toArray(Float[]::new);
        }
    }
}
