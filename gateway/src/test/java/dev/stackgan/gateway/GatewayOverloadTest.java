package dev.stackgan.gateway;

import static dev.stackgan.serving.testing.ServiceChecks.assertStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackgan.proto.v1.GatewayServiceGrpc;
import dev.stackgan.proto.v1.GenerateRequest;
import io.grpc.Status;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model service whose queue holds one request and which waits long for a batch to fill, behind a gateway with
 * a short request deadline: a second request is refused at once (429 / RESOURCE_EXHAUSTED naming the service) and
 * the waiting one ends at the gateway's deadline (504) instead of hanging.
 */
class GatewayOverloadTest {

    @TempDir
    static Path repository;

    @Test
    void fullModelServiceQueueIs429AndTheQueuedRequestEndsAtTheDeadline() throws Exception {
        ServingStack.promotedV1(repository);
        // the first request must sit in Stage-II's queue (even though the service is idle) for the second to find it full
        Map<String, Object> tightStage2 = Map.of("stackgan.serving.batching.max-queue-size", 1,
                "stackgan.serving.batching.max-queue-delay", "5s", "stackgan.serving.batching.wait-when-idle", true);
        try (ServingStack stack = new ServingStack(repository, Map.of("stackgan.gateway.request-timeout", "2s"),
                Map.of(ServingStack.STAGE2, tightStage2))) {
            Map<String, Object> request = Map.of("prompt", "a bird", "stage", 2);
            CompletableFuture<HttpJson.Reply> queued = CompletableFuture.supplyAsync(
                    () -> HttpJson.post(stack.http(), request));
            Thread.sleep(700); // the first request waits in Stage-II's queue before the next ones arrive

            HttpJson.Reply refused = HttpJson.post(stack.http(), request);
            assertEquals(429, refused.status(), String.valueOf(refused.body()));
            assertEquals("RESOURCE_EXHAUSTED", refused.body().get("error").get("code").asText());
            assertTrue(refused.body().get("error").get("message").asText().contains("stage2 service"));
            assertStatus(Status.Code.RESOURCE_EXHAUSTED, "stage2 service",
                    () -> GatewayServiceGrpc.newBlockingStub(stack.channel()).withDeadlineAfter(30, TimeUnit.SECONDS)
                            .generate(GenerateRequest.newBuilder().setPrompt("a bird").build()));

            HttpJson.Reply late = queued.get(60, TimeUnit.SECONDS);
            assertEquals(504, late.status(), String.valueOf(late.body()));
            assertEquals("DEADLINE_EXCEEDED", late.body().get("error").get("code").asText());
            assertTrue(late.body().get("error").get("message").asText().contains("stage2 service"));
        }
    }
}
