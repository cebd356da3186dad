package dev.stackgan.trainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackgan.proto.v1.Checkpoint;
import dev.stackgan.proto.v1.RunProgress;
import dev.stackgan.proto.v1.RunStatus;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class TrainerCommandTest {

    /** A command's exit code with what it printed on stdout and stderr. */
    private record Outcome(int code, String out, String err) {
    }

    private static Outcome run(String... args) {
        CommandLine command = TrainerCommand.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        command.setOut(new PrintWriter(out, true));
        command.setErr(new PrintWriter(err, true));
        int code = command.execute(args);
        return new Outcome(code, out.toString(), err.toString());
    }

    @Test
    void everySubcommandHasHelpThatListsItsOptions() {
        List<String> names = TrainerCommand.commandLine().getSubcommands().keySet().stream().sorted().toList();
        assertEquals(List.of("evaluate", "export", "export-fresh", "help", "parent-checkpoint", "pipeline",
                "probe-conditions", "promote", "render-grid", "serve", "synthetic-birds", "train"), names);
        for (String name : names) {
            Outcome help = run(name, "--help");
            assertEquals(0, help.code(), name);
            assertTrue(help.out().contains("Usage: stackgan-trainer " + name), help.out());
            assertTrue(name.equals("help") || name.equals("serve") || help.out().contains("--"), help.out());
        }
        assertTrue(run("train", "--help").out().contains("--target=HOST:PORT"));
    }

    @Test
    void theProgressLineShowsBarLossesRateAndEta() {
        RunProgress progress = RunProgress.newBuilder().setRunId(3).setStatus(RunStatus.RUN_STATUS_RUNNING).setEpoch(1)
                .setEpochs(4).setStep(25).setTotalSteps(40).setPercentage(62.5).setDiscriminatorLoss(1.2344f)
                .setGeneratorLoss(0.876f).setKl(0.0123f).setImagesPerSecond(48.06).setEtaSeconds(3725.2).build();
        assertEquals("[###############---------]  62.5% epoch 2/4 step 25/40 D 1.234 G 0.876 KL 0.012"
                + " | 48.1 img/s ETA 1:02:06 ", TrainerCommand.progressLine(progress));
        assertTrue(TrainerCommand.progressLine(progress.toBuilder().setEtaSeconds(-1).build()).contains("ETA --:--"));
    }

    @Test
    void unknownAndIncompleteOptionsAreRefusedByName() {
        Outcome unknown = run("train", "--spec", "a.json", "--specs", "b.json");
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().contains("Unknown options: '--specs', 'b.json'"), unknown.err());
        assertTrue(unknown.err().contains("Possible solutions: --spec"), unknown.err());
        Outcome missing = run("train", "--spec");
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("Missing required parameter for option '--spec' (FILE)"), missing.err());
    }

    @Test
    void aSpecFileTheConversionRefusesIsNamedAndNothingIsSent(@TempDir Path dir) throws Exception {
        Path spec = Files.writeString(dir.resolve("bad.json"), "{\"kind\": \"text-encoder\", \"preset\": \"tiny\","
                + " \"dataset\": \"birds\", \"epochs\": 1, \"lrMultiplyer\": 2}");
        // no trainer listens on port 1: only a refusal before connecting returns 2 (a connection failure is 1)
        Outcome refused = run("train", "--spec", spec.toString(), "--target", "localhost:1");
        assertEquals(2, refused.code());
        assertTrue(refused.err().startsWith("stackgan-trainer train: " + spec + ": unknown field 'lrMultiplyer'"),
                refused.err());
        TrainerCommand.SpecFileException e = assertThrows(TrainerCommand.SpecFileException.class,
                () -> TrainerCommand.specFile(spec));
        assertTrue(e.getMessage().startsWith(spec + ": unknown field 'lrMultiplyer'"), e.getMessage());
    }

    @Test
    void exportNeedsANumericCheckpointId() {
        assertEquals(2, run("export", "--bundle-id", "b").code());
        Outcome path = run("export", "--checkpoint", "runs/7/checkpoints/x");
        assertEquals(2, path.code());
        assertTrue(path.err().contains("Invalid value for option '--checkpoint'"), path.err());
    }

    @Test
    void evaluateNamesAMissingOptionABadSampleCountAndABadSide() {
        assertEquals(2, run("evaluate", "--dataset", "birds").code());
        assertEquals(2, run("evaluate", "--checkpoint-dir", "c", "--dataset", "d", "--samples", "many").code());
        Outcome side = run("evaluate", "--checkpoint-dir", "c", "--dataset", "d", "--side", "middle");
        assertEquals(2, side.code());
        assertTrue(side.err().contains("--side must be train or test, got 'middle'"), side.err());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new dev.stackgan.evaluation.Evaluator.Settings(
                1, 10, 300, 1)).getMessage().contains("evaluationSamples must be 0 (diversity only) or between 2 and"
                + " 1000, got 1"));
    }

    @Test
    void probeConditionsNamesABadCaptionCount() {
        Outcome none = run("probe-conditions", "--checkpoint-dir", "c", "--dataset", "d", "--held-out-captions", "0");
        assertEquals(2, none.code());
        assertTrue(none.err().contains("--reference-captions and --held-out-captions must be at least 1, got 20000"
                + " and 0"), none.err());
    }

    @Test
    void aStageTwoCheckpointIsNoParentAndAParentMustBeADirectory(@TempDir Path dir) throws Exception {
        Path stage2 = Files.createDirectories(dir.resolve("epoch-00003-step-000000120"));
        Files.writeString(stage2.resolve("state.json"), "{\"kind\": \"stage2\", \"epoch\": 3,"
                + " \"batchesDoneInEpoch\": 0, \"step\": 120, \"divergenceHalvings\": 0, \"trainedSeconds\": 9.5}");
        Outcome noParent = run("parent-checkpoint", "--checkpoint-dir", stage2.toString(), "--out",
                dir.resolve("parent").toString());
        assertEquals(2, noParent.code());
        assertTrue(noParent.err().contains(stage2 + " is a stage2 checkpoint, which is no run's parent: export a"
                + " bundle from it instead"), noParent.err());
        assertTrue(Files.notExists(dir.resolve("parent")));

        Path work = dir.resolve("work");
        Outcome file = run("pipeline", "--work", work.toString(), "--parent", stage2.resolve("state.json").toString());
        assertEquals(2, file.code());
        assertTrue(file.err().contains("--parent " + stage2.resolve("state.json") + " is not a directory"),
                file.err());
        // refused before any data is generated or a trainer started
        assertTrue(Files.notExists(work), "pipeline wrote " + work);
    }

    @Test
    void theExportedStageTwoCheckpointIsTheLatestOfTheLowestFrechetDistancesOrNone(@TempDir Path dir) {
        List<Checkpoint> checkpoints = List.of(checkpoint(1, 100, 150.0), checkpoint(2, 200, 120.0),
                checkpoint(3, 300, null), checkpoint(4, 400, 120.0), checkpoint(5, 500, 160.0));
        assertEquals(4, TrainerCommand.lowestFrechetDistance(checkpoints).orElseThrow().getId());
        assertEquals(2, TrainerCommand.lowestFrechetDistance(checkpoints.subList(0, 3)).orElseThrow().getId());
        assertTrue(TrainerCommand.lowestFrechetDistance(List.of(checkpoint(3, 300, null))).isEmpty());

        Path work = dir.resolve("work");
        Outcome unknown = run("pipeline", "--work", work.toString(), "--export-checkpoint", "best");
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().contains("--export-checkpoint must be last or lowest-frechet-distance, got 'best'"),
                unknown.err());
        assertTrue(Files.notExists(work), "pipeline wrote " + work);
    }

    private static Checkpoint checkpoint(long id, long step, Double frechetDistance) {
        Checkpoint.Builder checkpoint = Checkpoint.newBuilder().setId(id).setStep(step).putEvaluation("diversity", 1.0);
        if (frechetDistance != null) {
            checkpoint.putEvaluation("frechet_distance", frechetDistance);
        }
        return checkpoint.build();
    }
}
