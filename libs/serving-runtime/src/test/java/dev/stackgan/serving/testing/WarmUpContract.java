package dev.stackgan.serving.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackgan.fixtures.PrometheusScrape;
import dev.stackgan.serving.DynamicBatcher;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The warm-up every model service does before it reports ready, checked against the real application (its gRPC
 * server on a real port, its own representative request, ONNX Runtime on a tiny bundle): each service's tests
 * extend this class with the names of its gRPC service and graph.
 */
public abstract class WarmUpContract {

    private final String serviceName;
    private final String graph;

    /**
     * @param serviceName the gRPC service the model service publishes, as health checks name it
     * @param graph its graph, as the metrics label it
     */
    protected WarmUpContract(String serviceName, String graph) {
        this.serviceName = serviceName;
        this.graph = graph;
    }

    /**
     * With a 20 s time limit and a window no warm-up fills in that time, the service stays NOT_SERVING (gRPC health
     * overall and by name, HTTP readiness saying it warms up) after its bundle has loaded, and turns SERVING once the
     * limit has passed: not within 15 s of the load, and within 60 s (the limit is the last request's deadline; the
     * rest is slack for a starved machine; without the limit this warm-up would never end). The limit is long
     * because on a busy machine the first, cold requests take seconds, and some must be answered: the warm-up's
     * requests are counted as such, and not as the API's requests.
     */
    @Test
    public void notServingUntilWarmedUpWithinTheTimeLimit(@TempDir Path repository) throws Exception {
        try (ServiceHarness service = warmingUp(repository, "20s", "stackgan.serving.warm-up.window", 1_000_000)) {
            long loaded = System.nanoTime();
            assertEquals(ServingStatus.NOT_SERVING, GrpcClients.health(service.channel(), ""));
            assertEquals(ServingStatus.NOT_SERVING, GrpcClients.health(service.channel(), serviceName));
            HttpHealth.Reply warming = HttpHealth.get(service.http(), "/health/readiness");
            assertEquals(503, warming.status(), warming.body().toString());
            assertTrue(warming.body().path("details").path("model").path("details").path("missing").asText()
                    .startsWith("warming up"), warming.body().toString());

            double seconds = secondsUntilServing(service.channel(), loaded);
            assertTrue(seconds >= 15, "SERVING " + seconds + " s after the load, before the 20 s time limit");
            assertTrue(seconds < 60, "SERVING only " + seconds + " s after the load; the time limit is 20 s");
            assertEquals(ServingStatus.SERVING, GrpcClients.health(service.channel(), serviceName));
            assertEquals(200, HttpHealth.get(service.http(), "/health/readiness").status());
            PrometheusScrape scrape = PrometheusScrape.of(service.http());
            assertTrue(scrape.value("stackgan_model_warmup_requests_total", "graph", graph) > 0, scrape.text());
            assertEquals(0, scrape.value("stackgan_model_requests_total", "graph", graph), scrape.text());
        }
    }

    /** Warm-up off: SERVING as soon as the bundle is loaded, and not one request ran through the batcher. */
    @Test
    public void noWarmUpWhenDisabled(@TempDir Path repository) throws Exception {
        TinyBundles.export(repository, TinyBundles.V1, 1);
        try (ServiceHarness service = new ServiceHarness(repository,
                Map.of("stackgan.serving.warm-up.enabled", false))) {
            service.promote(TinyBundles.V1);
            assertEquals(ServingStatus.SERVING, GrpcClients.health(service.channel(), ""));
            assertEquals(200, HttpHealth.get(service.http(), "/health/readiness").status());
            PrometheusScrape scrape = PrometheusScrape.of(service.http());
            assertEquals(0, scrape.value("stackgan_model_warmup_requests_total", "graph", graph), scrape.text());
            assertEquals(0, service.bean(DynamicBatcher.class).runs());
        }
    }

    /**
     * A warm-up whose requests fail (here every one: the server refuses requests over 16 bytes) does not keep the
     * service unready: it is SERVING long before the 60 s time limit, with no warm-up request answered.
     */
    @Test
    public void failedWarmUpStillBecomesReady(@TempDir Path repository) throws Exception {
        try (ServiceHarness service = warmingUp(repository, "60s", "grpc.server.max-inbound-message-size", 16)) {
            double seconds = secondsUntilServing(service.channel(), System.nanoTime());
            assertTrue(seconds < 30, "SERVING only " + seconds + " s after a failed warm-up");
            assertEquals(200, HttpHealth.get(service.http(), "/health/readiness").status());
            PrometheusScrape scrape = PrometheusScrape.of(service.http());
            assertEquals(0, scrape.value("stackgan_model_warmup_requests_total", "graph", graph), scrape.text());
        }
    }

    /** The service with warm-up on under {@code timeLimit} and one more setting, just handed tiny bundle V1. */
    private static ServiceHarness warmingUp(Path repository, String timeLimit, String key, Object value) {
        TinyBundles.export(repository, TinyBundles.V1, 1);
        ServiceHarness service = new ServiceHarness(repository, Map.of("stackgan.serving.warm-up.enabled", true,
                "stackgan.serving.warm-up.time-limit", timeLimit, key, value));
        service.promote(TinyBundles.V1);
        return service;
    }

    /** Polls overall gRPC health (an empty request) until SERVING, at most 2 minutes; seconds since sinceNanos. */
    private static double secondsUntilServing(ManagedChannel channel, long sinceNanos) throws InterruptedException {
        while (GrpcClients.health(channel, "") != ServingStatus.SERVING) {
            assertTrue(System.nanoTime() - sinceNanos < 120_000_000_000L, "not SERVING after 120 s");
            Thread.sleep(20);
        }
        return (System.nanoTime() - sinceNanos) / 1e9;
    }
}
