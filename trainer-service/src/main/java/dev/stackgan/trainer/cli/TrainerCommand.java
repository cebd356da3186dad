package dev.stackgan.trainer.cli;

import dev.stackgan.proto.v1.Bundle;
import dev.stackgan.proto.v1.Checkpoint;
import dev.stackgan.proto.v1.ExportBundleRequest;
import dev.stackgan.proto.v1.PromoteBundleRequest;
import dev.stackgan.proto.v1.Run;
import dev.stackgan.proto.v1.RunKind;
import dev.stackgan.proto.v1.RunProgress;
import dev.stackgan.proto.v1.RunSpec;
import dev.stackgan.proto.v1.RunStatus;
import dev.stackgan.trainer.bench.MarkdownTable;
import dev.stackgan.trainer.data.Split;
import dev.stackgan.trainer.data.synthetic.SyntheticBirds;
import dev.stackgan.trainer.eval.Evaluator;
import dev.stackgan.trainer.run.StageRun;
import io.grpc.StatusRuntimeException;
import io.micronaut.grpc.server.GrpcEmbeddedServer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The command line: {@code train --spec spec.json [--target host:port]} submits a run and watches it with a
 * progress line; {@code pipeline --preset tiny ...} generates a synthetic-birds set and trains text encoder,
 * Stage-I and Stage-II on an embedded trainer, then exports and promotes a bundle; {@code pipeline --recipe DIR}
 * trains the run specs of a recipe directory instead, linking each run to the checkpoints of the earlier ones.
 */
final class TrainerCli {

    static final String DEFAULT_TARGET = "localhost:50060";
    private static final int BAR_WIDTH = 24;
    private static final String USAGE = """
            usage: trainer-service [serve]                       run the trainer service (gRPC, default port 50060)
                   trainer-service train --spec FILE [--target HOST:PORT]
                                                               submit a run and watch it to the end
                   trainer-service export --checkpoint ID [--bundle-id ID] [--target HOST:PORT]
                                                               export a bundle from a Stage-II checkpoint
                   trainer-service pipeline [--preset tiny] [--work DIR] [--images 48] [--epochs 1]
                                            [--recipe DIR] [--data DIR] [--jdbc-url URL] [--bundle-id ID]
                                                               synthetic birds -> text encoder -> Stage-I -> Stage-II
                                                               -> bundle, promoted to DIR/models; --recipe: the run
                                                               specs DIR/*.json in name order instead
                   trainer-service evaluate --checkpoint DIR --dataset DIR [--split stackgan-class]
                                            [--side train|test] [--samples 16] [--seed 1]
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
                case "export" -> cli.export(options(args, Set.of("checkpoint", "bundle-id", "target")));
                case "pipeline" -> cli.pipeline(options(args, Set.of("preset", "work", "images", "epochs",
                        "jdbc-url", "bundle-id", "recipe", "data")));
                case "evaluate" -> cli.evaluate(options(args, Set.of("checkpoint", "dataset", "split", "side",
                        "samples", "seed")));
                default -> throw new IllegalArgumentException("unknown command '" + command + "'");
            };
        } catch (SpecFileException e) {
            System.err.println("trainer: " + e.getMessage());
            return 2;
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

    /**
     * Evaluates one checkpoint on a data set (the training side of its split, or with {@code --side test} the
     * held-out captions and images) and prints the figures as one JSON object.
     */
    private int evaluate(Map<String, String> options) throws IOException {
        String checkpoint = required(options, "checkpoint", "the Stage-I or Stage-II checkpoint directory");
        String dataset = required(options, "dataset", "the data set directory holding CUB_200_2011/");
        Integer samples = intOption(options, "samples");
        Integer seed = intOption(options, "seed");
        String side = options.getOrDefault("side", "train");
        if (!side.equals("train") && !side.equals("test")) {
            throw new IllegalArgumentException("--side must be train or test, got '" + side + "'");
        }
        Map<String, Double> figures = StageRun.evaluate(Path.of(checkpoint), Path.of(dataset),
                Split.parse(options.get("split")), side.equals("train"), new Evaluator.Settings(
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
        RunSpec runSpec = specFile(Path.of(spec));
        try (TrainerClient client = TrainerClient.connect(options.getOrDefault("target", DEFAULT_TARGET),
                Duration.ofSeconds(10))) {
            return trainAndWatch(client, runSpec).getStatus() == RunStatus.RUN_STATUS_SUCCEEDED ? 0 : 1;
        }
    }

    /** A spec file refused before anything is sent: the message names the file and the field. */
    static final class SpecFileException extends RuntimeException {
        SpecFileException(Path file, String message) {
            super(file + ": " + message);
        }
    }

    /** A spec file (JSON, dev.stackgan.trainer.run.RunSpec's fields) as the API's message. */
    static RunSpec specFile(Path file) throws IOException {
        try {
            return Protos.specFromJson(Files.readString(file));
        } catch (IllegalArgumentException e) {
            throw new SpecFileException(file, e.getMessage());
        }
    }

    /** Creates the run and draws its progress line until it ends; returns the final progress. */
    private RunProgress trainAndWatch(TrainerClient client, RunSpec spec) {
        Run run = client.create(spec);
        String kind = Protos.word("kind", run.getKind());
        out.printf("run %d (%s%s): %s, %d steps%n", run.getId(), kind,
                run.getName().equals(kind) ? "" : " '" + run.getName() + "'", Protos.shortName(run.getStatus()),
                run.getTotalSteps());
        RunProgress end = client.watch(run.getId(), progress -> {
            if (progress.hasEvent()) {
                out.printf("%n  %s at step %d: %s%n", Protos.shortName(progress.getEvent().getType()),
                        progress.getEvent().getStep(), progress.getEvent().getMessage());
            }
            out.print("\r" + progressLine(progress));
        });
        out.printf("%nrun %d %s%s%n", run.getId(), Protos.shortName(end.getStatus()), end.getError().isEmpty() ? ""
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
        Path work = Path.of(options.getOrDefault("work", "pipeline")).toAbsolutePath();
        Path recipe = options.containsKey("recipe") ? Path.of(options.get("recipe")) : null;
        if (recipe != null && (options.containsKey("preset") || options.containsKey("epochs"))) {
            throw new IllegalArgumentException("--preset and --epochs build the tiny pipeline; a --recipe's spec"
                    + " files set their own");
        }
        List<RunSpec> specs = recipe == null ? presetSpecs(options) : recipeSpecs(recipe);
        Path data = Path.of(options.getOrDefault("data", work.resolve("data").toString())).toAbsolutePath();
        Path birds = data.resolve("birds");
        if (options.containsKey("data") && !Files.isDirectory(birds)) {
            throw new IllegalArgumentException("--data " + data + " holds no birds/ data set");
        }
        if (!Files.isDirectory(birds)) {
            Integer images = intOption(options, "images");
            SyntheticBirds.generate(recipe == null ? new SyntheticBirds.Options(birds, images == null ? 48 : images,
                    1, 160, 120) : new SyntheticBirds.Options(birds, images == null ? SyntheticBirds.CUB_IMAGE_COUNT
                    : images, 1, SyntheticBirds.DEFAULT_WIDTH, SyntheticBirds.DEFAULT_HEIGHT));
        }
        Map<String, Object> properties = new HashMap<>();
        for (String dir : List.of("runs", "bundles", "models")) {
            properties.put("stackgan.trainer." + (dir.equals("models") ? "model-repository" : dir + "-directory"),
                    work.resolve(dir).toString());
        }
        properties.put("stackgan.trainer.data-root", data.toString());
        properties.put("grpc.server.port", freePort());
        if (options.containsKey("jdbc-url")) {
            properties.put("datasources.default.url", options.get("jdbc-url"));
        }
        GrpcEmbeddedServer server = TrainerApplication.start(new String[0], properties);
        try (TrainerClient client = TrainerClient.connect("127.0.0.1:" + server.getPort(), Duration.ofSeconds(30))) {
            long started = System.nanoTime();
            Map<RunKind, Long> last = new EnumMap<>(RunKind.class);
            MarkdownTable summary = new MarkdownTable("run", "kind", "steps", "wall time", "last checkpoint");
            for (RunSpec spec : specs) {
                RunKind kind = spec.getKind();
                RunSpec.Builder linked = spec.toBuilder();
                if (kind != RunKind.RUN_KIND_TEXT_ENCODER && spec.getTextEncoderCheckpointId() == 0) {
                    linked.setTextEncoderCheckpointId(link(kind, "textEncoderCheckpoint",
                            last.get(RunKind.RUN_KIND_TEXT_ENCODER)));
                }
                if (kind == RunKind.RUN_KIND_STAGE2 && spec.getStage1CheckpointId() == 0) {
                    linked.setStage1CheckpointId(link(kind, "stage1Checkpoint", last.get(RunKind.RUN_KIND_STAGE1)));
                }
                long runStarted = System.nanoTime();
                Stage stage = stage(client, linked.build());
                last.put(kind, stage.checkpoint());
                summary.row(stage.runId(), Protos.word("kind", kind), stage.steps(), duration(seconds(runStarted)),
                        stage.checkpoint());
            }
            Long stage2 = last.get(RunKind.RUN_KIND_STAGE2);
            if (stage2 == null) {
                // a recipe of comparisons (recipes/ablation-stage1) ends at its runs' checkpoints
                out.println("no stage2 run in the recipe: nothing exported");
            } else {
                Bundle bundle = export(client, stage2, options.getOrDefault("bundle-id", ""));
                Bundle promoted = client.stub().promoteBundle(PromoteBundleRequest.newBuilder()
                        .setBundleId(bundle.getBundleId()).build());
                Path repository = work.resolve("models");
                out.printf("promoted %s: %s now reads '%s'%n", promoted.getBundleId(),
                        repository.resolve(Bundles.POINTER),
                        Files.readString(repository.resolve(Bundles.POINTER)).trim());
            }
            out.print(summary.render());
            out.printf("pipeline wall time %s%n", duration(seconds(started)));
            return 0;
        } finally {
            server.getApplicationContext().close();
        }
    }

    /** Exports a bundle from a checkpoint on a running trainer (its checksum verified there) and prints where. */
    private Bundle export(TrainerClient client, long checkpoint, String bundleId) {
        Bundle bundle = client.stub().exportBundle(ExportBundleRequest.newBuilder().addCheckpointIds(checkpoint)
                .setBundleId(bundleId).build());
        out.printf("exported bundle %s from checkpoint %d (manifest sha256 %s)%n", bundle.getBundleId(),
                checkpoint, bundle.getSha256());
        return bundle;
    }

    private int export(Map<String, String> options) throws InterruptedException {
        Integer checkpoint = intOption(options, "checkpoint");
        if (checkpoint == null) {
            throw new IllegalArgumentException("--checkpoint is required: a Stage-II checkpoint id (ListCheckpoints)");
        }
        try (TrainerClient client = TrainerClient.connect(options.getOrDefault("target", DEFAULT_TARGET),
                Duration.ofSeconds(10))) {
            export(client, checkpoint, options.getOrDefault("bundle-id", ""));
            return 0;
        }
    }

    /** The tiny pipeline's three specs from the flags (the pipeline fills in their checkpoint references). */
    private static List<RunSpec> presetSpecs(Map<String, String> options) {
        String common = String.format(Locale.ROOT, "\"preset\":\"%s\",\"dataset\":\"birds\",\"split\":"
                + "\"cub-image\",\"epochs\":%d,\"snapshotEveryEpochs\":1", options.getOrDefault("preset", "tiny"),
                Integer.parseInt(options.getOrDefault("epochs", "1")));
        return List.of("text-encoder", "stage1", "stage2").stream()
                .map(kind -> Protos.specFromJson("{\"kind\":\"" + kind + "\"," + common + "}")).toList();
    }

    /**
     * The {@code *.json} run specs of a recipe directory, in file-name order, each converted (and so checked)
     * before the first run starts.
     */
    static List<RunSpec> recipeSpecs(Path recipe) throws IOException {
        if (!Files.isDirectory(recipe)) {
            throw new IllegalArgumentException("--recipe " + recipe + " is not a directory");
        }
        List<RunSpec> specs = new ArrayList<>();
        try (Stream<Path> files = Files.list(recipe)) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".json")).sorted().toList()) {
                RunSpec spec = specFile(file);
                if (spec.getKind() == RunKind.RUN_KIND_UNSPECIFIED) {
                    throw new SpecFileException(file, "kind is required: text-encoder, stage1 or stage2");
                }
                specs.add(spec);
            }
        }
        if (specs.isEmpty()) {
            throw new IllegalArgumentException("--recipe " + recipe + " holds no *.json run specs");
        }
        return specs;
    }

    /** The last checkpoint of an earlier run, for a checkpoint reference the spec leaves open. */
    private static long link(RunKind kind, String field, Long checkpoint) {
        if (checkpoint == null) {
            throw new IllegalArgumentException("a " + Protos.word("kind", kind) + " run needs " + field
                    + " but no earlier run of the pipeline provides it");
        }
        return checkpoint;
    }

    private static long seconds(long startedNanos) {
        return Math.round((System.nanoTime() - startedNanos) / 1e9);
    }

    private static int freePort() throws IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** A finished run of the pipeline: its id, steps trained and last checkpoint id. */
    private record Stage(long runId, long steps, long checkpoint) {
    }

    /** Trains one stage; returns its run and last checkpoint, or throws when the run did not succeed. */
    private Stage stage(TrainerClient client, RunSpec spec) {
        RunProgress end = trainAndWatch(client, spec);
        if (end.getStatus() != RunStatus.RUN_STATUS_SUCCEEDED) {
            throw new IllegalStateException("run " + end.getRunId() + " ended " + Protos.shortName(end.getStatus())
                    + (end.getError().isEmpty() ? "" : ": " + end.getError()) + "; pipeline stopped");
        }
        List<Checkpoint> checkpoints = client.checkpoints(end.getRunId());
        Checkpoint last = checkpoints.get(checkpoints.size() - 1);
        out.printf("  checkpoint %d: epoch %d step %d (%d bytes, sha256 %s)%n", last.getId(), last.getEpoch(),
                last.getStep(), last.getSizeBytes(), last.getSha256());
        return new Stage(end.getRunId(), end.getStep(), last.getId());
    }
}
