package dev.stackgan.trainer.cli;

import dev.stackgan.bundle.BundleException;
import dev.stackgan.console.MarkdownTable;
import dev.stackgan.console.Progress;
import dev.stackgan.datasets.Split;
import dev.stackgan.datasets.synthetic.SyntheticBirds;
import dev.stackgan.evaluation.Evaluator;
import dev.stackgan.proto.v1.Bundle;
import dev.stackgan.proto.v1.Checkpoint;
import dev.stackgan.proto.v1.ExportBundleRequest;
import dev.stackgan.proto.v1.ImportCheckpointRequest;
import dev.stackgan.proto.v1.PromoteBundleRequest;
import dev.stackgan.proto.v1.Run;
import dev.stackgan.proto.v1.RunKind;
import dev.stackgan.proto.v1.RunProgress;
import dev.stackgan.proto.v1.RunSpec;
import dev.stackgan.proto.v1.RunStatus;
import dev.stackgan.trainer.run.StageRun;
import dev.stackgan.trainer.service.Bundles;
import dev.stackgan.trainer.service.DirectoryDigest;
import dev.stackgan.trainer.service.Protos;
import dev.stackgan.trainer.service.TrainerApplication;
import dev.stackgan.trainer.service.TrainerClient;
import io.grpc.StatusRuntimeException;
import io.micronaut.grpc.server.GrpcEmbeddedServer;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The trainer's command line, one picocli command with a subcommand per job: {@code serve} (the default) runs the
 * gRPC service; {@code train} submits a run spec and watches it; {@code pipeline} trains text encoder, Stage-I and
 * Stage-II on an embedded trainer (a tiny synthetic set, or the run specs of a {@code --recipe} directory) and
 * exports and promotes the bundle; {@code export} and {@code evaluate} work on checkpoints; {@code synthetic-birds},
 * {@code render-grid} and {@code export-fresh} make data sets, README grids and untrained bundles.
 */
@Command(name = "stackgan-trainer", scope = ScopeType.INHERIT, mixinStandardHelpOptions = true,
        version = "stackgan-trainer 0.1.0", sortOptions = false, usageHelpAutoWidth = true,
        description = "Trains StackGAN models, tracks runs and checkpoints in PostgreSQL, exports model bundles.",
        subcommands = {SyntheticBirdsCommand.class, RenderGrid.class, ExportFreshBundle.class,
                CommandLine.HelpCommand.class})
public final class TrainerCommand implements Callable<Integer> {

    static final String DEFAULT_TARGET = "localhost:50060";
    static final String EXPORT_LAST = "last";
    static final String EXPORT_LOWEST_FD = "lowest-frechet-distance";
    private static final String FRECHET_DISTANCE = "frechet_distance";
    private static final String TARGET_HELP = "the trainer's gRPC address (default: ${DEFAULT-VALUE})";

    private final PrintStream out = System.out;

    /** Runs the command line and exits with its code. */
    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line; returns the exit code (0 done, 1 failed, 2 refused input, 130 interrupted). */
    public static int execute(String... args) {
        return commandLine().execute(args);
    }

    /** The command tree with the trainer's error handling. */
    public static CommandLine commandLine() {
        return handlingFailures(new CommandLine(new TrainerCommand()));
    }

    /** Known failures print one line naming the command and exit 1 or 2, never a stack trace. */
    public static CommandLine handlingFailures(CommandLine command) {
        return command.setExecutionExceptionHandler(TrainerCommand::failure);
    }

    private static int failure(Exception e, CommandLine command, CommandLine.ParseResult parsed) {
        String name = command.getCommandSpec().qualifiedName();
        if (e instanceof SpecFileException) {
            command.getErr().println(name + ": " + e.getMessage());
            return 2;
        }
        if (e instanceof IllegalArgumentException) {
            command.getErr().println(name + ": " + e.getMessage() + " (see " + name + " --help)");
            return 2;
        }
        if (e instanceof StatusRuntimeException status) {
            command.getErr().println(name + ": " + status.getStatus().getCode() + ": "
                    + status.getStatus().getDescription());
            return 1;
        }
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
            return 130;
        }
        if (e instanceof TrainerApplication.StartupException || e instanceof IOException
                || e instanceof UncheckedIOException || e instanceof IllegalStateException
                || e instanceof BundleException) {
            command.getErr().println(name + ": " + e.getMessage());
            return 1;
        }
        throw new IllegalStateException(e);
    }

    /** Without a subcommand: serve. */
    @Override
    public Integer call() throws InterruptedException {
        return serve();
    }

    @Command(name = "serve", description = "Runs the trainer service (gRPC, default port 50060) until stopped;"
            + " configure it with -Dkey=value or environment variables (docs/trainer.md).")
    int serve() throws InterruptedException {
        GrpcEmbeddedServer server = TrainerApplication.start(new String[0], Map.of());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> server.getApplicationContext().close()));
        new CountDownLatch(1).await();
        return 0;
    }

    @Command(name = "train", description = "Submits a run spec to a trainer and watches it to the end.")
    int train(@Option(names = "--spec", required = true, paramLabel = "FILE",
                      description = "the run spec as JSON (docs/trainer.md)") Path spec,
              @Option(names = "--target", defaultValue = DEFAULT_TARGET, paramLabel = "HOST:PORT",
                      description = TARGET_HELP) String target) throws IOException, InterruptedException {
        RunSpec runSpec = specFile(spec);
        try (TrainerClient client = TrainerClient.connect(target, Duration.ofSeconds(10),
                TrainerClient.managementToken(System.getenv()))) {
            return trainAndWatch(client, runSpec).getStatus() == RunStatus.RUN_STATUS_SUCCEEDED ? 0 : 1;
        }
    }

    @Command(name = "export", description = "Exports a model bundle from a Stage-II checkpoint on a trainer.")
    int export(@Option(names = "--checkpoint", required = true, paramLabel = "ID",
                       description = "the Stage-II checkpoint's id (ListCheckpoints)") long checkpoint,
               @Option(names = "--bundle-id", defaultValue = "", paramLabel = "ID",
                       description = "the new bundle's id (default: derived from the run)") String bundleId,
               @Option(names = "--target", defaultValue = DEFAULT_TARGET, paramLabel = "HOST:PORT",
                       description = TARGET_HELP) String target) throws IOException, InterruptedException {
        try (TrainerClient client = TrainerClient.connect(target, Duration.ofSeconds(10),
                TrainerClient.managementToken(System.getenv()))) {
            export(client, checkpoint, bundleId);
            return 0;
        }
    }

    @Command(name = "promote", description = "Promotes an exported bundle on a trainer: the model repository's CURRENT"
            + " names it, and the model services hot-swap to it.")
    int promote(@Option(names = "--bundle-id", required = true, paramLabel = "ID",
                        description = "the bundle's id (export prints it)") String bundleId,
                @Option(names = "--target", defaultValue = DEFAULT_TARGET, paramLabel = "HOST:PORT",
                        description = TARGET_HELP) String target) throws IOException, InterruptedException {
        try (TrainerClient client = TrainerClient.connect(target, Duration.ofSeconds(10),
                TrainerClient.managementToken(System.getenv()))) {
            Bundle promoted = client.stub().promoteBundle(PromoteBundleRequest.newBuilder().setBundleId(bundleId)
                    .build());
            out.printf("promoted %s (manifest sha256 %s)%n", promoted.getBundleId(), promoted.getSha256());
            return 0;
        }
    }

    /** The options of the commands that read a checkpoint against a data set. */
    static final class CheckpointOnData {
        @Option(names = "--checkpoint-dir", required = true, paramLabel = "DIR", description = "the checkpoint directory")
        Path checkpoint;
        @Option(names = "--dataset", required = true, paramLabel = "DIR",
                description = "the data set directory holding CUB_200_2011/")
        Path dataset;
        @Option(names = "--split", defaultValue = "stackgan-class", paramLabel = "SPLIT",
                description = "stackgan-class or cub-image (default: ${DEFAULT-VALUE})")
        String split;
    }

    @Command(name = "evaluate", description = "Prints a Stage-I or Stage-II checkpoint's figures as one JSON object.")
    int evaluate(@Mixin CheckpointOnData on,
                 @Option(names = "--side", defaultValue = "train", paramLabel = "SIDE",
                         description = "train, or test for the held-out images and captions (default: "
                                 + "${DEFAULT-VALUE})") String side,
                 @Option(names = "--samples", defaultValue = "" + Evaluator.Settings.DEFAULT_SAMPLES,
                         paramLabel = "N", description = "images drawn (default: ${DEFAULT-VALUE})") int samples,
                 @Option(names = "--seed", defaultValue = "1", paramLabel = "N",
                         description = "seed of the draws (default: ${DEFAULT-VALUE})") long seed) throws IOException {
        if (!side.equals("train") && !side.equals("test")) {
            throw new IllegalArgumentException("--side must be train or test, got '" + side + "'");
        }
        Map<String, Double> figures = StageRun.evaluate(on.checkpoint, on.dataset, Split.parse(on.split),
                side.equals("train"), new Evaluator.Settings(samples, Evaluator.Settings.DEFAULT_FOLDS,
                        Evaluator.Settings.DEFAULT_CLASSIFIER_STEPS, seed));
        out.println(Protos.json(figures));
        return 0;
    }

    @Command(name = "probe-conditions", description = "Prints how much of each stated colour (crown, wing, belly) a"
            + " checkpoint's sentence vectors carry, as one JSON object: held-out captions classified by their nearest"
            + " training captions. A generator cannot show a colour its conditions lose (docs/evaluation.md).")
    int probeConditions(@Mixin CheckpointOnData on,
                        @Option(names = "--reference-captions", defaultValue = "20000", paramLabel = "N",
                                description = "training captions that vote (default: ${DEFAULT-VALUE})")
                        int referenceCaptions,
                        @Option(names = "--held-out-captions", defaultValue = "3000", paramLabel = "N",
                                description = "held-out captions classified (default: ${DEFAULT-VALUE})")
                        int heldOutCaptions) throws IOException {
        if (referenceCaptions < 1 || heldOutCaptions < 1) {
            throw new IllegalArgumentException("--reference-captions and --held-out-captions must be at least 1, got "
                    + referenceCaptions + " and " + heldOutCaptions);
        }
        out.println(Protos.json(StageRun.probeConditions(on.checkpoint, on.dataset, Split.parse(on.split),
                referenceCaptions, heldOutCaptions, 1L)));
        return 0;
    }

    @Command(name = "parent-checkpoint", description = "Writes the part of a text-encoder or Stage-I checkpoint that a"
            + " next stage trains on (text and image encoders, the Stage-I generator's average), without"
            + " discriminators or optimizer state: small enough to carry to another machine, where pipeline --parent"
            + " imports it.")
    int parentCheckpoint(@Option(names = "--checkpoint-dir", required = true, paramLabel = "DIR",
                                 description = "the checkpoint directory") Path checkpoint,
                         @Option(names = "--out", required = true, paramLabel = "DIR",
                                 description = "the directory to write (must not exist)") Path target)
            throws IOException {
        dev.stackgan.trainer.run.Checkpoint parent = dev.stackgan.trainer.run.Checkpoint.read(checkpoint)
                .copyAsParent(target);
        out.printf("wrote %s: a %s parent checkpoint at step %d, %d bytes%n", target, parent.state().kind(),
                parent.state().step(), DirectoryDigest.of(target).sizeBytes());
        return 0;
    }

    @Command(name = "pipeline", description = "Trains text encoder, Stage-I and Stage-II on an embedded trainer, then"
            + " exports the bundle and promotes it to WORK/models. Without --recipe: a tiny synthetic-birds run; with"
            + " --recipe: the run specs DIR/*.json in name order, each linked to the earlier runs' checkpoints.")
    int pipeline(@Option(names = "--work", defaultValue = "pipeline", paramLabel = "DIR",
                         description = "runs, bundles and models go here (default: ${DEFAULT-VALUE})") Path workDir,
                 @Option(names = "--recipe", paramLabel = "DIR", description = "a directory of run specs") Path recipe,
                 @Option(names = "--data", paramLabel = "DIR",
                         description = "the data root holding birds/ (default: WORK/data, generated)") Path dataDir,
                 @Option(names = "--preset", paramLabel = "NAME",
                         description = "without --recipe: the preset (default: tiny)") String preset,
                 @Option(names = "--epochs", paramLabel = "N",
                         description = "without --recipe: epochs per stage (default: 1)") Integer epochs,
                 @Option(names = "--images", paramLabel = "N",
                         description = "synthetic birds to generate when the data root has none (default: 48,"
                                 + " with --recipe the CUB count)") Integer images,
                 @Option(names = "--jdbc-url", paramLabel = "URL",
                         description = "the PostgreSQL database of the runs (default: application-trainer.yml)")
                 String jdbcUrl,
                 @Option(names = "--bundle-id", defaultValue = "", paramLabel = "ID",
                         description = "the exported bundle's id") String bundleId,
                 @Option(names = "--parent", paramLabel = "DIR", description = "a checkpoint trained elsewhere (e.g."
                         + " a parent-checkpoint carried in the repository), imported before the first run: the"
                         + " recipe's later runs link to it as to an earlier run's, and its Stage-I runs continue a"
                         + " Stage-I parent's generator (repeatable)")
                 List<Path> parents,
                 @Option(names = "--export-checkpoint", defaultValue = EXPORT_LAST, paramLabel = "RULE",
                         description = "the Stage-II checkpoint to export: " + EXPORT_LAST + " or "
                                 + EXPORT_LOWEST_FD + " (of the in-run evaluations; later checkpoints can be worse"
                                 + " once the discriminator overfits) (default: ${DEFAULT-VALUE})") String exportRule)
            throws IOException, InterruptedException {
        Path work = workDir.toAbsolutePath();
        if (recipe != null && (preset != null || epochs != null)) {
            throw new IllegalArgumentException("--preset and --epochs build the tiny pipeline; a --recipe's spec"
                    + " files set their own");
        }
        if (!List.of(EXPORT_LAST, EXPORT_LOWEST_FD).contains(exportRule)) {
            throw new IllegalArgumentException("--export-checkpoint must be " + EXPORT_LAST + " or "
                    + EXPORT_LOWEST_FD + ", got '" + exportRule + "'");
        }
        for (Path parent : parents == null ? List.<Path>of() : parents) {
            if (!Files.isDirectory(parent)) {
                throw new IllegalArgumentException("--parent " + parent + " is not a directory");
            }
        }
        List<RunSpec> specs = recipe == null ? presetSpecs(preset == null ? "tiny" : preset,
                epochs == null ? 1 : epochs) : recipeSpecs(recipe);
        Path data = (dataDir == null ? work.resolve("data") : dataDir).toAbsolutePath();
        Path birds = data.resolve("birds");
        if (dataDir != null && !Files.isDirectory(birds)) {
            throw new IllegalArgumentException("--data " + data + " holds no birds/ data set");
        }
        if (!Files.isDirectory(birds)) {
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
        // the embedded trainer's health and metrics on a free port, so a pipeline runs beside a serving trainer
        properties.put("micronaut.server.port", -1);
        // the embedded trainer takes management calls from this command only
        String token = UUID.randomUUID().toString() + UUID.randomUUID();
        properties.put("stackgan.access.management-token", token);
        if (jdbcUrl != null) {
            properties.put("datasources.default.url", jdbcUrl);
        }
        GrpcEmbeddedServer server = TrainerApplication.start(new String[0], properties);
        try (TrainerClient client = TrainerClient.connect("127.0.0.1:" + server.getPort(), Duration.ofSeconds(30),
                token)) {
            long started = System.nanoTime();
            Map<RunKind, Long> last = new EnumMap<>(RunKind.class);
            for (Path parent : parents == null ? List.<Path>of() : parents) {
                Checkpoint imported = importParent(client, parent, data);
                last.put(client.get(imported.getRunId()).getKind(), imported.getId());
            }
            // Stage-I runs continue an imported Stage-I parent; within a recipe they stay independent (ablations)
            Long importedStage1 = last.get(RunKind.RUN_KIND_STAGE1);
            MarkdownTable summary = new MarkdownTable("run", "kind", "steps", "wall time", "last checkpoint");
            for (RunSpec spec : specs) {
                RunKind kind = spec.getKind();
                RunSpec.Builder linked = spec.toBuilder();
                // A run on a Stage-I checkpoint conditions on its text encoder: the text encoder is linked for the
                // record when at hand.
                boolean continues = kind == RunKind.RUN_KIND_STAGE1 && importedStage1 != null;
                boolean onStage1 = kind == RunKind.RUN_KIND_STAGE2 || continues;
                boolean needsTextEncoder = onStage1 ? last.containsKey(RunKind.RUN_KIND_TEXT_ENCODER)
                        : kind == RunKind.RUN_KIND_STAGE1;
                if (needsTextEncoder && spec.getTextEncoderCheckpointId() == 0) {
                    linked.setTextEncoderCheckpointId(link(kind, "textEncoderCheckpoint",
                            last.get(RunKind.RUN_KIND_TEXT_ENCODER)));
                }
                if (onStage1 && spec.getStage1CheckpointId() == 0) {
                    linked.setStage1CheckpointId(continues ? importedStage1
                            : link(kind, "stage1Checkpoint", last.get(RunKind.RUN_KIND_STAGE1)));
                }
                long runStarted = System.nanoTime();
                Stage stage = stage(client, linked.build());
                last.put(kind, kind == RunKind.RUN_KIND_STAGE2 && exportRule.equals(EXPORT_LOWEST_FD)
                        ? lowestFrechetDistance(stage) : stage.checkpoint());
                summary.row(stage.runId(), Protos.word("kind", kind), stage.steps(),
                        Progress.duration(seconds(runStarted)), stage.checkpoint());
            }
            Long stage2 = last.get(RunKind.RUN_KIND_STAGE2);
            if (stage2 == null) {
                // a recipe of comparisons (recipes/ablation-stage1) ends at its runs' checkpoints
                out.println("no stage2 run in the recipe: nothing exported");
            } else {
                Bundle bundle = export(client, stage2, bundleId);
                Bundle promoted = client.stub().promoteBundle(PromoteBundleRequest.newBuilder()
                        .setBundleId(bundle.getBundleId()).build());
                Path repository = work.resolve("models");
                out.printf("promoted %s: %s now reads '%s'%n", promoted.getBundleId(),
                        repository.resolve(Bundles.POINTER),
                        Files.readString(repository.resolve(Bundles.POINTER)).trim());
            }
            out.print(summary.render());
            out.printf("pipeline wall time %s%n", Progress.duration(seconds(started)));
            return 0;
        } finally {
            server.getApplicationContext().close();
        }
    }

    /** A spec file refused before anything is sent: the message names the file and the field. */
    public static final class SpecFileException extends RuntimeException {
        SpecFileException(Path file, String message) {
            super(file + ": " + message);
        }
    }

    /** A spec file (JSON, dev.stackgan.trainer.run.RunSpec's fields) as the API's message. */
    public static RunSpec specFile(Path file) throws IOException {
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

    /** "[#########-----]  62.5% epoch 2/4 step 25/40 D 1.234 G 0.876 KL 0.012 | 48.1 img/s ETA 0:00:12". */
    static String progressLine(RunProgress p) {
        String what = String.format(Locale.ROOT, "epoch %d/%d step %d/%d D %.3f G %.3f KL %.3f",
                Math.min(p.getEpoch() + 1, Math.max(1, p.getEpochs())), p.getEpochs(), p.getStep(),
                p.getTotalSteps(), p.getDiscriminatorLoss(), p.getGeneratorLoss(), p.getKl());
        return Progress.line(p.getPercentage(), what, p.getImagesPerSecond(), "img", p.getEtaSeconds());
    }

    /**
     * Imports a checkpoint directory into the embedded trainer: the trainer reads imports only from its data root,
     * so a directory elsewhere is copied to DATA/imports/ first.
     */
    private Checkpoint importParent(TrainerClient client, Path parent, Path data) throws IOException {
        Path source = parent.toAbsolutePath().normalize();
        if (!source.startsWith(data.normalize())) {
            Path copy = data.resolve("imports").resolve(source.getFileName());
            if (Files.exists(copy)) {
                dev.stackgan.trainer.run.Checkpoint.deleteTree(copy);
            }
            try (Stream<Path> files = Files.list(source)) {
                dev.stackgan.trainer.run.Checkpoint.copyFiles(files.toList(), copy);
            }
            source = copy;
        }
        Checkpoint imported = client.stub().importCheckpoint(ImportCheckpointRequest.newBuilder()
                .setPath(data.relativize(source).toString()).build());
        out.printf("imported %s as checkpoint %d (run %d, step %d)%n", parent, imported.getId(),
                imported.getRunId(), imported.getStep());
        return imported;
    }

    /** Exports a bundle from a checkpoint on a running trainer (its checksum verified there) and prints where. */
    private Bundle export(TrainerClient client, long checkpoint, String bundleId) {
        Bundle bundle = client.stub().exportBundle(ExportBundleRequest.newBuilder().addCheckpointIds(checkpoint)
                .setBundleId(bundleId).build());
        out.printf("exported bundle %s from checkpoint %d (manifest sha256 %s)%n", bundle.getBundleId(),
                checkpoint, bundle.getSha256());
        return bundle;
    }

    /** The tiny pipeline's three specs (the pipeline fills in their checkpoint references). */
    private static List<RunSpec> presetSpecs(String preset, int epochs) {
        String common = String.format(Locale.ROOT, "\"preset\":\"%s\",\"dataset\":\"birds\",\"split\":"
                + "\"cub-image\",\"epochs\":%d,\"snapshotEveryEpochs\":1", preset, epochs);
        return List.of("text-encoder", "stage1", "stage2").stream()
                .map(kind -> Protos.specFromJson("{\"kind\":\"" + kind + "\"," + common + "}")).toList();
    }

    /**
     * The {@code *.json} run specs of a recipe directory, in file-name order, each converted (and so checked)
     * before the first run starts.
     */
    private static List<RunSpec> recipeSpecs(Path recipe) throws IOException {
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

    /** The run's checkpoint {@link #lowestFrechetDistance(List)} picks, or its last when none was evaluated. */
    private long lowestFrechetDistance(Stage stage) {
        Optional<Checkpoint> best = lowestFrechetDistance(stage.checkpoints());
        if (best.isEmpty()) {
            out.printf("  run %d has no in-run %s (evaluationSamples 0?): exporting its last checkpoint%n",
                    stage.runId(), FRECHET_DISTANCE);
            return stage.checkpoint();
        }
        out.printf(Locale.ROOT, "  lowest in-run %s: %.1f, checkpoint %d (epoch %d step %d)%n", FRECHET_DISTANCE,
                best.get().getEvaluationOrThrow(FRECHET_DISTANCE), best.get().getId(), best.get().getEpoch(),
                best.get().getStep());
        return best.get().getId();
    }

    /** The checkpoint with the lowest in-run Frechet distance, the later one of equals; empty when none has one. */
    static Optional<Checkpoint> lowestFrechetDistance(List<Checkpoint> checkpoints) {
        return checkpoints.stream().filter(c -> c.containsEvaluation(FRECHET_DISTANCE))
                .min(Comparator.comparingDouble((Checkpoint c) -> c.getEvaluationOrThrow(FRECHET_DISTANCE))
                        .thenComparing(Comparator.comparingLong(Checkpoint::getStep).reversed()));
    }

    /** A finished run of the pipeline: its id, steps trained and checkpoints, oldest first. */
    private record Stage(long runId, long steps, List<Checkpoint> checkpoints) {

        /** The last checkpoint's id. */
        long checkpoint() {
            return checkpoints.get(checkpoints.size() - 1).getId();
        }
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
        return new Stage(end.getRunId(), end.getStep(), checkpoints);
    }
}
