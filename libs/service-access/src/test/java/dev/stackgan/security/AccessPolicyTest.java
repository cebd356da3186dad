package dev.stackgan.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micronaut.context.exceptions.ConfigurationException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The decisions and the configuration checks of {@link AccessPolicy}, without a server. */
class AccessPolicyTest {

    static final String MANAGEMENT = "management-token-0123456789abcdef";
    static final String API = "api-token-0123456789abcdef+/==";

    @TempDir
    Path dir;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private AccessPolicy policy(String management, String api) {
        AccessSettings settings = new AccessSettings();
        settings.setManagementToken(management);
        settings.setApiToken(api);
        return new AccessPolicy(settings, registry);
    }

    @Test
    void managementNeedsTheManagementToken() {
        AccessPolicy policy = policy(MANAGEMENT, API);
        assertNull(policy.check(Scope.MANAGEMENT, "Bearer " + MANAGEMENT, "grpc"));
        assertNull(policy.check(Scope.MANAGEMENT, "bearer " + MANAGEMENT, "grpc"), "the scheme is case-insensitive");
        assertRefused(policy.check(Scope.MANAGEMENT, null, "grpc"), Status.Code.UNAUTHENTICATED, "missing_token");
        assertRefused(policy.check(Scope.MANAGEMENT, "Basic dXNlcjpwYXNz", "grpc"), Status.Code.UNAUTHENTICATED,
                "malformed_token");
        assertRefused(policy.check(Scope.MANAGEMENT, "Bearer two words", "grpc"), Status.Code.UNAUTHENTICATED,
                "malformed_token");
        assertRefused(policy.check(Scope.MANAGEMENT, "Bearer " + MANAGEMENT + "x", "http"),
                Status.Code.PERMISSION_DENIED, "wrong_token");
        assertRefused(policy.check(Scope.MANAGEMENT, "Bearer " + API, "http"), Status.Code.PERMISSION_DENIED,
                "api_token");
        assertEquals(1, registry.counter("stackgan.access.refusals", "scope", "management", "reason", "api_token",
                "protocol", "http").count());
        assertEquals(2, registry.counter("stackgan.access.refusals", "scope", "management", "reason",
                "malformed_token", "protocol", "grpc").count());
    }

    @Test
    void theApiTakesEitherTokenOnceOneIsSet() {
        AccessPolicy guarded = policy(MANAGEMENT, API);
        assertNull(guarded.check(Scope.API, "Bearer " + API, "grpc"));
        assertNull(guarded.check(Scope.API, "Bearer " + MANAGEMENT, "grpc"));
        assertRefused(guarded.check(Scope.API, null, "grpc"), Status.Code.UNAUTHENTICATED, "missing_token");
        assertRefused(guarded.check(Scope.API, "Bearer " + API.substring(1), "grpc"), Status.Code.PERMISSION_DENIED,
                "wrong_token");
        assertNull(guarded.check(Scope.OPEN, null, "grpc"));

        AccessPolicy open = policy(MANAGEMENT, null);
        assertNull(open.check(Scope.API, null, "http"), "without an API token the API is open");
        assertTrue(open.managementToken().isPresent());
    }

    @Test
    void withoutAManagementTokenManagementIsAllowed() {
        AccessPolicy policy = policy(null, null);
        assertNull(policy.check(Scope.MANAGEMENT, null, "grpc"));
        assertTrue(policy.managementToken().isEmpty());
    }

    @Test
    void tokensComeFromSecretFiles() throws Exception {
        Path secret = Files.writeString(dir.resolve("management"), MANAGEMENT + "\n");
        AccessSettings settings = new AccessSettings();
        settings.setManagementTokenFile(secret);
        AccessPolicy policy = new AccessPolicy(settings, registry);
        assertNull(policy.check(Scope.MANAGEMENT, "Bearer " + MANAGEMENT, "grpc"), "the file's newline is no part");

        settings.setManagementToken(MANAGEMENT);
        assertEquals("stackgan.access.management-token and stackgan.access.management-token-file are both set: set"
                + " one", refused(settings));
        settings.setManagementToken(null);
        settings.setManagementTokenFile(dir.resolve("absent"));
        assertTrue(refused(settings).startsWith("stackgan.access.management-token-file: cannot read "),
                refused(settings));
        settings.setManagementTokenFile(Files.writeString(dir.resolve("empty"), "\n"));
        assertTrue(refused(settings).endsWith(" is empty"), refused(settings));
    }

    @Test
    void weakOrSharedTokensAreRefusedAtStartup() {
        AccessSettings settings = new AccessSettings();
        settings.setManagementToken("stackgan");
        assertTrue(refused(settings).startsWith("stackgan.access.management-token must be at least 22 characters"),
                refused(settings));
        settings.setManagementToken(MANAGEMENT + " space");
        assertTrue(refused(settings).startsWith("stackgan.access.management-token must be"), refused(settings));
        settings.setManagementToken(MANAGEMENT);
        settings.setApiToken(MANAGEMENT);
        assertTrue(refused(settings).startsWith("stackgan.access.api-token must differ from the management token"),
                refused(settings));
    }

    @Test
    void grpcMethodsByScope() {
        assertEquals(Scope.MANAGEMENT, Scope.ofGrpc("stackgan.v1.ModelManagementService/ReloadModel"));
        assertEquals(Scope.OPEN, Scope.ofGrpc("stackgan.v1.ModelManagementService/GetModelInfo"));
        assertEquals(Scope.MANAGEMENT, Scope.ofGrpc("stackgan.v1.TrainerService/PromoteBundle"));
        assertEquals(Scope.OPEN, Scope.ofGrpc("stackgan.v1.TrainerService/ListRuns"));
        assertEquals(Scope.API, Scope.ofGrpc("stackgan.v1.GatewayService/GenerateStream"));
        assertEquals(Scope.OPEN, Scope.ofGrpc("stackgan.v1.Stage1Service/Generate"));
        assertEquals(Scope.OPEN, Scope.ofGrpc("grpc.health.v1.Health/Check"));
    }

    private String refused(AccessSettings settings) {
        return assertThrows(ConfigurationException.class, () -> new AccessPolicy(settings, registry)).getMessage();
    }

    private static void assertRefused(Refusal refusal, Status.Code code, String reason) {
        assertEquals(code, refusal.code(), refusal.toString());
        assertEquals(reason, refusal.reason(), refusal.toString());
    }
}
