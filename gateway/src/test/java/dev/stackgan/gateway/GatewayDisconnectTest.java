package dev.stackgan.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackgan.serving.DynamicBatcher;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Semaphore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An HTTP client that disconnects cancels its chain: Stage-II holds every request 3 s in its queue (waiting for a
 * batch even when idle); a client that hangs up while its request waits there leaves the gateway at once and
 * Stage-II never runs it. A client that stays gets its images from one Stage-II run, so the count could be wrong.
 */
class GatewayDisconnectTest {

    private static final int MAX_CONCURRENT = 4;
    private static final long STAGE2_QUEUE_DELAY_MS = 3000;

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

            String body = "{\"prompt\": \"a bird\", \"stage\": 2}";
            try (Socket client = new Socket(stack.http().getHost(), stack.http().getPort())) {
                OutputStream out = client.getOutputStream();
                out.write(("POST /v1/images HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                        + "Content-Length: " + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));
                out.flush();
                waitUntil(() -> stage1.runs() == 1, 30_000, "Stage-I ran the request");
                Thread.sleep(300); // the request is now in Stage-II's queue
                assertEquals(MAX_CONCURRENT - 1, admission.availablePermits(), "the request runs in the gateway");
            }
            long hungUp = System.nanoTime();
            waitUntil(() -> admission.availablePermits() == MAX_CONCURRENT, STAGE2_QUEUE_DELAY_MS,
                    "the gateway ended the request before Stage-II's queue delay");
            long endedMs = (System.nanoTime() - hungUp) / 1_000_000;
            Thread.sleep(STAGE2_QUEUE_DELAY_MS + 500 - endedMs);
            assertEquals(0, stage2.runs(), "Stage-II ran the cancelled request");

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
