package dev.stackgan.gateway.http;

import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** GET /: a plain HTML+JS page that calls POST /v1/images (no build step). */
@Controller
public class WebPageController {

    private final String page;

    public WebPageController() {
        try (InputStream in = WebPageController.class.getResourceAsStream("/public/index.html")) {
            page = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Get(produces = MediaType.TEXT_HTML)
    public String index() {
        return page;
    }
}
