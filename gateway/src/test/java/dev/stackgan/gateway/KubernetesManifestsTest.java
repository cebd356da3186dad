package dev.stackgan.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.micronaut.management.endpoint.health.HealthEndpoint;
import io.micronaut.management.health.indicator.HealthCheckType;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * deploy/k8s as {@code kubectl kustomize} renders its overlays, checked against the services themselves: every port,
 * probe and environment variable of a Deployment must be one the service's configuration (its application*.yml)
 * has. Skipped when kubectl is not installed; .ci/run installs it.
 */
class KubernetesManifestsTest {

    /** Deployment -> the Maven module it runs. */
    private static final Map<String, String> MODULES = Map.of("gateway", "gateway", "text-encoder",
            "text-encoder-service", "stage1", "stage1-service", "stage2", "stage2-service", "trainer",
            "trainer-service");
    private static final List<String> MODEL_SERVICES = List.of("text-encoder", "stage1", "stage2");
    private static final List<String> ON_GPU = List.of("text-encoder", "stage1", "stage2", "trainer");
    /** Read by the JVM and by DJL (where it unpacks libtorch), not by Micronaut's configuration. */
    /** Not in a module's application*.yml: the JVM's, DJL's, and service-access's token (docs/operations.md). */
    private static final Set<String> NOT_CONFIGURATION = Set.of("JAVA_TOOL_OPTIONS", "DJL_CACHE_DIR",
            "STACKGAN_ACCESS_MANAGEMENT_TOKEN");
    private static final String GPU = "nvidia.com/gpu";

    private static Path root;

    @BeforeAll
    static void findRepositoryRoot() {
        assumeTrue(RepositoryTool.onPath("kubectl"),
                "kubectl is not installed (apt-get install -y kubernetes-client); Kubernetes manifests not rendered");
        root = RepositoryTool.root();
    }

    @Test
    void cpuOverlayRunsTheCpuImagesWithoutGpus() throws Exception {
        Rendered cpu = renderConsistent("cpu");
        cpu.of("Deployment").forEach((name, deployment) -> {
            Map<String, Object> container = container(deployment);
            assertTrue(string(container, "image").endsWith(name.equals("gateway") ? ":latest" : ":cpu"),
                    name + " image " + container.get("image"));
            assertFalse(limits(container).containsKey(GPU), name + " asks for no GPU");
        });
    }

    @Test
    void gpuOverlayGivesTheModelServicesAndTheTrainerAGpuAndTheCudaImages() throws Exception {
        Rendered gpu = renderConsistent("gpu");
        gpu.of("Deployment").forEach((name, deployment) -> {
            Map<String, Object> container = container(deployment);
            boolean onGpu = ON_GPU.contains(name);
            assertEquals(onGpu, string(container, "image").endsWith(":cuda"), name + " " + container.get("image"));
            assertEquals(onGpu ? 1 : null, limits(container).get(GPU), name + " " + GPU);
            if (MODEL_SERVICES.contains(name)) {
                assertEquals("cuda", env(container).get("STACKGAN_SERVING_EXECUTION_PROVIDER"), name);
            }
        });
    }

    /** The overlay rendered, with every check that holds for both overlays done. */
    private static Rendered renderConsistent(String overlay) throws Exception {
        Rendered rendered = render(overlay);
        assertEquals(MODULES.keySet(), rendered.of("Deployment").keySet());
        for (Map.Entry<String, Map<String, Object>> deployment : rendered.of("Deployment").entrySet()) {
            matchesItsService(deployment.getKey(), deployment.getValue());
        }
        servicesReachTheirPods(rendered);
        modelServicesAreHeadlessAutoscaledAndBudgeted(rendered);
        gatewayTargetsTheModelServices(rendered);
        modelRepositoryIsOneSharedVolume(rendered);
        return rendered;
    }

    /** Ports, probes, environment and resources of one Deployment against its module's configuration. */
    private static void matchesItsService(String name, Map<String, Object> deployment) throws IOException {
        Map<String, Object> config = configuration(MODULES.get(name));
        Map<String, Object> container = container(deployment);
        Map<String, Integer> ports = containerPorts(container);
        assertEquals(config.get("grpc.server.port"), ports.get("grpc"), name + " gRPC port");
        // every service serves its health and metrics over HTTP on micronaut.server.port
        assertEquals(config.get("micronaut.server.port"), ports.get("http"), name + " HTTP port");
        assertTrue(Set.of("grpc", "http").containsAll(ports.keySet()), name + " ports " + ports);

        for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
            Map<String, Object> spec = map(container, probe);
            if (spec.containsKey("httpGet")) {
                Map<String, Object> get = map(spec, "httpGet");
                assertEquals(config.get("micronaut.server.port"), port(ports, get.get("port")), name + " " + probe);
                assertTrue(healthPaths(config).contains(string(get, "path")), name + " " + probe + " path "
                        + get.get("path") + " is not one of " + healthPaths(config));
            } else {
                assertEquals(config.get("grpc.server.port"), port(ports, map(spec, "tcpSocket").get("port")),
                        name + " " + probe + " (TCP: the service has no HTTP health)");
            }
        }

        for (String variable : env(container).keySet()) {
            assertTrue(NOT_CONFIGURATION.contains(variable) || config.keySet().stream()
                    .anyMatch(key -> environmentName(key).equals(variable)), name + ": " + variable
                    + " names no key of " + MODULES.get(name) + "'s configuration");
        }

        Map<String, Object> resources = map(container, "resources");
        assertNotNull(map(resources, "requests").get("cpu"), name + " CPU request");
        assertNotNull(map(resources, "requests").get("memory"), name + " memory request");
        assertNotNull(map(resources, "limits").get("memory"), name + " memory limit");
    }

    /** Every Service selects a Deployment's pods and forwards each port to the container port of that number. */
    private static void servicesReachTheirPods(Rendered rendered) {
        for (Map.Entry<String, Map<String, Object>> service : rendered.of("Service").entrySet()) {
            Map<String, Object> spec = map(service.getValue(), "spec");
            Map<String, Object> deployment = rendered.selected(map(spec, "selector"));
            Map<String, Integer> ports = containerPorts(container(deployment));
            for (Object port : list(spec, "ports")) {
                Map<?, ?> p = (Map<?, ?>) port;
                assertEquals(p.get("port"), port(ports, p.get("targetPort")), service.getKey() + " " + p);
            }
        }
    }

    private static void modelServicesAreHeadlessAutoscaledAndBudgeted(Rendered rendered) {
        for (String name : MODEL_SERVICES) {
            assertEquals("None", map(rendered.of("Service").get(name), "spec").get("clusterIP"),
                    name + " Service is headless, so DNS returns every pod");
            Map<String, Object> deployment = rendered.of("Deployment").get(name);
            assertFalse(map(deployment, "spec").containsKey("replicas"), name + ": the autoscaler owns replicas");
            Map<String, Object> hpa = map(rendered.of("HorizontalPodAutoscaler").get(name), "spec");
            assertEquals(Map.of("apiVersion", "apps/v1", "kind", "Deployment", "name", name),
                    map(hpa, "scaleTargetRef"));
            Map<String, Object> pdb = map(rendered.of("PodDisruptionBudget").get(name), "spec");
            assertEquals(deployment, rendered.selected(map(map(pdb, "selector"), "matchLabels")), name + " PDB");
            assertTrue((int) pdb.get("minAvailable") < (int) hpa.get("minReplicas"),
                    name + ": the budget leaves a pod to evict");
        }
    }

    /** dns:///SERVICE:PORT with each model service's headless Service and gRPC port. */
    private static void gatewayTargetsTheModelServices(Rendered rendered) throws IOException {
        Map<String, String> env = env(container(rendered.of("Deployment").get("gateway")));
        for (String name : MODEL_SERVICES) {
            Object port = configuration(MODULES.get(name)).get("grpc.server.port");
            assertEquals("dns:///" + name + ":" + port,
                    env.get(environmentName("stackgan.gateway." + name + "-target")), name + " target");
            assertNotNull(rendered.of("Service").get(name), name + " Service");
        }
    }

    /** One ReadWriteMany claim: the trainer promotes into it, the model services read it (read-only). */
    private static void modelRepositoryIsOneSharedVolume(Rendered rendered) {
        Map<String, Object> claim = rendered.of("PersistentVolumeClaim").get("models");
        assertEquals(List.of("ReadWriteMany"), list(map(claim, "spec"), "accessModes"));
        for (String name : MODEL_SERVICES) {
            mountsTheRepository(rendered.of("Deployment").get(name), "STACKGAN_SERVING_MODEL_REPOSITORY", true);
        }
        mountsTheRepository(rendered.of("Deployment").get("trainer"), "STACKGAN_TRAINER_MODEL_REPOSITORY", false);
    }

    /** The claim "models" is mounted where the variable {@code repository} points, read-only or not. */
    private static void mountsTheRepository(Map<String, Object> deployment, String repository, boolean readOnly) {
        Map<String, Object> pod = map(map(map(deployment, "spec"), "template"), "spec");
        Map<String, Object> container = container(deployment);
        for (Object volume : list(pod, "volumes")) {
            Map<?, ?> v = (Map<?, ?>) volume;
            if (v.get("persistentVolumeClaim") instanceof Map<?, ?> pvc && "models".equals(pvc.get("claimName"))) {
                for (Object mount : list(container, "volumeMounts")) {
                    Map<?, ?> m = (Map<?, ?>) mount;
                    if (v.get("name").equals(m.get("name"))) {
                        assertEquals(env(container).get(repository), m.get("mountPath"), repository);
                        assertEquals(readOnly, Boolean.TRUE.equals(m.get("readOnly")), repository + " read-only");
                        return;
                    }
                }
            }
        }
        fail(container.get("name") + " does not mount the claim models");
    }

    /** The health paths the service serves: Micronaut's health endpoint, if enabled, and its probe selectors. */
    private static List<String> healthPaths(Map<String, Object> config) {
        if (!Boolean.TRUE.equals(config.get(HealthEndpoint.PREFIX + ".enabled"))) {
            return List.of();
        }
        String base = config.getOrDefault("endpoints.all.path", "/").toString();
        List<String> paths = new ArrayList<>();
        for (HealthCheckType type : HealthCheckType.values()) {
            paths.add(base + HealthEndpoint.NAME + "/" + type.name().toLowerCase(Locale.ROOT));
        }
        return paths;
    }

    /** The variable Micronaut maps to {@code key}: upper case, dots and dashes as underscores. */
    private static String environmentName(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** Every key of the module's application*.yml files, flattened to dotted names. */
    private static Map<String, Object> configuration(String module) throws IOException {
        Map<String, Object> keys = new LinkedHashMap<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(
                root.resolve(module).resolve("src/main/resources"), "application*.yml")) {
            for (Path file : files) {
                try (InputStream in = Files.newInputStream(file)) {
                    flatten("", new Yaml().load(in), keys);
                }
            }
        }
        assertFalse(keys.isEmpty(), module + " has configuration");
        return keys;
    }

    private static void flatten(String prefix, Map<?, ?> tree, Map<String, Object> into) {
        tree.forEach((key, value) -> {
            if (value instanceof Map<?, ?> subtree) {
                flatten(prefix + key + ".", subtree, into);
            } else {
                into.put(prefix + key, value);
            }
        });
    }

    /** A port reference as a probe or Service gives it: a container port's name or number. */
    private static Integer port(Map<String, Integer> ports, Object reference) {
        return reference instanceof Integer number ? number : ports.get(reference.toString());
    }

    private static Map<String, Integer> containerPorts(Map<String, Object> container) {
        Map<String, Integer> ports = new LinkedHashMap<>();
        for (Object port : list(container, "ports")) {
            Map<?, ?> p = (Map<?, ?>) port;
            ports.put(p.get("name").toString(), (Integer) p.get("containerPort"));
        }
        return ports;
    }

    /** Plain values only: a variable from a Secret maps to its Secret key's name, one from the pod to its field. */
    private static Map<String, String> env(Map<String, Object> container) {
        Map<String, String> env = new LinkedHashMap<>();
        for (Object variable : list(container, "env")) {
            Map<?, ?> v = (Map<?, ?>) variable;
            Map<?, ?> from = (Map<?, ?>) v.get("valueFrom");
            env.put(v.get("name").toString(), v.containsKey("value") ? v.get("value").toString()
                    : from.containsKey("secretKeyRef") ? ((Map<?, ?>) from.get("secretKeyRef")).get("key").toString()
                    : ((Map<?, ?>) from.get("fieldRef")).get("fieldPath").toString());
        }
        return env;
    }

    private static Map<String, Object> limits(Map<String, Object> container) {
        return map(map(container, "resources"), "limits");
    }

    /** The single container of a Deployment's pods. */
    private static Map<String, Object> container(Map<String, Object> deployment) {
        List<?> containers = list(map(map(map(deployment, "spec"), "template"), "spec"), "containers");
        assertEquals(1, containers.size());
        @SuppressWarnings("unchecked")
        Map<String, Object> container = (Map<String, Object>) containers.get(0);
        return container;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Map<?, ?> parent, String key) {
        Object value = parent.get(key);
        assertTrue(value instanceof Map<?, ?>, key + " in " + parent);
        return (Map<String, Object>) value;
    }

    private static List<?> list(Map<?, ?> parent, String key) {
        Object value = parent.get(key);
        assertTrue(value instanceof List<?>, key + " in " + parent);
        return (List<?>) value;
    }

    private static String string(Map<?, ?> parent, String key) {
        return String.valueOf(parent.get(key));
    }

    /** {@code kubectl kustomize} of an overlay, by kind and name. */
    private static Rendered render(String overlay) throws Exception {
        String yaml = RepositoryTool.run(root, List.of("kubectl", "kustomize", "deploy/k8s/overlays/" + overlay));
        Map<String, Map<String, Map<String, Object>>> byKind = new LinkedHashMap<>();
        for (Object document : new Yaml().loadAll(yaml)) {
            @SuppressWarnings("unchecked")
            Map<String, Object> resource = (Map<String, Object>) document;
            byKind.computeIfAbsent(string(resource, "kind"), kind -> new LinkedHashMap<>())
                    .put(string(map(resource, "metadata"), "name"), resource);
        }
        return new Rendered(byKind);
    }

    private record Rendered(Map<String, Map<String, Map<String, Object>>> byKind) {

        Map<String, Map<String, Object>> of(String kind) {
            return byKind.getOrDefault(kind, Map.of());
        }

        /** The one Deployment whose pod labels include {@code selector}. */
        Map<String, Object> selected(Map<String, Object> selector) {
            List<Map<String, Object>> matching = new ArrayList<>();
            for (Map<String, Object> deployment : of("Deployment").values()) {
                Map<String, Object> labels = map(map(map(deployment, "spec"), "template"), "metadata");
                if (map(labels, "labels").entrySet().containsAll(selector.entrySet())) {
                    matching.add(deployment);
                }
            }
            if (matching.size() != 1) {
                fail(matching.size() + " Deployments match " + selector);
            }
            return matching.get(0);
        }
    }
}
