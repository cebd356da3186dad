package dev.stackgan.gateway.http;

import dev.stackgan.gateway.GatewayConfiguration;
import dev.stackgan.gateway.Generation;
import dev.stackgan.gateway.GenerationRequest;
import dev.stackgan.gateway.ImageGenerator;
import dev.stackgan.security.Guarded;
import dev.stackgan.security.Scope;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.json.tree.JsonNode;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;

/** POST /v1/images (JSON with base64 PNGs) and GET /v1/images.png (one PNG, for links and img tags). */
@Guarded(Scope.API)
@Controller("/v1")
@ExecuteOn(TaskExecutors.BLOCKING)
public class ImagesController {

    private final ImageGenerator generator;
    private final GatewayConfiguration config;

    public ImagesController(ImageGenerator generator, GatewayConfiguration config) {
        this.generator = generator;
        this.config = config;
    }

    @Post(uri = "/images", consumes = MediaType.APPLICATION_JSON, produces = MediaType.APPLICATION_JSON)
    public ImagesResponse create(HttpRequest<?> http, @Body @Nullable JsonNode json) {
        ImagesRequest body = ImagesRequest.parse(json, config.getMaxImages());
        GenerationRequest request = new GenerationRequest(body.prompt(), body.n() == null ? 1 : body.n(),
                body.seed(), body.stage() == null ? 2 : body.stage(), body.modelVersion());
        return ImagesResponse.of(ClientDisconnect.cancels(http, () -> generator.generate(request, null)));
    }

    @Get(uri = "/images.png", produces = "image/png")
    public HttpResponse<byte[]> png(HttpRequest<?> http, @QueryValue @Nullable String prompt,
                                    @QueryValue @Nullable Long seed, @QueryValue(defaultValue = "2") int stage,
                                    @QueryValue("model_version") @Nullable String modelVersion) {
        Generation generation = ClientDisconnect.cancels(http,
                () -> generator.generate(new GenerationRequest(prompt, 1, seed, stage, modelVersion), null));
        Generation.Image image = generation.images().get(0);
        return HttpResponse.ok(image.png().toByteArray())
                .contentType("image/png")
                .header("X-Seed", Long.toString(image.seed()))
                .header("X-Model-Version", generation.modelVersion());
    }
}
