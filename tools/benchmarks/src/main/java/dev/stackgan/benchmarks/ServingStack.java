package dev.stackgan.benchmarks;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The four serving processes, started from their built jars the way scripts/serve-local.sh starts them, but on free
 * ports and with the given model repository. Start-up time is measured from process start until the service's
 * grpc.health.v1 status is SERVING (model services report that only once their model is loaded).
 */
public final class ServingStack implements AutoCloseable {

    /** One child process. */
    public record Service(String module, Process process, int grpcPort, double startupSeconds) {

        /** Resident memory from /proc/PID/status, in KiB. */
        public long rssKib() {
            try {
                return Long.parseLong(Machine.field(Files.readString(Path.of("/proc/" + process.pid() + "/status")),
                        "VmRSS").replace("kB", "").trim());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the memory of " + module + " (pid " + process.pid() + ")",
                        e);
            }
        }
    }

    /**
     * What a stack's processes get beyond the ports and the model repository: {@code jvmOptions} go to all four
     * command lines, {@code modelServiceProperties} ({@code -Dkey=value}) to the three model services only,
     * {@code moduleProperties} to the model service each is keyed by; {@code classArchives} null for none.
     */
    public record Options(List<String> jvmOptions, List<String> modelServiceProperties,
                          Map<String, List<String>> moduleProperties, ClassArchives classArchives) {

        /** The services as they are configured today. */
        public static final Options CURRENT = new Options(List.of(), List.of());

        public Options(List<String> jvmOptions, List<String> modelServiceProperties) {
            this(jvmOptions, modelServiceProperties, Map.of(), null);
        }

        /** {@code properties} for {@code module}'s command line only. */
        public static Options forModule(String module, List<String> properties) {
            return new Options(List.of(), List.of(), Map.of(module, properties), null);
        }
    }

    /**
     * Class-data sharing archives, one per module in {@code directory}, as scripts/serve-local.sh keeps them: written
     * when the processes exit ({@code write}), or used.
     */
    public record ClassArchives(Path directory, boolean write) {

        Path archive(String module) {
            return directory.resolve(module + ".jsa");
        }

        List<String> jvmOptions(String module) {
            return write ? List.of("-XX:ArchiveClassesAtExit=" + archive(module), "-Xlog:cds=off")
                    : List.of("-XX:SharedArchiveFile=" + archive(module));
        }
    }

    static final String TEXT_ENCODER_SERVICE = "text-encoder-service";
    static final String STAGE1_SERVICE = "stage1-service";
    static final String STAGE2_SERVICE = "stage2-service";
    static final List<String> MODEL_SERVICES = List.of(TEXT_ENCODER_SERVICE, STAGE1_SERVICE, STAGE2_SERVICE);
    static final String GATEWAY = "gateway";
    /** All four, in start order. */
    static final List<String> MODULES = List.of(TEXT_ENCODER_SERVICE, STAGE1_SERVICE, STAGE2_SERVICE, GATEWAY);
    private static final double START_TIMEOUT_SECONDS = 240;

    private final List<Process> processes = new ArrayList<>();
    /** The health checks' channels, open while the stack runs, as a prober's stay open. */
    private final List<ManagedChannel> healthChannels = new ArrayList<>();
    private final List<Service> services = new ArrayList<>();
    private final int httpPort;
    private final int gatewayGrpcPort;

    /**
     * Stops the services when the harness itself is stopped (Ctrl-C, kill): they are child processes, which outlive
     * their parent, and a stack left behind went on writing into the next run's logs and taking its cores.
     */
    private final Thread stopOnExit = new Thread(() -> processes.forEach(Process::destroyForcibly),
            "stop-serving-stack");

    private ServingStack(int httpPort, int gatewayGrpcPort) {
        this.httpPort = httpPort;
        this.gatewayGrpcPort = gatewayGrpcPort;
        Runtime.getRuntime().addShutdownHook(stopOnExit);
    }

    /**
     * Starts all four at once (as serve-local.sh does, so they compete for the cores while starting) and waits
     * until each is SERVING. {@code maxBatchSize} 1 turns dynamic batching off in the model services.
     */
    public static ServingStack start(Path root, Path models, int maxBatchSize, Path logs, Options options)
            throws Exception {
        Files.createDirectories(logs);
        ServingStack stack = new ServingStack(freePort(), freePort());
        try {
            List<String> targets = new ArrayList<>();
            List<Integer> ports = new ArrayList<>();
            long start = System.nanoTime();
            for (String module : MODEL_SERVICES) {
                int port = freePort();
                targets.add("dns:///localhost:" + port);
                ports.add(port);
                List<String> properties = new ArrayList<>(List.of("-Dgrpc.server.port=" + port,
                        "-Dstackgan.serving.model-repository=" + models,
                        "-Dstackgan.serving.batching.max-batch-size=" + maxBatchSize));
                properties.addAll(options.modelServiceProperties());
                properties.addAll(options.moduleProperties().getOrDefault(module, List.of()));
                stack.processes.add(launch(root, module, logs, options, properties));
            }
            ports.add(stack.gatewayGrpcPort);
            stack.processes.add(launch(root, GATEWAY, logs, options, List.of(
                    "-Dgrpc.server.port=" + stack.gatewayGrpcPort, "-Dmicronaut.server.port=" + stack.httpPort,
                    "-Dstackgan.gateway.text-encoder-target=" + targets.get(0),
                    "-Dstackgan.gateway.stage1-target=" + targets.get(1),
                    "-Dstackgan.gateway.stage2-target=" + targets.get(2))));
            ports.stream().map(ServingStack::channel).forEach(stack.healthChannels::add);
            double[] seconds = awaitServing(MODULES, stack.processes, stack.healthChannels, start, logs);
            for (int i = 0; i < MODULES.size(); i++) {
                stack.services.add(new Service(MODULES.get(i), stack.processes.get(i), ports.get(i), seconds[i]));
            }
            return stack;
        } catch (Exception | Error e) {
            stack.close();
            throw e;
        }
    }

    public List<Service> services() {
        return services;
    }

    /** Each service's module name and process id, in start order. */
    public Map<String, Long> pids() {
        Map<String, Long> pids = new LinkedHashMap<>();
        services.forEach(s -> pids.put(s.module(), s.process().pid()));
        return pids;
    }

    public int httpPort() {
        return httpPort;
    }

    public int gatewayGrpcPort() {
        return gatewayGrpcPort;
    }

    /** The gRPC port of {@code module}, one of {@link #MODEL_SERVICES} or {@link #GATEWAY}. */
    public int grpcPort(String module) {
        return services.stream().filter(s -> s.module().equals(module)).findFirst().orElseThrow().grpcPort();
    }

    /** A plaintext channel to a service of this machine; the caller shuts it down. */
    static ManagedChannel channel(int port) {
        return ManagedChannelBuilder.forAddress("localhost", port).usePlaintext().build();
    }

    private static Process launch(Path root, String module, Path logs, Options options, List<String> properties)
            throws IOException {
        Path jar = root.resolve(module).resolve("target").resolve(module + "-0.1.0-SNAPSHOT.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: build the serving jars first (scripts/benchmark.sh "
                    + "does, unless SKIP_BUILD is set)");
        }
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        // the flags the containers and serve-local start the services with; a comparison's own come later and win
        command.addAll(serviceJvmFlags(root));
        command.addAll(options.jvmOptions());
        if (options.classArchives() != null) {
            command.addAll(options.classArchives().jvmOptions(module));
        }
        command.addAll(properties);
        // the model services' HTTP health port: a random one, so replicas do not collide on 8081-8083
        if (!module.equals(GATEWAY)) {
            command.add("-Dmicronaut.server.port=-1");
        }
        command.addAll(List.of("-jar", jar.toString()));
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(logs.resolve(module + ".log").toFile()).start();
    }

    /** docker/service-jvm-flags: one flag a line, comments and blank lines left out. */
    static List<String> serviceJvmFlags(Path root) throws IOException {
        return Files.readAllLines(root.resolve("docker").resolve("service-jvm-flags")).stream().map(String::trim)
                .filter(line -> !line.isEmpty() && !line.startsWith("#")).toList();
    }

    /**
     * Polls every service's health every 20 ms over {@code channels}; returns each one's seconds from {@code start}
     * to SERVING. The channels stay open: closing them the moment the stack is ready ran each service's
     * connection-closing code for the first time during the first requests timed after it (section 2's cold table).
     */
    private static double[] awaitServing(List<String> modules, List<Process> processes, List<ManagedChannel> channels,
                                         long start, Path logs) throws InterruptedException {
        double[] seconds = new double[modules.size()];
        int pending = modules.size();
        while (pending > 0) {
            for (int i = 0; i < modules.size(); i++) {
                if (seconds[i] == 0 && serving(modules.get(i), processes.get(i), channels.get(i), logs)) {
                    seconds[i] = (System.nanoTime() - start) / 1e9;
                    pending--;
                }
            }
            if (pending > 0 && (System.nanoTime() - start) / 1e9 > START_TIMEOUT_SECONDS) {
                throw new IllegalStateException("not every service was SERVING after " + START_TIMEOUT_SECONDS
                        + " s; see the logs in " + logs);
            }
            Thread.sleep(20);
        }
        return seconds;
    }

    private static boolean serving(String module, Process process, ManagedChannel channel, Path logs) {
        if (!process.isAlive()) {
            throw new IllegalStateException(module + " exited with " + process.exitValue() + " during start-up; see "
                    + logs.resolve(module + ".log"));
        }
        try {
            return HealthGrpc.newBlockingStub(channel).withDeadlineAfter(1, TimeUnit.SECONDS)
                    .check(HealthCheckRequest.getDefaultInstance()).getStatus() == ServingStatus.SERVING;
        } catch (StatusRuntimeException notListeningYet) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() throws InterruptedException {
        try {
            Runtime.getRuntime().removeShutdownHook(stopOnExit);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or about to: it stops the processes too
        }
        healthChannels.forEach(ManagedChannel::shutdownNow);
        for (Process process : processes) {
            process.destroy();
        }
        for (Process process : processes) {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
