package dev.stackgan.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stackgan.fixtures.PrometheusScrape;
import dev.stackgan.proto.v1.GatewayServiceGrpc;
import dev.stackgan.proto.v1.GenerateRequest;
import dev.stackgan.proto.v1.GetModelInfoRequest;
import dev.stackgan.proto.v1.ModelManagementServiceGrpc;
import dev.stackgan.serving.requests.RequestIds;
import dev.stackgan.serving.testing.GrpcClients;
import dev.stackgan.serving.testing.HttpHealth;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The per-client rate limit on both published ports: a bucket of 3 that refills one token per 1000 s, so the test's
 * fourth request is refused whatever the machine's speed. HTTP and gRPC from one address share the bucket; probes and
 * scrapes are not limited; an HTTP refusal is counted as a rate_limited rejection.
 */
class GatewayRateLimitTest {

    @TempDir
    Path repository;

    @Test
    void aClientOverItsRateIsRefusedOnBothApisWithRetryAfter() throws Exception {
        ServingStack.promotedV1(repository);
        try (ServingStack stack = new ServingStack(repository, Map.of(
                "stackgan.gateway.rate-limit.enabled", true,
                "stackgan.gateway.rate-limit.requests-per-second", 0.001,
                "stackgan.gateway.rate-limit.burst", 3))) {
            PrometheusScrape before = PrometheusScrape.of(stack.http());
            assertEquals(200, HttpJson.get(stack.http(), "/v1/vocabulary").status());
            assertEquals(200, HttpJson.post(stack.http(), Map.of("prompt", "a bird", "stage", 1)).status());
            ModelManagementServiceGrpc.newBlockingStub(stack.channel()).withDeadlineAfter(30, TimeUnit.SECONDS)
                    .getModelInfo(GetModelInfoRequest.getDefaultInstance());

            HttpJson.Reply refused = HttpJson.send(HttpJson.postImages(stack.http(), Map.of("prompt", "a bird"))
                    .header(RequestIds.HEADER, "limited-1"));
            assertEquals(429, refused.status(), String.valueOf(refused.body()));
            assertEquals("limited-1", refused.header(RequestIds.HEADER));
            long retryAfter = Long.parseLong(refused.header("Retry-After"));
            assertTrue(retryAfter > 100 && retryAfter <= 1000, "up to 1000 s to the next token: " + retryAfter);
            JsonNode error = refused.body().get("error");
            assertEquals("RESOURCE_EXHAUSTED", error.get("code").asText());
            assertEquals(429, error.get("status").asInt());
            assertTrue(error.get("field").isNull());
            assertEquals("limited-1", error.get("request_id").asText());
            assertTrue(error.get("message").asText().contains("rate limit of 0.001 requests per second with bursts "
                    + "of 3 (stackgan.gateway.rate-limit); retry after " + retryAfter + " s"), error.toString());

            StatusRuntimeException grpcRefused = assertThrows(StatusRuntimeException.class,
                    () -> GatewayServiceGrpc.newBlockingStub(stack.channel()).withDeadlineAfter(30, TimeUnit.SECONDS)
                            .generate(GenerateRequest.newBuilder().setPrompt("a bird").build()));
            assertEquals(Status.Code.RESOURCE_EXHAUSTED, grpcRefused.getStatus().getCode());
            assertTrue(grpcRefused.getStatus().getDescription().contains("rate limit"), grpcRefused.getMessage());
            String grpcRetryAfter = Status.trailersFromThrowable(grpcRefused).get(RateLimitInterceptor.RETRY_AFTER);
            assertTrue(Long.parseLong(grpcRetryAfter) > 100, grpcRetryAfter);

            // probes, scrapes and the page are not limited
            assertEquals(ServingStatus.SERVING, GrpcClients.health(stack.channel(), ""));
            assertEquals(200, HttpHealth.get(stack.http(), "/health/liveness").status());
            assertEquals(200, HttpJson.get(stack.http(), "/").status());
            PrometheusScrape after = PrometheusScrape.of(stack.http());
            assertEquals(1, after.since(before, "stackgan_gateway_rejections_total",
                    "api", "http", "reason", "rate_limited", "field", "none"), after.text());
            assertEquals(1, after.since(before, "stackgan_gateway_rejections_total", "api", "http"),
                    "not counted as the concurrency limit's");
            assertEquals(1, after.since(before, "stackgan_gateway_requests_total",
                    "api", "http", "outcome", "client_error", "code", "429"));
            assertEquals(1, after.since(before, "stackgan_gateway_rejections_total",
                    "api", "grpc", "reason", "rate_limited", "field", "none"), after.text());
        }
    }
}
