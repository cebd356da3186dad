package dev.stackgan.trainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackgan.proto.v1.RunProgress;
import dev.stackgan.proto.v1.RunStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerCliTest {

    @Test
    void theProgressLineShowsBarLossesRateAndEta() {
        RunProgress progress = RunProgress.newBuilder().setRunId(3).setStatus(RunStatus.RUN_STATUS_RUNNING).setEpoch(1)
                .setEpochs(4).setStep(25).setTotalSteps(40).setPercentage(62.5).setDiscriminatorLoss(1.2344f)
                .setGeneratorLoss(0.876f).setKl(0.0123f).setImagesPerSecond(48.06).setEtaSeconds(3725.2).build();
        assertEquals("[###############---------]  62.5% epoch 2/4 step 25/40 D 1.234 G 0.876 KL 0.012"
                + " | 48.1 img/s ETA 1:02:06 ", TrainerCli.progressLine(progress));
        assertTrue(TrainerCli.progressLine(progress.toBuilder().setEtaSeconds(-1).build()).contains("ETA --:--"));
    }

    @Test
    void optionsAreCheckedByName() {
        assertEquals(Map.of("spec", "a.json"), TrainerCli.options(new String[] {"--spec", "a.json"},
                Set.of("spec", "target")));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TrainerCli.options(
                new String[] {"--specs", "a.json"}, Set.of("spec"))).getMessage().contains("unknown option '--specs'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TrainerCli.options(
                new String[] {"--spec"}, Set.of("spec"))).getMessage().contains("--spec needs a value"));
    }

    @Test
    void aSpecFileTheConversionRefusesIsNamedAndNothingIsSent(@TempDir Path dir) throws Exception {
        Path spec = Files.writeString(dir.resolve("bad.json"), TrainerServiceTest.spec("text-encoder", 1,
                "\"lrMultiplyer\":2"));
        // no trainer listens on port 1: only a refusal before connecting returns 2 (a connection failure is 1)
        assertEquals(2, TrainerCli.run("train", new String[] {"--spec", spec.toString(), "--target", "localhost:1"}));
        TrainerCli.SpecFileException e = assertThrows(TrainerCli.SpecFileException.class,
                () -> TrainerCli.specFile(spec));
        assertTrue(e.getMessage().startsWith(spec + ": unknown field 'lrMultiplyer'"), e.getMessage());
    }

    @Test
    void exportNeedsANumericCheckpointId() {
        assertEquals(2, TrainerCli.run("export", new String[] {"--bundle-id", "b"}));
        assertEquals(2, TrainerCli.run("export", new String[] {"--checkpoint", "runs/7/checkpoints/x"}));
    }

    @Test
    void evaluateNamesAMissingOptionAndABadSampleCount() {
        assertEquals(2, TrainerCli.run("evaluate", new String[] {"--dataset", "birds"}));
        assertEquals(2, TrainerCli.run("evaluate", new String[] {"--checkpoint", "c", "--dataset", "d",
                "--samples", "many"}));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new dev.stackgan.trainer.eval.Evaluator.Settings(
                1, 10, 300, 1)).getMessage().contains("evaluationSamples must be 0 (diversity only) or between 2 and"
                + " 1000, got 1"));
    }
}
