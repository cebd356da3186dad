package dev.stackgan.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackgan.fixtures.PrometheusScrape;
import dev.stackgan.serving.DynamicBatcher;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An HTTP client that disconnects cancels its chain, on each of the three generating endpoints: Stage-II holds every
 * request 3 s in its queue (waiting for a batch even when idle); a client that hangs up while its request waits there
 * leaves the gateway at once, Stage-II never runs it and counts its Refine call as CANCELLED. A client that stays
 * gets its images from one Stage-II run, so the count could be wrong.
 */
class GatewayDisconnectTest {

    private static final int MAX_CONCURRENT = 4;
    private static final long STAGE2_QUEUE_DELAY_MS = 3000;
    private static final String BODY = "{\"prompt\": \"a bird\", \"n\": 2, \"stage\": 2}";
    private static final List<String> REQUESTS = List.of(
            "POST /v1/images HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: "
                    + BODY.length() + "\r\n\r\n" + BODY,
            "GET /v1/images.png?prompt=a+bird&stage=2 HTTP/1.1\r\nHost: localhost\r\n\r\n",
            "GET /v1/images/stream?prompt=a+bird&n=2&stage=2 HTTP/1.1\r\nHost: localhost\r\n\r\n");

    @TempDir
    static Path repository;

    @Test
    void aClientThatDisconnectsCancelsTheModelServiceCalls() throws Exception {
        ServingStack.promotedV1(repository);
        Map<String, Object> slowStage2 = Map.of("stackgan.serving.batching.max-queue-delay",
                STAGE2_QUEUE_DELAY_MS + "ms", "stackgan.serving.batching.wait-when-idle", true);
        try (ServingStack stack = new ServingStack(repository,
                Map.of("stackgan.gateway.max-concurrent-requests", MAX_CONCURRENT),
                Map.of(ServingStack.STAGE2, slowStage2))) {
            DynamicBatcher stage1 = stack.serviceBean(ServingStack.STAGE1, DynamicBatcher.class);
            DynamicBatcher stage2 = stack.serviceBean(ServingStack.STAGE2, DynamicBatcher.class);
            Semaphore admission = stack.gatewayBean(ImageGenerator.class).admission();
            PrometheusScrape before = PrometheusScrape.of(stack.serviceHttp(ServingStack.STAGE2));

            for (int i = 0; i < REQUESTS.size(); i++) {
                int stage1Runs = i + 1;
                try (Socket client = new Socket(stack.http().getHost(), stack.http().getPort())) {
                    OutputStream out = client.getOutputStream();
                    out.write(REQUESTS.get(i).getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    waitUntil(() -> stage1.runs() == stage1Runs, 30_000, "Stage-I ran request " + i);
                    waitUntil(() -> stage2.queued() == 1, 30_000, "request " + i + " waits in Stage-II's queue");
                    assertEquals(MAX_CONCURRENT - 1, admission.availablePermits(), "request " + i + " runs");
                }
                waitUntil(() -> admission.availablePermits() == MAX_CONCURRENT && stage2.queued() == 0,
                        STAGE2_QUEUE_DELAY_MS, "the gateway ended request " + i + " and it left Stage-II's queue");
            }
            // had any of them stayed in the queue, Stage-II would have run it by now
            Thread.sleep(STAGE2_QUEUE_DELAY_MS + 500);
            assertEquals(0, stage2.runs(), "Stage-II ran a cancelled request");
            PrometheusScrape after = PrometheusScrape.of(stack.serviceHttp(ServingStack.STAGE2));
            assertEquals(REQUESTS.size(), after.since(before, "stackgan_model_requests_total",
                    "method", "Refine", "status", "CANCELLED"), after.text());

            HttpJson.Reply stays = HttpJson.post(stack.http(), Map.of("prompt", "a bird", "stage", 2));
            assertEquals(200, stays.status(), String.valueOf(stays.body()));
            assertEquals(1, stage2.runs(), "a client that stays is served by one Stage-II run");
        }
    }

    private interface Condition {
        boolean holds();
    }

    private static void waitUntil(Condition condition, long timeoutMs, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000;
        while (!condition.holds()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting: " + what);
            Thread.sleep(20);
        }
    }
}
