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

/** {@code pipeline --recipe DIR --data DIR} over a throwaway database: three spec files chained into a bundle. */
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
