package dev.stackgan.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackgan.fixtures.PrometheusScrape;
import dev.stackgan.proto.v1.GatewayServiceGrpc;
import dev.stackgan.proto.v1.GenerateRequest;
import dev.stackgan.proto.v1.Stage;
import dev.stackgan.serving.testing.TinyBundles;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gateway's /prometheus after real traffic over both APIs: every counter moves by exactly what was sent. */
class GatewayMetricsTest {

    @TempDir
    Path repository;

    @Test
    void scrapeCountsRequestsImagesRejectionsAndStageCalls() throws Exception {
        TinyBundles.export(repository, TinyBundles.V1, 1);
        try (ServingStack stack = new ServingStack(repository, Map.of())) {
            stack.promote(TinyBundles.V1);
            PrometheusScrape before = PrometheusScrape.of(stack.http());

            for (int seed = 1; seed <= 3; seed++) {
                HttpJson.Reply ok = HttpJson.post(stack.http(), Map.of("prompt", "a small red bird", "n", 2,
                        "seed", seed));
                assertEquals(200, ok.status(), String.valueOf(ok.body()));
            }
            HttpJson.Reply tooMany = HttpJson.post(stack.http(), Map.of("prompt", "a small red bird", "n", 9));
            assertEquals(400, tooMany.status());
            GatewayServiceGrpc.GatewayServiceBlockingStub grpc = GatewayServiceGrpc.newBlockingStub(stack.channel())
                    .withDeadlineAfter(60, TimeUnit.SECONDS);
            assertEquals(1, grpc.generate(GenerateRequest.newBuilder().setPrompt("a small red bird").setSeed(5)
                    .setFinalStage(Stage.STAGE_1).build()).getImagesCount());
            StatusRuntimeException blank = assertThrows(StatusRuntimeException.class,
                    () -> grpc.generate(GenerateRequest.newBuilder().setPrompt(" ").build()));
            assertEquals(Status.Code.INVALID_ARGUMENT, blank.getStatus().getCode());
            assertEquals("prompt", Status.trailersFromThrowable(blank).get(GatewayMetrics.FIELD),
                    "gRPC errors name the field in a trailer, as HTTP errors do in their body");
            PrometheusScrape after = PrometheusScrape.of(stack.http());

            assertEquals(6, after.since(before, "stackgan_gateway_images_generated_total", "stage", "2"),
                    after.text());
            assertEquals(1, after.since(before, "stackgan_gateway_images_generated_total", "stage", "1"));
            assertEquals(3, after.since(before, "stackgan_gateway_requests_total",
                    "api", "http", "outcome", "success", "code", "200"));
            assertEquals(1, after.since(before, "stackgan_gateway_requests_total",
                    "api", "http", "outcome", "client_error", "code", "400"));
            assertEquals(1, after.since(before, "stackgan_gateway_requests_total",
                    "api", "grpc", "outcome", "success", "code", "OK"));
            assertEquals(1, after.since(before, "stackgan_gateway_requests_total",
                    "api", "grpc", "outcome", "client_error", "code", "INVALID_ARGUMENT"));
            assertEquals(1, after.since(before, "stackgan_gateway_rejections_total",
                    "api", "http", "reason", "invalid_argument", "field", "n"));
            assertEquals(1, after.since(before, "stackgan_gateway_rejections_total",
                    "api", "grpc", "reason", "invalid_argument", "field", "prompt"));
            assertEquals(2, after.since(before, "stackgan_gateway_rejections_total"), "no other rejection");
            assertEquals(4, after.since(before, "stackgan_gateway_request_duration_seconds_count", "api", "http"));
            assertEquals(2, after.since(before, "stackgan_gateway_request_duration_seconds_count", "api", "grpc"));
            // the refused requests never reach a stage; the gRPC one stops after Stage-I
            assertEquals(4, after.since(before, "stackgan_gateway_stage_duration_seconds_count",
                    "stage", "text-encoder"));
            assertEquals(4, after.since(before, "stackgan_gateway_stage_duration_seconds_count", "stage", "stage1"));
            assertEquals(3, after.since(before, "stackgan_gateway_stage_duration_seconds_count", "stage", "stage2"));
            assertEquals(0, after.value("stackgan_gateway_requests_in_flight"));
            assertTrue(after.has("stackgan_gateway_requests_in_flight"), after.text());
        }
    }
}
