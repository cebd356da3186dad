package dev.stackgan.trainer.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackgan.fixtures.PrometheusScrape;
import dev.stackgan.proto.v1.CancelRunRequest;
import dev.stackgan.proto.v1.ListRunsRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trainer's management token (docs/operations.md, "Authentication"): its state-changing gRPC calls and the
 * dashboard's POST actions need it, its reads do not, and each refusal is counted.
 */
class TrainerAccessTest {

    private static final String TOKEN = "trainer-management-token-0123456789";

    @Test
    void stateChangingCallsNeedTheManagementToken(@TempDir Path work) throws Exception {
        try (TestDatabase database = new TestDatabase();
             TrainerHarness trainer = new TrainerHarness(database.url(), work,
                     Map.of("stackgan.access.management-token", TOKEN))) {
            CancelRunRequest cancel = CancelRunRequest.newBuilder().setRunId(99).build();
            StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
                    () -> trainer.stub().cancelRun(cancel));
            assertEquals(Status.Code.UNAUTHENTICATED, refused.getStatus().getCode());
            assertEquals(0, trainer.stub().listRuns(ListRunsRequest.getDefaultInstance()).getRunsCount(),
                    "reads are open");
            try (TrainerClient client = TrainerClient.connect("127.0.0.1:" + trainer.server.getPort(),
                    Duration.ofSeconds(30), TOKEN)) {
                StatusRuntimeException past = assertThrows(StatusRuntimeException.class,
                        () -> client.stub().cancelRun(cancel));
                assertEquals(Status.Code.NOT_FOUND, past.getStatus().getCode(), "the token let the call through");
            }

            HttpResponse<String> missing = post(trainer, "/api/runs/99/cancel", null);
            assertEquals(401, missing.statusCode());
            assertEquals("{\"error\":{\"code\":\"UNAUTHENTICATED\",\"status\":401,\"message\":\"management calls need"
                    + " an 'authorization: Bearer <token>' header\",\"field\":null}}", missing.body());
            HttpResponse<String> wrong = post(trainer, "/api/bundles/b1/promote", "Bearer " + TOKEN + "0");
            assertEquals(403, wrong.statusCode());
            assertTrue(wrong.body().contains("\"code\":\"PERMISSION_DENIED\""), wrong.body());
            HttpResponse<String> allowed = post(trainer, "/api/runs/99/cancel", "Bearer " + TOKEN);
            assertEquals(404, allowed.statusCode(), allowed.body());
            assertEquals(200, trainer.get("/api/runs").statusCode(), "the dashboard's reads are open");

            PrometheusScrape scrape = PrometheusScrape.of(trainer.http());
            assertEquals(1, scrape.value("stackgan_access_refusals_total", "scope", "management", "reason",
                    "missing_token", "protocol", "http"), scrape.text());
            assertEquals(1, scrape.value("stackgan_access_refusals_total", "scope", "management", "reason",
                    "missing_token", "protocol", "grpc"), scrape.text());
        }
    }

    @Test
    void theCommandLineReadsTheServicesTokenSettingFromTheEnvironment(@TempDir Path dir) throws Exception {
        Path secret = Files.writeString(dir.resolve("token"), TOKEN + "\n");
        assertEquals(TOKEN, TrainerClient.managementToken(Map.of("STACKGAN_ACCESS_MANAGEMENT_TOKEN_FILE",
                secret.toString())));
        assertEquals(TOKEN, TrainerClient.managementToken(Map.of("STACKGAN_ACCESS_MANAGEMENT_TOKEN", TOKEN)));
        assertNull(TrainerClient.managementToken(Map.of()));
    }

    private static HttpResponse<String> post(TrainerHarness trainer, String path, String authorization)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(trainer.http().resolve(path))
                .POST(HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(30));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
