package dev.stackgan.gateway.http;

import dev.stackgan.gateway.GatewayException;
import dev.stackgan.gateway.Generation;
import dev.stackgan.gateway.GenerationRequest;
import dev.stackgan.gateway.ImageGenerator;
import dev.stackgan.security.Guarded;
import dev.stackgan.security.Scope;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.propagation.PropagatedContext;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.http.sse.Event;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import jakarta.inject.Named;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Sinks;

/**
 * GET /v1/images/stream: the gateway's streaming generation (as gRPC GenerateStream) as server-sent events, so the
 * web page shows the Stage-I preview before the final image. Events: {@code preview} (Stage-I images), then
 * {@code image} (the final ones; for stage 1 the only event), each with the body POST /v1/images answers. A request
 * refused before the first event (bad input, overload, a stage down) is a plain HTTP error with the JSON error body,
 * as on the other endpoints; a failure after it is an {@code error} event with that same body. The generation runs
 * on its own thread and feeds the events; a replaying sink keeps the ones sent before Micronaut subscribes.
 */
@Guarded(Scope.API)
@Controller("/v1/images")
public class ImageStreamController {

    private final ImageGenerator generator;
    private final ExecutorService blocking;
    private final GatewayExceptionHandler refused;
    private final UnexpectedErrorHandler unexpected;

    public ImageStreamController(ImageGenerator generator, @Named(TaskExecutors.BLOCKING) ExecutorService blocking,
                                 GatewayExceptionHandler refused, UnexpectedErrorHandler unexpected) {
        this.generator = generator;
        this.blocking = blocking;
        this.refused = refused;
        this.unexpected = unexpected;
    }

    @Get(uri = "/stream", produces = MediaType.TEXT_EVENT_STREAM)
    @ExecuteOn(TaskExecutors.BLOCKING)
    public Publisher<Event<Object>> stream(HttpRequest<?> http, @QueryValue @Nullable String prompt,
                                           @QueryValue(defaultValue = "1") int n, @QueryValue @Nullable Long seed,
                                           @QueryValue(defaultValue = "2") int stage,
                                           @QueryValue("model_version") @Nullable String modelVersion) {
        GenerationRequest request = new GenerationRequest(prompt, n, seed, stage, modelVersion);
        Sinks.Many<Event<Object>> events = Sinks.many().replay().all();
        // Completes with the first event, or fails with what refused the request before it
        CompletableFuture<Void> first = new CompletableFuture<>();
        // on the generation's own thread, so that a client that goes away cancels its model service calls; with this
        // request's propagated context (its request id, its trace)
        blocking.execute(PropagatedContext.wrapCurrent((Runnable) () -> ClientDisconnect.cancels(http, () -> {
            try {
                Generation result = generator.generate(request, preview -> {
                    events.tryEmitNext(Event.<Object>of(ImagesResponse.of(preview)).name("preview"));
                    first.complete(null);
                });
                events.tryEmitNext(Event.<Object>of(ImagesResponse.of(result)).name("image"));
                first.complete(null);
            } catch (RuntimeException e) {
                if (!first.completeExceptionally(e)) {
                    Object body = e instanceof GatewayException gateway ? refused.handle(http, gateway).body()
                            : unexpected.handle(http, e).body();
                    events.tryEmitNext(Event.of(body).name("error"));
                }
            } finally {
                events.tryEmitComplete();
            }
            return null;
        })));
        // Micronaut sends the status with the first event, and a publisher failing before it as a bare 500: wait
        // for it here, so that a refused request gets its own status and error body like on every endpoint.
        try {
            first.join();
        } catch (CompletionException e) {
            throw (RuntimeException) e.getCause();
        }
        return events.asFlux();
    }
}
