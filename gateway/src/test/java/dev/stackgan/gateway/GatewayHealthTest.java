package dev.stackgan.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stackgan.serving.testing.HttpHealth;
import dev.stackgan.serving.testing.TinyBundles;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gateway's HTTP health: live while it runs, ready only while all three stages serve one common version. */
class GatewayHealthTest {

    @TempDir
    Path repository;

    @Test
    void readinessFollowsTheThreeStages() throws Exception {
        TinyBundles.export(repository, TinyBundles.V1, 1);
        try (ServingStack stack = new ServingStack(repository, Map.of())) {
            assertEquals(200, HttpHealth.get(stack.http(), "/health/liveness").status());
            JsonNode nothingLoaded = assertReadiness(stack, 503);
            assertTrue(stages(nothingLoaded).path("missing").toString().contains("text-encoder has no model loaded"),
                    nothingLoaded.toString());

            stack.promote(TinyBundles.V1);
            JsonNode ready = assertReadiness(stack, 200);
            assertEquals(TinyBundles.V1, stages(ready).path("model_version").asText(), ready.toString());
            assertEquals(TinyBundles.V1, stages(ready).path("stage2").path("current_version").asText());

            stack.stop(ServingStack.STAGE2);
            JsonNode stageDown = assertReadiness(stack, 503);
            assertTrue(stages(stageDown).path("missing").toString().contains("stage2 does not answer"),
                    stageDown.toString());
            assertTrue(stages(stageDown).path("stage2").path("error").asText().startsWith("UNAVAILABLE"),
                    stageDown.toString());
            assertEquals(200, HttpHealth.get(stack.http(), "/health/liveness").status(), "still live");
        }
    }

    private static JsonNode assertReadiness(ServingStack stack, int status) {
        HttpHealth.Reply reply = HttpHealth.get(stack.http(), "/health/readiness");
        assertEquals(status, reply.status(), reply.body().toString());
        assertEquals(status == 200 ? "UP" : "DOWN", reply.body().path("status").asText());
        return reply.body();
    }

    private static JsonNode stages(JsonNode health) {
        return health.path("details").path("stages").path("details");
    }
}
