package dev.stackgan.stage1;

import static dev.stackgan.serving.testing.ServiceChecks.assertStatus;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.protobuf.ByteString;
import dev.stackgan.fixtures.PrometheusScrape;
import dev.stackgan.proto.v1.ModelGraph;
import dev.stackgan.proto.v1.Stage1ServiceGenerateRequest;
import dev.stackgan.proto.v1.Stage1ServiceGenerateResponse;
import dev.stackgan.proto.v1.Stage1ServiceGrpc;
import dev.stackgan.proto.v1.Tensor;
import dev.stackgan.serving.Seeds;
import dev.stackgan.serving.Tensors;
import dev.stackgan.serving.testing.ServiceChecks;
import dev.stackgan.serving.testing.ServiceHarness;
import dev.stackgan.serving.testing.TinyBundles;
import dev.stackgan.serving.testing.TwoVersionService;
import io.grpc.Status;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The Stage-I application over real gRPC and real ONNX Runtime sessions of tiny bundles (C 8, Z 8, 16 px). */
class Stage1ServiceTest {

    static final int C = 8;
    static final int Z = 8;

    @RegisterExtension
    static final TwoVersionService service = new TwoVersionService(4);


    @Test
    void seededImagesHaveTheBundleShapeStayInRangeAndRepeatPerSeed() {
        Stage1ServiceGenerateResponse first = stub().generate(request(conditions(3)).setSeed(100).build());
        assertEquals(List.of(3L, 3L, 16L, 16L), first.getImages().getShapeList());
        assertEquals(List.of(100L, 101L, 102L), first.getSeedsList());
        assertEquals(TinyBundles.V1, first.getModelVersion());
        for (float v : Tensors.values(first.getImages())) {
            assertTrue(v >= -1f && v <= 1f, "tanh output " + v);
        }
        Stage1ServiceGenerateResponse again = stub().generate(request(conditions(3)).setSeed(100).build());
        assertEquals(first.getImages().getData(), again.getImages().getData());
        Stage1ServiceGenerateResponse other = stub().generate(request(conditions(3)).setSeed(200).build());
        assertFalse(first.getImages().getData().equals(other.getImages().getData()));
        // image i of seed s is the image of seed s + i alone
        Stage1ServiceGenerateResponse single = stub().generate(request(conditions(1)).setSeed(101).build());
        float[] batch = Tensors.values(first.getImages());
        float[] alone = Tensors.values(single.getImages());
        float[] secondOfBatch = java.util.Arrays.copyOfRange(batch, alone.length, 2 * alone.length);
        assertArrayEquals(alone, secondOfBatch, 1e-5f);
    }

    @Test
    void explicitNoiseAndPinnedVersions() {
        Tensor noise = Tensors.write(new long[] {2, Z}, new float[2 * Z]);
        Stage1ServiceGenerateResponse v1 = stub().generate(request(conditions(2)).setNoise(noise).build());
        assertTrue(v1.getSeedsList().isEmpty());
        Stage1ServiceGenerateResponse v2 = stub().generate(request(conditions(2)).setNoise(noise)
                .setModelVersion(TinyBundles.V2).build());
        assertEquals(TinyBundles.V2, v2.getModelVersion());
        assertFalse(v1.getImages().getData().equals(v2.getImages().getData()), "versions have different weights");
        Stage1ServiceGenerateResponse unseeded = stub().generate(request(conditions(2)).build());
        assertEquals(2, unseeded.getSeedsCount());
    }

    @Test
    void badRequestsNameTheFieldAndTheLimit() {
        assertInvalid(request(Tensor.getDefaultInstance()).setSeed(1), "conditions is missing");
        assertInvalid(request(Tensors.write(new long[] {2, 7}, new float[14])).setSeed(1),
                "conditions.shape is [2, 7], expected [N, 8] with 1 <= N <= 4");
        assertInvalid(request(Tensors.write(new long[] {2, 1, 8}, new float[16])).setSeed(1),
                "conditions.shape is [2, 1, 8]");
        assertInvalid(request(conditions(5)).setSeed(1), "conditions.shape[0] (batch) is 5, must be 1 to 4");
        assertInvalid(request(conditions(2).toBuilder().setData(ByteString.copyFrom(new byte[60])).build())
                .setSeed(1), "conditions.data has 60 bytes, shape [2, 8] needs 64");
        float[] nan = new float[2 * C];
        nan[9] = Float.NaN;
        assertInvalid(request(Tensors.write(new long[] {2, C}, nan)).setSeed(1),
                "conditions.data holds NaN at element 9");
        float[] inf = new float[2 * Z];
        inf[0] = Float.POSITIVE_INFINITY;
        assertInvalid(request(conditions(2)).setNoise(Tensors.write(new long[] {2, Z}, inf)), "noise.data holds Inf");
        assertInvalid(request(conditions(2)).setNoise(Tensors.write(new long[] {3, Z}, new float[3 * Z])),
                "noise.shape[0] is 3 but conditions.shape[0] is 2");
        assertInvalid(request(conditions(2)).setSeed(Seeds.MAX_SEED), "seeds must be 0 to 281474976710655");
        assertInvalid(request(conditions(1)).setSeed(-1), "seed is 18446744073709551615");
        assertStatus(Status.Code.FAILED_PRECONDITION,
                "model_version 'nope' is not loaded here; available: [" + TinyBundles.V1 + ", " + TinyBundles.V2 + "]",
                () -> stub().generate(request(conditions(1)).setSeed(1).setModelVersion("nope").build()));
    }

    @Test
    void modelVersionMustBeABundleId() {
        ServiceChecks.assertModelVersionMustBeABundleId(
                version -> stub().generate(request(conditions(1)).setSeed(1).setModelVersion(version).build()));
    }

    @Test
    void requestsOverGrpcsDefault4MibLimitReachValidation() {
        int rows = 5 * 1024 * 1024 / (C * Float.BYTES);
        assertInvalid(request(Tensors.write(new long[] {rows, C}, new float[rows * C])).setSeed(1),
                "conditions.shape[0] (batch) is " + rows + ", must be 1 to 4");
    }

    @Test
    void healthFollowsTheModelAndReflectionListsTheService(@TempDir Path empty) throws Exception {
        ServiceChecks.assertHealthFollowsModelAndReflectionListsServices(empty, Stage1ServiceGrpc.SERVICE_NAME,
                ModelGraph.MODEL_GRAPH_STAGE1);
    }

    @Test
    void hotSwapUnderLoadAndCorruptBundleRefused(@TempDir Path repository) throws Exception {
        ServiceChecks.assertHotSwapUnderLoadAndCorruptBundleRefused(repository, harness ->
                harness.blocking(Stage1ServiceGrpc::newBlockingStub)
                        .generate(request(conditions(2)).setSeed(3).build()).getModelVersion());
    }

    @Test
    void fullQueueAndExpiredDeadline() throws Exception {
        ServiceChecks.assertQueueOverflowAndDeadline(service.repository(), (harness, deadlineMs) ->
                Stage1ServiceGrpc.newFutureStub(harness.channel()).withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS)
                        .generate(request(conditions(1)).setSeed(1).build()));
    }

    /**
     * Three concurrent requests of 1, 2 and 3 rows fill max-batch-size 6 and run as one batch (a minute's queue delay
     * keeps them waiting for each other); one bad request never reaches the batcher. The scrape shows exactly that,
     * plus the served version, one swap and one refused (corrupt) bundle.
     */
    @Test
    void metricsCountRequestsBatchesAndSwaps(@TempDir Path repository) throws Exception {
        TinyBundles.export(repository, TinyBundles.V1, 1);
        TinyBundles.corrupt(TinyBundles.export(repository, TinyBundles.V2, 2));
        try (ServiceHarness harness = new ServiceHarness(repository, Map.of(
                "stackgan.serving.batching.max-batch-size", 6,
                "stackgan.serving.batching.max-queue-delay", "60s",
                "stackgan.serving.batching.wait-when-idle", true))) {
            harness.promote(TinyBundles.V1);
            harness.promote(TinyBundles.V2);
            PrometheusScrape before = PrometheusScrape.of(harness.http());

            List<ListenableFuture<Stage1ServiceGenerateResponse>> calls = List.of(1, 2, 3).stream()
                    .map(rows -> Stage1ServiceGrpc.newFutureStub(harness.channel())
                            .withDeadlineAfter(120, TimeUnit.SECONDS)
                            .generate(request(conditions(rows)).setSeed(1).build()))
                    .toList();
            for (ListenableFuture<Stage1ServiceGenerateResponse> call : calls) {
                assertEquals(TinyBundles.V1, call.get(120, TimeUnit.SECONDS).getModelVersion());
            }
            assertStatus(Status.Code.INVALID_ARGUMENT, "must be 1 to 6", () -> harness
                    .blocking(Stage1ServiceGrpc::newBlockingStub).generate(request(conditions(7)).setSeed(1).build()));
            PrometheusScrape after = PrometheusScrape.of(harness.http());

            String[] graph = {"graph", "stage1"};
            assertEquals(1, after.since(before, "stackgan_model_batch_size_count", graph), after.text());
            assertEquals(6, after.since(before, "stackgan_model_batch_size_sum", graph));
            assertEquals(1, after.since(before, "stackgan_model_inference_duration_seconds_count", graph));
            assertEquals(3, after.since(before, "stackgan_model_queue_wait_seconds_count", graph));
            assertEquals(3, after.since(before, "stackgan_model_requests_total",
                    "graph", "stage1", "method", "Generate", "status", "OK"));
            assertEquals(1, after.since(before, "stackgan_model_requests_total",
                    "graph", "stage1", "method", "Generate", "status", "INVALID_ARGUMENT"));
            assertEquals(0, after.value("stackgan_model_queue_depth", graph));
            assertEquals(1, after.value("stackgan_model_serving",
                    "graph", "stage1", "version", TinyBundles.V1, "execution_provider", "cpu"), after.text());
            assertFalse(after.has("stackgan_model_serving", "version", TinyBundles.V2));
            assertEquals(1, after.value("stackgan_model_swaps_total", graph));
            assertEquals(1, after.value("stackgan_model_load_failures_total", graph));
        }
    }

    private static void assertInvalid(Stage1ServiceGenerateRequest.Builder request, String messagePart) {
        assertStatus(Status.Code.INVALID_ARGUMENT, messagePart, () -> stub().generate(request.build()));
    }

    private static Stage1ServiceGenerateRequest.Builder request(Tensor conditions) {
        return Stage1ServiceGenerateRequest.newBuilder().setConditions(conditions);
    }

    private static Tensor conditions(int rows) {
        float[] values = new float[rows * C];
        for (int i = 0; i < values.length; i++) {
            values[i] = (i % C) * 0.2f - 0.7f; // every row the same condition
        }
        return Tensors.write(new long[] {rows, C}, values);
    }

    /** A stub per call, so every call gets its own deadline. */
    private static Stage1ServiceGrpc.Stage1ServiceBlockingStub stub() {
        return service.harness().blocking(Stage1ServiceGrpc::newBlockingStub);
    }
}
