package dev.stackgan.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The compose files, as docker-compose itself resolves them (there is no Docker engine here, but the Debian
 * docker-compose 1.29 package validates and merges files). Skipped when docker-compose is not installed; .ci/run
 * installs it.
 */
class ComposeFilesTest {

    private static final Set<String> SERVICES = Set.of("gateway", "text-encoder", "stage1", "stage2", "trainer",
            "postgres");
    /** compose service -> the Maven module its image is built from (the Dockerfile's MODULE). */
    private static final Map<String, String> MODULES = Map.of("gateway", "gateway", "text-encoder",
            "text-encoder-service", "stage1", "stage1-service", "stage2", "stage2-service", "trainer",
            "trainer-service");
    private static Path root;

    @BeforeAll
    static void findRepositoryRoot() {
        assumeTrue(RepositoryTool.onPath("docker-compose"),
                "docker-compose is not installed (apt-get install -y docker-compose); compose files not validated");
        root = RepositoryTool.root();
    }

    @Test
    void cpuStackHasEveryServiceWithHealthchecksAndOnlyTheGatewayPublished() throws Exception {
        Map<String, Map<String, Object>> services = services("docker-compose.yml");
        assertEquals(SERVICES, services.keySet());
        services.forEach((name, service) -> {
            assertNotNull(service.get("healthcheck"), name + " has a healthcheck");
            if (List.of("text-encoder", "stage1", "stage2", "gateway").contains(name)) {
                assertTrue(service.get("healthcheck").toString().contains("GET /health/readiness"),
                        name + " is healthy when ready (a model loaded), not merely listening");
            }
            assertEquals(name.equals("gateway"), service.containsKey("ports"), name + " published ports");
            if (!name.equals("postgres")) {
                Map<?, ?> build = (Map<?, ?>) service.get("build");
                assertEquals("Dockerfile", build.get("dockerfile"), name + " builds from the one root Dockerfile");
                assertEquals(MODULES.get(name), ((Map<?, ?>) build.get("args")).get("MODULE"), name + " MODULE");
            }
        });
        assertTrue(Files.isRegularFile(root.resolve("Dockerfile")), "the root Dockerfile exists");
        assertTrue(services.get("trainer").get("volumes").toString().contains("/models"),
                "the trainer promotes into the volume the model services serve");
        assertEquals(List.of("8080:8080", "50050:50050"), ports(services.get("gateway")));
    }

    @Test
    void everyServiceGetsTheManagementTokenAndTheDatabaseItsPassword() throws Exception {
        Map<String, Map<String, Object>> services = services("docker-compose.yml");
        for (String name : List.of("text-encoder", "stage1", "stage2", "gateway", "trainer")) {
            assertEquals("test-token-0123456789abcdef", ((Map<?, ?>) services.get(name).get("environment"))
                    .get("STACKGAN_ACCESS_MANAGEMENT_TOKEN"), name);
        }
        assertEquals("test-password-0123456789ab", ((Map<?, ?>) services.get("postgres").get("environment"))
                .get("POSTGRES_PASSWORD"));
    }

    @Test
    void gpuOverrideBuildsTheCudaFlavourAndReservesTheGpuForTheModelServicesAndTheTrainer() throws Exception {
        Map<String, Map<String, Object>> services = services("docker-compose.yml", "docker-compose.gpu.yml");
        for (String name : List.of("text-encoder", "stage1", "stage2", "trainer")) {
            Map<?, ?> args = (Map<?, ?>) ((Map<?, ?>) services.get(name).get("build")).get("args");
            assertEquals(MODULES.get(name), args.get("MODULE"), name);
            assertTrue(args.get("BASE").toString().contains("cudnn"), name);
            Map<?, ?> reservations = (Map<?, ?>) ((Map<?, ?>) ((Map<?, ?>) services.get(name).get("deploy"))
                    .get("resources")).get("reservations");
            assertTrue(reservations.get("devices").toString().contains("gpu"), name);
        }
    }

    @Test
    void overrideExampleOpensTheModelServicesOnLocalhost() throws Exception {
        Map<String, Map<String, Object>> services = services("docker-compose.yml",
                "docker-compose.override.example.yml");
        assertEquals(List.of("127.0.0.1:50053:50053"), ports(services.get("stage2")));
    }

    /** docker-compose config -q must accept the files; then their merged form, parsed. */
    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> services(String... files) throws Exception {
        // compose has no default for the secrets (.env.example): this run's own, in place of an .env
        Path secrets = Files.createTempFile("compose-secrets", ".env");
        Files.writeString(secrets, "STACKGAN_DB_PASSWORD=test-password-0123456789ab\n"
                + "STACKGAN_MANAGEMENT_TOKEN=test-token-0123456789abcdef\n");
        List<String> command = new ArrayList<>(List.of("docker-compose", "--env-file", secrets.toString()));
        for (String file : files) {
            command.addAll(List.of("-f", file));
        }
        command.add("config");
        RepositoryTool.run(root, withQuiet(command));
        Map<String, Object> merged = new Yaml().load(RepositoryTool.run(root, command));
        Files.delete(secrets);
        return (Map<String, Map<String, Object>>) merged.get("services");
    }

    private static List<String> withQuiet(List<String> command) {
        List<String> quiet = new ArrayList<>(command);
        quiet.add("-q");
        return quiet;
    }

    /** docker-compose 1.29 prints ports in long form; render them as [ip:]published:target. */
    private static List<String> ports(Map<String, Object> service) {
        List<String> out = new ArrayList<>();
        for (Object port : (List<?>) service.get("ports")) {
            if (port instanceof Map<?, ?> p) {
                String ip = p.get("host_ip") == null ? "" : p.get("host_ip") + ":";
                out.add(ip + p.get("published") + ":" + p.get("target"));
            } else {
                out.add(port.toString().replaceFirst("/tcp$", ""));
            }
        }
        return out;
    }
}
