package dev.stackgan.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackgan.serving.requests.RequestIds;
import io.opentelemetry.proto.trace.v1.Span.SpanKind;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tracing switched on as docs/operations.md says (micronaut.otel.enabled and an OTLP endpoint) in all four services,
 * exporting over OTLP http/protobuf to a real receiver: one request is one trace, whose spans come from the gateway
 * (HTTP server span, a client span per stage) and each of the three model services (a server span under the
 * gateway's client span); the access lines name the same trace id.
 */
class TracingTest {

    private static final Set<String> SERVICES = Set.of("gateway", "text-encoder-service", "stage1-service",
            "stage2-service");

    @TempDir
    Path repository;

    @Test
    void oneRequestIsOneTraceAcrossAllFourServices() throws Exception {
        ServingStack.promotedV1(repository);
        try (OtlpReceiver receiver = new OtlpReceiver(); AccessLines access = AccessLines.attach()) {
            Map<String, Object> tracing = Map.of("micronaut.otel.enabled", true,
                    "otel.exporter.otlp.endpoint", receiver.endpoint(),
                    // export each span within 50 ms instead of the batch processor's 5 s
                    "otel.bsp.schedule.delay", 50);
            Map<String, Map<String, Object>> services = new HashMap<>();
            for (String service : List.of(ServingStack.TEXT_ENCODER, ServingStack.STAGE1, ServingStack.STAGE2)) {
                services.put(service, tracing);
            }
            String traceId;
            try (ServingStack stack = new ServingStack(repository, tracing, services)) {
                HttpJson.Reply reply = HttpJson.send(HttpJson.postImages(stack.http(),
                        Map.of("prompt", "a small bird with a red crown", "seed", 9)).header(RequestIds.HEADER, "traced-1"));
                assertEquals(200, reply.status(), String.valueOf(reply.body()));

                OtlpReceiver.ReceivedSpan root = awaitRoot(receiver);
                traceId = root.traceId();
                assertEquals("POST /v1/images", root.name());
                long deadline = System.nanoTime() + 30_000_000_000L;
                while (services(receiver, traceId).size() < SERVICES.size() && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
            }
            // every span of the trace, the ones a closing stack flushed included
            List<OtlpReceiver.ReceivedSpan> trace = receiver.spans().stream()
                    .filter(span -> span.traceId().equals(traceId)).toList();
            assertEquals(SERVICES, services(receiver, traceId), trace.toString());
            Map<String, OtlpReceiver.ReceivedSpan> byId = trace.stream()
                    .collect(Collectors.toMap(OtlpReceiver.ReceivedSpan::spanId, span -> span));
            for (String stage : List.of("text-encoder-service", "stage1-service", "stage2-service")) {
                List<OtlpReceiver.ReceivedSpan> served = trace.stream().filter(span -> span.service().equals(stage))
                        .toList();
                assertEquals(1, served.size(), trace.toString());
                OtlpReceiver.ReceivedSpan server = served.get(0);
                assertEquals(SpanKind.SPAN_KIND_SERVER, server.kind());
                OtlpReceiver.ReceivedSpan caller = byId.get(server.parentSpanId());
                assertEquals("gateway", caller.service(), "the gateway's call is the parent of " + server);
                assertEquals(SpanKind.SPAN_KIND_CLIENT, caller.kind());
                assertEquals(server.name(), caller.name());
            }
            assertEquals(1, receiver.spans().stream().filter(span -> span.parentSpanId().isEmpty()).count(),
                    "one root, the gateway's HTTP span: " + receiver.spans());
            // the access lines of all four services name the trace
            List<AccessLines.Line> lines = access.of("traced-1");
            assertEquals(4, lines.size(), lines.toString());
            assertTrue(lines.stream().allMatch(line -> traceId.equals(line.traceId())), lines.toString());
        }
    }

    private static OtlpReceiver.ReceivedSpan awaitRoot(OtlpReceiver receiver) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline) {
            for (OtlpReceiver.ReceivedSpan span : receiver.spans()) {
                if (span.parentSpanId().isEmpty() && span.service().equals("gateway")) {
                    return span;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no root span from the gateway within 30 s: " + receiver.spans());
    }

    private static Set<String> services(OtlpReceiver receiver, String traceId) {
        return receiver.spans().stream().filter(span -> span.traceId().equals(traceId))
                .map(OtlpReceiver.ReceivedSpan::service).collect(Collectors.toSet());
    }
}
