package dev.stackgan.trainer.service;

import dev.stackgan.proto.v1.Bundle;
import dev.stackgan.proto.v1.Checkpoint;
import dev.stackgan.proto.v1.ExportBundleRequest;
import dev.stackgan.proto.v1.PromoteBundleRequest;
import dev.stackgan.proto.v1.Run;
import dev.stackgan.proto.v1.RunProgress;
import dev.stackgan.proto.v1.RunStatus;
import dev.stackgan.trainer.data.Split;
import dev.stackgan.trainer.data.synthetic.SyntheticBirds;
import dev.stackgan.trainer.eval.Evaluator;
import dev.stackgan.trainer.run.RunSpec;
import dev.stackgan.trainer.run.StageRun;
import io.grpc.StatusRuntimeException;
import io.micronaut.grpc.server.GrpcEmbeddedServer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The command line: {@code train --spec spec.json [--target host:port]} submits a run and watches it with a
 * progress line; {@code pipeline --preset tiny ...} generates a synthetic-birds set and trains text encoder,
 * Stage-I and Stage-II on an embedded trainer, then exports and promotes a bundle.
 */
final class TrainerCli {

    static final String DEFAULT_TARGET = "localhost:50060";
    private static final int BAR_WIDTH = 24;
    private static final String USAGE = """
            usage: trainer-service [serve]                       run the trainer service (gRPC, default port 50060)
                   trainer-service train --spec FILE [--target HOST:PORT]
                                                               submit a run and watch it to the end
                   trainer-service pipeline [--preset tiny] [--work DIR] [--images 48] [--epochs 1]
                                            [--jdbc-url URL] [--bundle-id ID]
                                                               synthetic birds -> text encoder -> Stage-I -> Stage-II
                                                               -> bundle, promoted to DIR/models
                   trainer-service evaluate --checkpoint DIR --dataset DIR [--split stackgan-class]
                                            [--samples 16] [--seed 1]
                                                               a Stage-I or Stage-II checkpoint's figures as JSON""";

    private final PrintStream out;

    private TrainerCli(PrintStream out) {
        this.out = out;
    }

    /** Runs {@code command}; returns the process exit code (0: the run or pipeline succeeded). */
    static int run(String command, String[] args) {
        TrainerCli cli = new TrainerCli(System.out);
        try {
            return switch (command) {
                case "train" -> cli.train(options(args, Set.of("spec", "target")));
                case "pipeline" -> cli.pipeline(options(args, Set.of("preset", "work", "images", "epochs",
                        "jdbc-url", "bundle-id")));
                case "evaluate" -> cli.evaluate(options(args, Set.of("checkpoint", "dataset", "split", "samples",
                        "seed")));
                default -> throw new IllegalArgumentException("unknown command '" + command + "'");
            };
        } catch (IllegalArgumentException e) {
            System.err.println("trainer: " + e.getMessage() + "\n" + USAGE);
            return 2;
        } catch (StatusRuntimeException e) {
            System.err.println("trainer: " + e.getStatus().getCode() + ": " + e.getStatus().getDescription());
            return 1;
        } catch (TrainerApplication.StartupException | IOException | IllegalStateException e) {
            System.err.println("trainer: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        }
    }

    static Map<String, String> options(String[] args, Set<String> known) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String name = args[i].startsWith("--") ? args[i].substring(2) : null;
            if (name == null || !known.contains(name)) {
                throw new IllegalArgumentException("unknown option '" + args[i] + "'; options: --"
                        + String.join(", --", known.stream().sorted().toList()));
            }
            if (i + 1 == args.length) {
                throw new IllegalArgumentException("--" + name + " needs a value");
            }
            options.put(name, args[++i]);
        }
        return options;
    }

    /** Evaluates one checkpoint on a data set (its training side) and prints the figures as one JSON object. */
    private int evaluate(Map<String, String> options) throws IOException {
        String checkpoint = required(options, "checkpoint", "the Stage-I or Stage-II checkpoint directory");
        String dataset = required(options, "dataset", "the data set directory holding CUB_200_2011/");
        Integer samples = intOption(options, "samples");
        Integer seed = intOption(options, "seed");
        Map<String, Double> figures = StageRun.evaluate(Path.of(checkpoint), Path.of(dataset),
                Split.parse(options.get("split")), new Evaluator.Settings(
                        samples == null ? Evaluator.Settings.DEFAULT_SAMPLES : samples, Evaluator.Settings.DEFAULT_FOLDS,
                        Evaluator.Settings.DEFAULT_CLASSIFIER_STEPS, seed == null ? 1L : seed));
        out.println(Protos.json(figures));
        return 0;
    }

    private static String required(Map<String, String> options, String name, String what) {
        String value = options.get(name);
        if (value == null) {
            throw new IllegalArgumentException("--" + name + " is required: " + what);
        }
        return value;
    }

    private static Integer intOption(Map<String, String> options, String name) {
        try {
            return options.containsKey(name) ? Integer.valueOf(options.get(name)) : null;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be an integer, got '" + options.get(name) + "'");
        }
    }

    private int train(Map<String, String> options) throws IOException, InterruptedException {
        String spec = options.get("spec");
        if (spec == null) {
            throw new IllegalArgumentException("--spec FILE is required: the run spec as JSON");
        }
        String json = Files.readString(Path.of(spec));
        try (TrainerClient client = TrainerClient.connect(options.getOrDefault("target", DEFAULT_TARGET),
                Duration.ofSeconds(10))) {
            return trainAndWatch(client, json).getStatus() == RunStatus.SUCCEEDED ? 0 : 1;
        }
    }

    /** Creates the run and draws its progress line until it ends; returns the final progress. */
    private RunProgress trainAndWatch(TrainerClient client, String specJson) {
        Run run = client.create(specJson);
        out.printf("run %d (%s%s): %s, %d steps%n", run.getId(), run.getKind(),
                run.getName().equals(run.getKind()) ? "" : " '" + run.getName() + "'", run.getStatus(),
                run.getTotalSteps());
        RunProgress end = client.watch(run.getId(), progress -> {
            if (progress.hasEvent()) {
                out.printf("%n  %s at step %d: %s%n", progress.getEvent().getType(), progress.getEvent().getStep(),
                        progress.getEvent().getMessage());
            }
            out.print("\r" + progressLine(progress));
        });
        out.printf("%nrun %d %s%s%n", run.getId(), end.getStatus(), end.getError().isEmpty() ? ""
                : ": " + end.getError());
        return end;
    }

    /** "[#########-----] 62.5% epoch 2/4 step 25/40 D 1.234 G 0.876 KL 0.012 | 48.1 img/s ETA 0:00:12". */
    static String progressLine(RunProgress p) {
        int filled = (int) Math.round(BAR_WIDTH * Math.min(100, Math.max(0, p.getPercentage())) / 100);
        String eta = p.getEtaSeconds() < 0 ? "--:--" : duration((long) Math.ceil(p.getEtaSeconds()));
        return String.format(Locale.ROOT, "[%s%s] %5.1f%% epoch %d/%d step %d/%d D %.3f G %.3f KL %.3f | %.1f img/s"
                        + " ETA %s ", "#".repeat(filled), "-".repeat(BAR_WIDTH - filled), p.getPercentage(),
                Math.min(p.getEpoch() + 1, Math.max(1, p.getEpochs())), p.getEpochs(), p.getStep(),
                p.getTotalSteps(), p.getDiscriminatorLoss(), p.getGeneratorLoss(), p.getKl(),
                p.getImagesPerSecond(), eta);
    }

    private static String duration(long seconds) {
        return String.format(Locale.ROOT, "%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60);
    }

    private int pipeline(Map<String, String> options) throws IOException, InterruptedException {
        String preset = options.getOrDefault("preset", "tiny");
        Path work = Path.of(options.getOrDefault("work", "pipeline")).toAbsolutePath();
        int images = Integer.parseInt(options.getOrDefault("images", "48"));
        int epochs = Integer.parseInt(options.getOrDefault("epochs", "1"));
        Path birds = work.resolve("data/birds");
        if (!Files.isDirectory(birds)) {
            SyntheticBirds.generate(new SyntheticBirds.Options(birds, images, 1, 160, 120));
        }
        Map<String, Object> properties = new HashMap<>();
        for (String dir : List.of("runs", "bundles", "models")) {
            properties.put("stackgan.trainer." + (dir.equals("models") ? "model-repository" : dir + "-directory"),
                    work.resolve(dir).toString());
        }
        properties.put("stackgan.trainer.data-root", work.resolve("data").toString());
        properties.put("grpc.server.port", freePort());
        if (options.containsKey("jdbc-url")) {
            properties.put("datasources.default.url", options.get("jdbc-url"));
        }
        GrpcEmbeddedServer server = TrainerApplication.start(new String[0], properties);
        try (TrainerClient client = TrainerClient.connect("127.0.0.1:" + server.getPort(), Duration.ofSeconds(30))) {
            String common = String.format(Locale.ROOT, "\"preset\":\"%s\",\"dataset\":\"birds\",\"split\":"
                    + "\"cub-image\",\"epochs\":%d,\"snapshotEveryEpochs\":1", preset, epochs);
            long textEncoder = stage(client, "{\"kind\":\"text-encoder\"," + common + "}");
            long stage1 = stage(client, "{\"kind\":\"stage1\"," + common + ",\"textEncoderCheckpoint\":\""
                    + textEncoder + "\"}");
            long stage2 = stage(client, "{\"kind\":\"stage2\"," + common + ",\"textEncoderCheckpoint\":\""
                    + textEncoder + "\",\"stage1Checkpoint\":\"" + stage1 + "\"}");
            Bundle bundle = client.stub().exportBundle(ExportBundleRequest.newBuilder().addCheckpointIds(stage2)
                    .setBundleId(options.getOrDefault("bundle-id", "")).build());
            out.printf("exported bundle %s from checkpoint %d: %s (manifest sha256 %s)%n", bundle.getBundleId(),
                    stage2, bundle.getPath(), bundle.getSha256());
            Bundle promoted = client.stub().promoteBundle(PromoteBundleRequest.newBuilder()
                    .setBundleId(bundle.getBundleId()).build());
            Path repository = work.resolve("models");
            out.printf("promoted %s: %s now reads '%s'%n", promoted.getBundleId(),
                    repository.resolve(Bundles.POINTER), Files.readString(repository.resolve(Bundles.POINTER)).trim());
            return 0;
        } finally {
            server.getApplicationContext().close();
        }
    }

    private static int freePort() throws IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** Trains one stage; returns its last checkpoint id, or throws when the run did not succeed. */
    private long stage(TrainerClient client, String specJson) {
        RunProgress end = trainAndWatch(client, specJson);
        if (end.getStatus() != RunStatus.SUCCEEDED) {
            throw new IllegalStateException("run " + end.getRunId() + " ended " + end.getStatus()
                    + (end.getError().isEmpty() ? "" : ": " + end.getError()) + "; pipeline stopped");
        }
        List<Checkpoint> checkpoints = client.checkpoints(end.getRunId());
        Checkpoint last = checkpoints.get(checkpoints.size() - 1);
        out.printf("  checkpoint %d: %s (%d bytes, sha256 %s)%n", last.getId(), last.getPath(), last.getSizeBytes(),
                last.getSha256());
        return last.getId();
    }
}
