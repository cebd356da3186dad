package dev.stackgan.serving.micronaut;

import dev.stackgan.serving.Errors;
import dev.stackgan.serving.Inference;
import dev.stackgan.serving.oip.InferJson;
import dev.stackgan.serving.oip.OpenInference;
import io.grpc.StatusRuntimeException;
import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * The Open Inference Protocol's REST form on a model service's HTTP port: {@code /v2}, {@code /v2/health/live},
 * {@code /v2/health/ready}, {@code /v2/models/{name}[/versions/{version}]} with {@code /ready} and {@code /infer}.
 * Errors answer {@code {"error": message}} with the HTTP status of the gRPC code ({@link Errors#httpStatus}). A
 * readiness that is false answers 503, so the paths serve as probes. Handlers run on the blocking pool: an infer
 * call waits for its batch and then writes its JSON, which must not hold an event loop or the batcher's thread.
 */
@Controller("/v2")
@Requires(beans = ServedGraph.class)
@ExecuteOn(TaskExecutors.BLOCKING)
public class OpenInferenceController {

    private final OpenInference inference;

    public OpenInferenceController(OpenInference inference) {
        this.inference = inference;
    }

    @Get
    public HttpResponse<byte[]> serverMetadata() {
        return answer(() -> InferJson.serverMetadata(inference.serverMetadata()));
    }

    @Get("/health/live")
    public HttpResponse<byte[]> serverLive() {
        return json(200, InferJson.flag("live", true));
    }

    @Get("/health/ready")
    public HttpResponse<byte[]> serverReady() {
        boolean ready = inference.serverReady();
        return json(ready ? 200 : 503, InferJson.flag("ready", ready));
    }

    @Get("/models/{name}")
    public HttpResponse<byte[]> currentModelMetadata(String name) {
        return modelMetadata(name, "");
    }

    @Get("/models/{name}/versions/{version}")
    public HttpResponse<byte[]> modelMetadata(String name, String version) {
        return answer(() -> InferJson.modelMetadata(inference.modelMetadata(name, version)));
    }

    @Get("/models/{name}/ready")
    public HttpResponse<byte[]> currentModelReady(String name) {
        return modelReady(name, "");
    }

    @Get("/models/{name}/versions/{version}/ready")
    public HttpResponse<byte[]> modelReady(String name, String version) {
        boolean ready;
        try {
            ready = inference.modelReady(name, version);
        } catch (StatusRuntimeException e) {
            return error(e);
        }
        return json(ready ? 200 : 503, InferJson.modelReady(name, ready));
    }

    @Post(uri = "/models/{name}/infer", consumes = MediaType.ALL)
    public HttpResponse<byte[]> inferCurrent(String name, @Body byte[] body) {
        return infer(name, "", body);
    }

    @Post(uri = "/models/{name}/versions/{version}/infer", consumes = MediaType.ALL)
    public HttpResponse<byte[]> infer(String name, String version, @Body byte[] body) {
        return answer(() -> {
            try {
                return InferJson.response(inference.infer(InferJson.request(name, version, body)).join());
            } catch (CompletionException e) {
                throw Inference.toStatus(e);
            }
        });
    }

    private static HttpResponse<byte[]> answer(Supplier<byte[]> json) {
        try {
            return json(200, json.get());
        } catch (StatusRuntimeException e) {
            return error(e);
        }
    }

    private static HttpResponse<byte[]> error(StatusRuntimeException e) {
        return json(Errors.httpStatus(e.getStatus().getCode()), InferJson.error(e.getStatus().getDescription()));
    }

    private static HttpResponse<byte[]> json(int status, byte[] body) {
        return HttpResponse.<byte[]>status(io.micronaut.http.HttpStatus.valueOf(status)).body(body)
                .contentType(MediaType.APPLICATION_JSON_TYPE);
    }
}
