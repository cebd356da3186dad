package dev.stackgan.trainer.service.http;

import dev.stackgan.trainer.service.NotFoundException;
import dev.stackgan.trainer.service.TrainerApplication;
import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.server.types.files.StreamedFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.Map;
import java.util.Properties;

/**
 * The dashboard's entry and its chart library. The pages themselves are static files ({@code resources/dashboard/},
 * served at /dashboard/ by micronaut.router.static-resources); uPlot comes from its webjar, whose version is the one
 * the build pins (read from the webjar's own pom.properties, so no second place names it).
 */
@Requires(env = TrainerApplication.ENVIRONMENT)
@Controller
public class DashboardController {

    private static final String WEBJAR = "META-INF/resources/webjars/uplot/";
    private static final Map<String, MediaType> FILES = Map.of(
            "uPlot.iife.min.js", MediaType.of("text/javascript"),
            "uPlot.min.css", MediaType.of("text/css"));

    private final String uplotVersion;

    public DashboardController() {
        Properties pom = new Properties();
        try (InputStream in = resource("META-INF/maven/org.webjars.npm/uplot/pom.properties")) {
            pom.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        uplotVersion = pom.getProperty("version");
    }

    /** The trainer's HTTP root opens the runs list. */
    @Get
    public HttpResponse<?> root() {
        return HttpResponse.seeOther(URI.create("/dashboard/"));
    }

    @Get("/dashboard/lib/uplot/{file}")
    public StreamedFile uplot(@PathVariable String file) {
        MediaType type = FILES.get(file);
        if (type == null) {
            throw new NotFoundException("file", "no file '" + file + "' here; there are " + FILES.keySet());
        }
        return new StreamedFile(resource(WEBJAR + uplotVersion + "/dist/" + file), type);
    }

    private static InputStream resource(String path) {
        InputStream in = DashboardController.class.getClassLoader().getResourceAsStream(path);
        if (in == null) {
            throw new IllegalStateException(path + " is missing from the classpath (the uplot webjar)");
        }
        return in;
    }
}
