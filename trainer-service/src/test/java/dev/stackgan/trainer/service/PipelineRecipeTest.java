package dev.stackgan.trainer.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stackgan.datasets.TestData;
import dev.stackgan.trainer.cli.TrainerCommand;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pipeline --recipe DIR --data DIR} over throwaway databases: three spec files chained into a bundle, and a
 * Stage-I carried from one trainer to another as a parent checkpoint.
 */
class PipelineRecipeTest {

    @TempDir
    Path dir;

    @Test
    void aRecipeTrainsItsSpecsInNameOrderLinksTheirCheckpointsAndPromotesTheBundle() throws Exception {
        Path data = dir.resolve("data");
        TestData.birds(data.resolve("birds"), 48, 5);
        Path recipe = Files.createDirectories(dir.resolve("recipe"));
        // written out of order: the file names, not the creation order, decide
        Files.writeString(recipe.resolve("3-stage2.json"), spec("stage2"));
        Files.writeString(recipe.resolve("1-text-encoder.json"), spec("text-encoder"));
        Files.writeString(recipe.resolve("2-stage1.json"), spec("stage1"));
        Files.writeString(recipe.resolve("README.txt"), "not a spec");
        Path work = dir.resolve("work");
        try (TestDatabase database = new TestDatabase()) {
            assertEquals(0, TrainerCommand.execute("pipeline", "--recipe", recipe.toString(), "--data",
                    data.toString(), "--work", work.toString(), "--jdbc-url", database.url(), "--bundle-id", "recipe-1"));

            assertEquals(List.of("text-encoder", "stage1", "stage2"), database.column("SELECT kind FROM runs ORDER BY id"));
            ObjectMapper json = new ObjectMapper();
            List<JsonNode> specs = database.column("SELECT spec::text FROM runs ORDER BY id").stream()
                    .map(s -> read(json, (String) s)).toList();
            assertTrue(specs.stream().allMatch(s -> s.path("name").asText().startsWith("recipe ")));
            Object textEncoder = lastCheckpointPath(database, "text-encoder");
            Object stage1 = lastCheckpointPath(database, "stage1");
            assertEquals(textEncoder, specs.get(1).path("textEncoderCheckpoint").asText());
            assertEquals(textEncoder, specs.get(2).path("textEncoderCheckpoint").asText());
            assertEquals(stage1, specs.get(2).path("stage1Checkpoint").asText());
            assertFalse(specs.get(1).hasNonNull("stage1Checkpoint"));

            assertNotNull(database.column("SELECT promoted_at FROM bundles WHERE bundle_id = 'recipe-1'").get(0));
            assertEquals("recipe-1", Files.readString(work.resolve("models").resolve(Bundles.POINTER)).trim());
            assertFalse(Files.exists(work.resolve("data")), "--data: no data set generated under the work dir");
        }
    }

    /**
     * Training across machines that keep nothing: a Stage-I trained on one (its own database and work directory),
     * carried as a parent checkpoint, imported on another that trains it further, then Stage-II on the continued
     * Stage-I, and serves the result.
     */
    @Test
    void aCarriedStageOneParentCheckpointTrainsStageTwoOnAFreshTrainer() throws Exception {
        Path data = dir.resolve("data");
        TestData.birds(data.resolve("birds"), 48, 5);
        Path first = Files.createDirectories(dir.resolve("first-recipe"));
        Files.writeString(first.resolve("1-text-encoder.json"), spec("text-encoder"));
        // with a weight average, as the demo recipe: Stage-II then draws on the average
        Files.writeString(first.resolve("2-stage1.json"), spec("stage1").replaceFirst("}$",
                ",\"overrides\":{\"generatorEma\":0.9}}"));
        Path carried = dir.resolve("carried/stage1-parent");
        try (TestDatabase database = new TestDatabase()) {
            assertEquals(0, TrainerCommand.execute("pipeline", "--recipe", first.toString(), "--data",
                    data.toString(), "--work", dir.resolve("first").toString(), "--jdbc-url", database.url()));
            Path stage1 = Path.of((String) lastCheckpointPath(database, "stage1"));
            assertEquals(0, TrainerCommand.execute("parent-checkpoint", "--checkpoint-dir", stage1.toString(),
                    "--out", carried.toString()));
            assertEquals(List.of("image_encoder.params", "model_config.json", "stage1_generator_ema.params",
                    "state.json", "text_encoder.params", "vocab.txt"), names(carried),
                    "no discriminator, no optimizer state, no generator besides the one Stage-II draws on");
            assertTrue(DirectoryDigest.of(carried).sizeBytes() < DirectoryDigest.of(stage1).sizeBytes() / 2,
                    "less than half the checkpoint");
        }
        Path second = Files.createDirectories(dir.resolve("second-recipe"));
        Files.writeString(second.resolve("2-stage1.json"), spec("stage1"));
        // two epochs, two evaluated checkpoints to choose the exported one from
        Files.writeString(second.resolve("3-stage2.json"), spec("stage2").replace("\"epochs\":1", "\"epochs\":2"));
        Path work = dir.resolve("second");
        try (TestDatabase database = new TestDatabase()) {
            assertEquals(0, TrainerCommand.execute("pipeline", "--recipe", second.toString(), "--data",
                    data.toString(), "--work", work.toString(), "--jdbc-url", database.url(), "--bundle-id",
                    "carried-1", "--parent", carried.toString(), "--export-checkpoint", "lowest-frechet-distance"));

            assertEquals(List.of("stage1", "stage1", "stage2"), database.column("SELECT kind FROM runs ORDER BY id"));
            assertEquals(List.of("imported stage1-parent", "SUCCEEDED", "recipe stage1", "SUCCEEDED"),
                    database.column("SELECT unnest(ARRAY[name, status]) FROM runs WHERE kind = 'stage1' ORDER BY id"));
            Object imported = database.column("SELECT c.path FROM checkpoints c JOIN runs r ON r.id = c.run_id"
                    + " WHERE r.name = 'imported stage1-parent'").get(0);
            assertTrue(((String) imported).startsWith(work.resolve("runs").toString()), "copied into the runs");
            ObjectMapper json = new ObjectMapper();
            JsonNode continuedSpec = read(json, (String) database.column(
                    "SELECT spec::text FROM runs WHERE name = 'recipe stage1'").get(0));
            assertEquals(imported, continuedSpec.path("stage1Checkpoint").asText(), "continues the parent");
            assertFalse(continuedSpec.hasNonNull("textEncoderCheckpoint"), "no text encoder run to name");
            Path continued = Path.of((String) lastCheckpointPath(database, "stage1"));
            JsonNode stage2Spec = read(json, (String) database.column(
                    "SELECT spec::text FROM runs WHERE kind = 'stage2'").get(0));
            assertEquals(continued.toString(), stage2Spec.path("stage1Checkpoint").asText(),
                    "Stage-II trains on the continued Stage-I");
            List<Object> lowestFirst = database.column("SELECT c.id FROM checkpoints c JOIN runs r ON r.id = c.run_id"
                    + " WHERE r.kind = 'stage2' ORDER BY (c.evaluation->>'frechet_distance')::float8, c.step DESC");
            assertTrue(lowestFirst.size() >= 2, "checkpoints to choose from: " + lowestFirst);
            assertEquals(List.of(lowestFirst.get(0)), database.column(
                    "SELECT checkpoint_id FROM bundle_checkpoints WHERE bundle_id = 'carried-1'"));
            // the frozen Stage-I travels unchanged into the Stage-II checkpoint the bundle is exported from
            Path stage2 = Path.of((String) lastCheckpointPath(database, "stage2"));
            assertEquals(DirectoryDigest.of(continued).files().get("stage1_generator.params"),
                    DirectoryDigest.of(stage2).files().get("stage1_generator.params"));
            assertEquals("carried-1", Files.readString(work.resolve("models").resolve(Bundles.POINTER)).trim());
        }
    }

    private static List<String> names(Path directory) throws java.io.IOException {
        try (java.util.stream.Stream<Path> files = Files.list(directory)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }

    private static String spec(String kind) {
        return "{\"name\":\"recipe " + kind + "\",\"kind\":\"" + kind + "\",\"preset\":\"tiny\",\"dataset\":\"birds\","
                + "\"split\":\"cub-image\",\"epochs\":1,\"snapshotEveryEpochs\":1,"
                + "\"collapseThreshold\":0.0,\"evaluationSamples\":2}";
    }

    private static Object lastCheckpointPath(TestDatabase database, String kind) throws Exception {
        List<Object> paths = database.column("SELECT c.path FROM checkpoints c JOIN runs r ON r.id = c.run_id"
                + " WHERE r.kind = ? ORDER BY c.id", kind);
        return paths.get(paths.size() - 1);
    }

    private static JsonNode read(ObjectMapper json, String text) {
        try {
            return json.readTree(text);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
