package dev.stackgan.trainer.service.http;

import dev.stackgan.security.Guarded;
import dev.stackgan.security.Scope;
import dev.stackgan.trainer.service.TrainerApplication;
import dev.stackgan.trainer.service.TrainerCalls;
import io.micronaut.context.annotation.Requires;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.io.IOException;
import java.util.List;

/**
 * The dashboard's management calls: every call of the HTTP API that changes something is a POST here and nowhere
 * else, and {@link Guarded} makes them all need the management token when one is configured (docs/operations.md).
 * Each is the gRPC call of the same name through {@link TrainerCalls}.
 */
@Requires(env = TrainerApplication.ENVIRONMENT)
@Guarded(Scope.MANAGEMENT)
@Controller("/api")
@ExecuteOn(TaskExecutors.BLOCKING)
public class RunActionsController {

    private final TrainerCalls calls;

    public RunActionsController(TrainerCalls calls) {
        this.calls = calls;
    }

    /** CancelRun: a QUEUED run at once, a RUNNING one after its current step. */
    @Post(uri = "/runs/{run_id}/cancel", produces = MediaType.APPLICATION_JSON)
    public String cancel(@PathVariable("run_id") String runId) {
        return Params.json(calls.cancel(Params.id("run_id", runId)));
    }

    /** ResumeRun: an INTERRUPTED, CANCELLED or FAILED run is queued again. */
    @Post(uri = "/runs/{run_id}/resume", produces = MediaType.APPLICATION_JSON)
    public String resume(@PathVariable("run_id") String runId) {
        return Params.json(calls.resume(Params.id("run_id", runId)));
    }

    /** ExportBundle: {@code ?checkpoint_ids=6[,7...]&bundle_id=name} (bundle_id optional). */
    @Post(uri = "/bundles", produces = MediaType.APPLICATION_JSON)
    public String export(HttpRequest<?> request, @QueryValue("bundle_id") @Nullable String bundleId)
            throws IOException {
        List<Long> checkpointIds = Params.words(request.getParameters().getAll("checkpoint_ids")).stream()
                .map(id -> Params.id("checkpoint_ids", id)).toList();
        return Params.json(calls.export(checkpointIds, bundleId == null ? "" : bundleId));
    }

    /** PromoteBundle: the bundle goes into the serving model repository and CURRENT names it. */
    @Post(uri = "/bundles/{bundle_id}/promote", produces = MediaType.APPLICATION_JSON)
    public String promote(@PathVariable("bundle_id") String bundleId) throws IOException {
        return Params.json(calls.promote(bundleId));
    }
}
