package dev.stackgan.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackgan.fixtures.PrometheusScrape;
import dev.stackgan.proto.v1.GatewayServiceGrpc;
import dev.stackgan.security.BearerToken;
import dev.stackgan.serving.testing.GrpcClients;
import dev.stackgan.serving.testing.HttpHealth;
import dev.stackgan.serving.testing.TinyBundles;
import dev.stackgan.serving.warmup.WarmUpCalls;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import java.net.InetSocketAddress;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway's warm-up (GatewayWarmUp): not SERVING while the stages have no model, then it warms itself up over
 * both APIs, each of their image endpoints in turn, and turns SERVING. Its calls pass a required API token and a rate
 * limit of three requests per 1000 s, are not counted as requests but write INFO access lines as users' calls do, and
 * take nothing from the bucket: the test's promotion (a ReloadModel through the gateway), its request without the
 * token (the limit comes before the token check) and one with it use the three.
 */
class GatewayWarmUpTest {

    private static final String API = "api-token-0123456789abcdef";
    private static final int WINDOW = 5;

    @TempDir
    Path repository;

    @Test
    void notServingUntilTheStagesServeAndTheGatewayHasWarmedUpOverEveryImageEndpoint() throws Exception {
        TinyBundles.export(repository, TinyBundles.V1, 1);
        WarmUpCallers.CALLERS.clear();
        try (AccessLines access = AccessLines.attach(); ServingStack stack = new ServingStack(repository, Map.of(
                "stackgan.serving.warm-up.enabled", true,
                "stackgan.serving.warm-up.window", WINDOW,
                "stackgan.serving.warm-up.min-requests", 0,
                "stackgan.serving.warm-up.time-limit", "60s",
                "stackgan.access.api-token", API,
                "stackgan.gateway.rate-limit.enabled", true,
                "stackgan.gateway.rate-limit.requests-per-second", 0.001,
                "stackgan.gateway.rate-limit.burst", 3))) {
            Thread.sleep(1000); // the warm-up has started and asks the stages, which serve nothing
            assertEquals(ServingStatus.NOT_SERVING, GrpcClients.health(stack.channel(), ""));
            assertEquals(ServingStatus.NOT_SERVING, GrpcClients.health(stack.channel(), GatewayServiceGrpc.SERVICE_NAME));
            HttpHealth.Reply waiting = HttpHealth.get(stack.http(), "/health/readiness");
            assertEquals(503, waiting.status(), waiting.body().toString());
            assertTrue(waiting.body().path("details").path("warm-up").path("details").path("missing").asText()
                    .startsWith("waiting for the three stages"), waiting.body().toString());

            stack.promote(TinyBundles.V1);
            long promoted = System.nanoTime();
            while (GrpcClients.health(stack.channel(), GatewayServiceGrpc.SERVICE_NAME) != ServingStatus.SERVING) {
                assertTrue(System.nanoTime() - promoted < 120_000_000_000L, "not SERVING 120 s after the promotion");
                Thread.sleep(20);
            }
            assertEquals(ServingStatus.SERVING, GrpcClients.health(stack.channel(), ""));
            HttpHealth.Reply ready = HttpHealth.get(stack.http(), "/health/readiness");
            assertEquals(200, ready.status(), ready.body().toString());
            PrometheusScrape warmed = PrometheusScrape.of(stack.http());
            double warmUps = warmed.value("stackgan_gateway_warmup_requests_total");
            // settling compares two windows, and each warm-up request is one gRPC and one HTTP call
            assertTrue(warmUps >= 2 * WINDOW, warmUps + " warm-up requests: " + warmed.text());
            assertEquals(warmUps, ready.body().path("details").path("warm-up").path("details").path("requests")
                    .asDouble(), ready.body().toString());
            assertEquals(0, warmed.value("stackgan_gateway_requests_total"), warmed.text());
            // their access lines are INFO, as users' are: writing the line is part of the path the warm-up compiles;
            // they take each API in turn, and some HTTP calls send no request id, as most users' do
            List<String> withId = access.calls(WarmUpCalls.REQUEST_ID);
            List<String> withoutId = access.all().stream().filter(line -> !WarmUpCalls.REQUEST_ID
                    .equals(line.requestId()) && line.call().startsWith("http ")).map(AccessLines.Line::call).toList();
            for (String call : List.of("grpc stackgan.v1.GatewayService/Generate OK",
                    "grpc stackgan.v1.GatewayService/GenerateStream OK", "http GET /v1/images.png 200",
                    "http POST /v1/images 200")) {
                assertTrue(withId.contains(call), call + " in " + withId);
            }
            assertTrue(withoutId.contains("http GET /v1/images.png 200"), withoutId.toString());
            assertTrue(withoutId.contains("http GET /v1/images/stream 200"), withoutId.toString());
            assertEquals(0, warmed.value("stackgan_gateway_rejections_total"), warmed.text());
            // a new HTTP connection for every window of requests, as for the gRPC channel (SelfWarmUpTest)
            List<InetSocketAddress> callers = List.copyOf(WarmUpCallers.CALLERS);
            assertEquals(warmUps, callers.size(), callers.toString());
            for (int i = 0; i < callers.size(); i++) {
                assertEquals(callers.get(i - i % WINDOW), callers.get(i), "call " + i + " of " + callers);
            }
            // each window's connection is a new one; the kernel may hand a closed connection's port out again
            // later in a long warm-up, so only neighbouring windows are compared
            for (int i = WINDOW; i < callers.size(); i += WINDOW) {
                assertNotEquals(callers.get(i - WINDOW), callers.get(i), "window at call " + i + " of " + callers);
            }

            String png = "/v1/images.png?prompt=a+bird&seed=3";
            assertEquals(401, HttpJson.get(stack.http(), png).status(), "the API still needs its token");
            HttpRequest.Builder withToken = HttpRequest.newBuilder(stack.http().resolve(png))
                    .header(BearerToken.HEADER, BearerToken.header(API));
            assertEquals(200, HttpJson.send(withToken).status(), "the warm-up left the bucket's last token");
            assertEquals(429, HttpJson.send(withToken).status(), "the rate limit still holds for users");
            PrometheusScrape after = PrometheusScrape.of(stack.http());
            assertEquals(1, after.value("stackgan_gateway_requests_total", "api", "http", "code", "200"), after.text());
            assertEquals(1, after.value("stackgan_gateway_requests_total", "api", "http", "code", "429"), after.text());
            assertEquals(warmUps, after.value("stackgan_gateway_warmup_requests_total"), "no more warm-up requests");
        }
    }
}
