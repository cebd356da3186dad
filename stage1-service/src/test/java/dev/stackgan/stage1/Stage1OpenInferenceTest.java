package dev.stackgan.stage1;

import static dev.stackgan.serving.testing.ServiceChecks.assertStatus;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.protobuf.ByteString;
import dev.stackgan.proto.inference.GRPCInferenceServiceGrpc;
import dev.stackgan.proto.inference.ModelInferRequest;
import dev.stackgan.proto.inference.ModelInferResponse;
import dev.stackgan.proto.inference.ModelMetadataRequest;
import dev.stackgan.proto.inference.ModelMetadataResponse;
import dev.stackgan.proto.inference.ModelReadyRequest;
import dev.stackgan.proto.inference.ServerMetadataRequest;
import dev.stackgan.proto.v1.Stage1ServiceGenerateRequest;
import dev.stackgan.proto.v1.Stage1ServiceGenerateResponse;
import dev.stackgan.proto.v1.Stage1ServiceGrpc;
import dev.stackgan.proto.v1.Tensor;
import dev.stackgan.serving.DynamicBatcher;
import dev.stackgan.serving.Tensors;
import dev.stackgan.serving.testing.InferenceClient;
import dev.stackgan.serving.testing.ServiceHarness;
import dev.stackgan.serving.testing.TinyBundles;
import dev.stackgan.serving.testing.TwoVersionService;
import io.grpc.Status;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Open Inference Protocol of the Stage-I application (the shared serving-runtime implementation, FP32 inputs)
 * over real gRPC and HTTP and real ONNX Runtime sessions of tiny bundles (C 8, Z 8, 16 px, max batch 4).
 */
class Stage1OpenInferenceTest {

    private static final int C = 8;
    private static final int Z = 8;

    @RegisterExtension
    static final TwoVersionService service = new TwoVersionService(4);

    @Test
    void metadataComesFromTheBundleSignatureOverGrpcAndRest() {
        ModelMetadataResponse metadata = stub().modelMetadata(ModelMetadataRequest.newBuilder()
                .setName("stage1").build());
        assertEquals("stage1", metadata.getName());
        assertEquals(List.of(TinyBundles.V1, TinyBundles.V2), metadata.getVersionsList());
        assertEquals("onnx_onnxv1", metadata.getPlatform());
        assertEquals("c FP32 [-1, 8]; z FP32 [-1, 8]", describe(metadata.getInputsList()));
        assertEquals("image FP32 [-1, 3, 16, 16]", describe(metadata.getOutputsList()));
        assertEquals(Map.of("max_batch_size", "4"), metadata.getPropertiesMap());
        assertEquals("stage1-service", stub().serverMetadata(ServerMetadataRequest.getDefaultInstance()).getName());

        InferenceClient.Reply rest = InferenceClient.get(http(), "/v2/models/stage1/versions/" + TinyBundles.V2);
        assertEquals(200, rest.status(), rest.body().toString());
        assertEquals("stage1", rest.body().path("name").asText());
        assertEquals("[\"tiny-v1\",\"tiny-v2\"]", rest.body().path("versions").toString());
        assertEquals("{\"name\":\"z\",\"datatype\":\"FP32\",\"shape\":[-1,8]}",
                rest.body().path("inputs").get(1).toString());
        assertEquals("[-1,3,16,16]", rest.body().path("outputs").get(0).path("shape").toString());
        InferenceClient.Reply server = InferenceClient.get(http(), "/v2");
        assertEquals("stage1-service", server.body().path("name").asText());
        assertTrue(server.body().path("version").asText().matches("\\d+\\.\\d+\\.\\d+.*"), server.body().toString());
    }

    @Test
    void readinessOfModelsAndVersions() {
        assertTrue(ready(""));
        assertTrue(ready(TinyBundles.V2));
        assertFalse(ready("tiny-v9"), "a bundle id not loaded here");
        assertStatus(Status.Code.NOT_FOUND, "model 'stage2' is not served here; this service serves 'stage1'",
                () -> stub().modelReady(ModelReadyRequest.newBuilder().setName("stage2").build()));
        assertEquals(200, InferenceClient.get(http(), "/v2/models/stage1/ready").status());
        InferenceClient.Reply notLoaded = InferenceClient.get(http(), "/v2/models/stage1/versions/tiny-v9/ready");
        assertEquals(503, notLoaded.status());
        assertEquals("{\"name\":\"stage1\",\"ready\":false}", notLoaded.body().toString());
    }

    /** Raw and typed contents give the same image, bit for bit the stackgan.v1 Generate's for the same inputs. */
    @Test
    void inferEqualsGenerateWithRawAndTypedContentsAndPinsVersions() {
        float[] conditions = values(2 * C, 0.3f);
        float[] noise = values(2 * Z, -0.2f);
        Stage1ServiceGenerateResponse generated = service.harness().blocking(Stage1ServiceGrpc::newBlockingStub)
                .generate(Stage1ServiceGenerateRequest.newBuilder()
                        .setConditions(Tensors.write(new long[] {2, C}, conditions))
                        .setNoise(Tensors.write(new long[] {2, Z}, noise)).build());
        float[] expected = Tensors.values(generated.getImages());
        for (boolean raw : new boolean[] {true, false}) {
            ModelInferResponse response = stub().modelInfer(request(conditions, noise, raw).setId("req-7").build());
            assertEquals("stage1", response.getModelName());
            assertEquals(TinyBundles.V1, response.getModelVersion());
            assertEquals("req-7", response.getId());
            assertEquals(raw ? 1 : 0, response.getRawOutputContentsCount(), "the answer mirrors the request's form");
            assertEquals(List.of(2L, 3L, 16L, 16L), response.getOutputs(0).getShapeList());
            assertEquals("FP32", response.getOutputs(0).getDatatype());
            assertArrayEquals(expected, InferenceClient.floats(response, "image"));
        }
        ModelInferResponse pinned = stub().modelInfer(request(conditions, noise, true)
                .setModelVersion(TinyBundles.V2).build());
        assertEquals(TinyBundles.V2, pinned.getModelVersion());
        assertFalse(java.util.Arrays.equals(expected, InferenceClient.floats(pinned, "image")),
                "versions have different weights");

        InferenceClient.Reply rest = InferenceClient.restInfer(http(), "/v2/models/stage1/infer", List.of(
                InferenceClient.restInput("c", "FP32", new long[] {2, C}, conditions),
                InferenceClient.restInput("z", "FP32", new long[] {2, Z}, noise)));
        assertEquals(200, rest.status(), rest.body().toString());
        assertEquals(TinyBundles.V1, rest.body().path("model_version").asText());
        assertEquals("[2,3,16,16]", rest.body().path("outputs").get(0).path("shape").toString());
        assertArrayEquals(expected, InferenceClient.floats(rest.body(), "image"));
    }

    @Test
    void badRequestsNameTheInputAndTheLimit() {
        float[] c2 = values(2 * C, 0.1f);
        float[] z2 = values(2 * Z, 0.1f);
        assertStatus(Status.Code.NOT_FOUND, "model 'stage3' is not served here; this service serves 'stage1'",
                () -> stub().modelInfer(request(c2, z2, true).setModelName("stage3").build()));
        assertStatus(Status.Code.NOT_FOUND, "version 'tiny-v9' of model 'stage1' is not loaded here; its versions"
                + " are [tiny-v1, tiny-v2]",
                () -> stub().modelInfer(request(c2, z2, true).setModelVersion("tiny-v9").build()));
        assertStatus(Status.Code.INVALID_ARGUMENT, "model_version '../tiny-v1' is not a bundle id",
                () -> stub().modelInfer(request(c2, z2, true).setModelVersion("../tiny-v1").build()));
        assertStatus(Status.Code.NOT_FOUND, "version 'tiny-v9'",
                () -> stub().modelMetadata(ModelMetadataRequest.newBuilder().setName("stage1")
                        .setVersion("tiny-v9").build()));
        assertInvalid(InferenceClient.addFp32(request(), "c", new long[] {2, 7}, new float[14], true)
                .addRawInputContents(ByteString.copyFrom(new byte[2 * Z * 4]))
                .addInputs(InferenceClient.input("z", "FP32", 2, Z)),
                "input 'c' has shape [2, 7]; stage1 takes [-1, 8] (-1: the batch, 1 to 4)");
        assertInvalid(InferenceClient.addFp32(request(), "c", new long[] {5, C}, new float[5 * C], false),
                "input 'c' has a batch (shape[0]) of 5; it must be 1 to 4");
        assertInvalid(request().addInputs(InferenceClient.input("c", "FP64", 2, C)),
                "input 'c' has datatype 'FP64'; stage1 takes it as FP32");
        assertInvalid(InferenceClient.addFp32(request(), "c", new long[] {2, C}, c2, false),
                "input 'z' is missing; stage1 takes c FP32 [-1, 8], z FP32 [-1, 8]");
        assertInvalid(InferenceClient.addFp32(request(c2, z2, false), "noise", new long[] {2, Z}, z2, false),
                "input 'noise' is not an input of stage1; it takes c FP32 [-1, 8], z FP32 [-1, 8]");
        assertInvalid(InferenceClient.addFp32(InferenceClient.addFp32(request(), "c", new long[] {2, C}, c2, false),
                "z", new long[] {3, Z}, values(3 * Z, 0f), false),
                "input 'z' has a batch of 3 but input 'c' has 2; every input needs the same batch");
        assertInvalid(request(c2, z2, true).setRawInputContents(1, ByteString.copyFrom(new byte[60])),
                "input 'z' has 60 bytes in raw_input_contents[1]; shape [2, 8] of FP32 needs 64");
        assertInvalid(request(c2, z2, true).addRawInputContents(ByteString.EMPTY),
                "raw_input_contents has 3 entries for 2 inputs");
        assertInvalid(InferenceClient.addFp32(request(), "c", new long[] {2, C}, new float[15], false)
                        .addInputs(InferenceClient.input("z", "FP32", 2, Z)),
                "input 'c' has 15 values in contents.fp32_contents; shape [2, 8] needs 16");
        float[] nan = c2.clone();
        nan[9] = Float.NaN;
        assertInvalid(request(nan, z2, false), "input 'c' holds NaN at element 9; values must be finite");
        assertInvalid(request(c2, z2, false).addOutputs(ModelInferRequest.InferRequestedOutputTensor.newBuilder()
                .setName("mask")), "output 'mask' is not an output of stage1; it has image FP32 [-1, 3, 16, 16]");

        // REST: the same rules, the protocol's {"error": ...} body and the HTTP status of the code
        InferenceClient.Reply unknown = InferenceClient.post(http(), "/v2/models/stage3/infer", "{\"inputs\":[]}");
        assertEquals(404, unknown.status());
        assertTrue(unknown.body().path("error").asText().contains("model 'stage3' is not served here"),
                unknown.body().toString());
        InferenceClient.Reply shape = InferenceClient.restInfer(http(), "/v2/models/stage1/infer", List.of(
                InferenceClient.restInput("c", "FP32", new long[] {2, 7}, new float[14]),
                InferenceClient.restInput("z", "FP32", new long[] {2, Z}, z2)));
        assertEquals(400, shape.status());
        assertEquals("input 'c' has shape [2, 7]; stage1 takes [-1, 8] (-1: the batch, 1 to 4)",
                shape.body().path("error").asText());
        InferenceClient.Reply text = InferenceClient.restInfer(http(), "/v2/models/stage1/infer", List.of(
                InferenceClient.restInput("c", "FP32", new long[] {1, C}, List.of("a", 1, 2, 3, 4, 5, 6, 7))));
        assertEquals(400, text.status());
        assertEquals("inputs[0].data[0] is a; FP32 data must be numbers", text.body().path("error").asText());
        InferenceClient.Reply unknownField = InferenceClient.post(http(), "/v2/models/stage1/infer",
                "{\"input\":[]}");
        assertEquals("the request has an unknown property 'input'; its fields are id, parameters, inputs, outputs",
                unknownField.body().path("error").asText());
        assertEquals(400, InferenceClient.post(http(), "/v2/models/stage1/infer", "{\"inputs\":").status());
    }

    /**
     * Every string of a request has a limit: a 10,000-character one is INVALID_ARGUMENT naming the field and the
     * limit, and no message repeats more than an excerpt of it (a long one overflowed the gRPC trailers).
     */
    @Test
    void overLongStringsAreRefusedNamingTheFieldAndTheLimit() {
        String huge = "x".repeat(10_000);
        float[] c1 = values(C, 0.1f);
        float[] z1 = values(Z, 0.1f);
        long[] tallShape = new long[10_000];
        Arrays.fill(tallShape, 1);
        List<String> messages = List.of(
                assertInvalid(request(c1, z1, false).setId(huge), "id has 10000 characters, at most 128 are allowed"),
                assertInvalid(request(c1, z1, false).setModelName(huge),
                        "model_name has 10000 characters, at most 128"),
                assertInvalid(request(c1, z1, false).setModelVersion(huge), "model_version 'xxx"),
                assertInvalid(InferenceClient.addFp32(request(), huge, new long[] {1, C}, c1, false),
                        "inputs[0].name has 10000 characters, at most 128"),
                assertInvalid(request(c1, z1, false).setInputs(1, request(c1, z1, false).getInputs(1).toBuilder()
                        .setDatatype(huge)), "inputs[1].datatype has 10000 characters, at most 128"),
                assertInvalid(request(c1, z1, false).addOutputs(ModelInferRequest.InferRequestedOutputTensor
                        .newBuilder().setName(huge)), "outputs[0].name has 10000 characters, at most 128"),
                assertStatus(Status.Code.INVALID_ARGUMENT, "name has 10000 characters, at most 128",
                        () -> stub().modelReady(ModelReadyRequest.newBuilder().setName(huge).build())),
                assertStatus(Status.Code.INVALID_ARGUMENT, "version 'xxx",
                        () -> stub().modelMetadata(ModelMetadataRequest.newBuilder().setName("stage1")
                                .setVersion(huge).build())),
                // a shape of 10,000 dimensions, in both APIs of the service
                assertInvalid(request().addInputs(InferenceClient.input("c", "FP32", tallShape)),
                        "input 'c' has shape [1, 1, 1"),
                assertStatus(Status.Code.INVALID_ARGUMENT, "conditions.shape is [1, 1, 1",
                        () -> service.harness().blocking(Stage1ServiceGrpc::newBlockingStub).generate(
                                Stage1ServiceGenerateRequest.newBuilder().setConditions(Tensor.newBuilder()
                                        .addAllShape(Arrays.stream(tallShape).boxed().toList())).build())));
        messages.forEach(message -> assertTrue(message.length() < 400, message));
        // the longest id passes and comes back
        assertEquals("i".repeat(128), stub().modelInfer(request(c1, z1, false).setId("i".repeat(128)).build()).getId());

        InferenceClient.Reply id = InferenceClient.post(http(), "/v2/models/stage1/infer",
                "{\"id\": \"" + huge + "\", \"inputs\": []}");
        assertEquals(400, id.status());
        assertEquals("id has 10000 characters, at most 128 are allowed", id.body().path("error").asText());
        InferenceClient.Reply name = InferenceClient.get(http(), "/v2/models/" + "n".repeat(300) + "/ready");
        assertEquals(400, name.status());
        assertEquals("name has 300 characters, at most 128 are allowed", name.body().path("error").asText());
    }

    /**
     * A stackgan.v1 request of one row and an Open Inference request of two wait in the same queue (a minute's
     * delay, max batch 3) and run as one batch: the protocol shares the service's batching, not a copy of it.
     */
    @Test
    void bothApisShareOneBatchingQueue(@TempDir Path repository) throws Exception {
        TinyBundles.export(repository, TinyBundles.V1, 1);
        try (ServiceHarness harness = new ServiceHarness(repository, Map.of(
                "stackgan.serving.batching.max-batch-size", 3,
                "stackgan.serving.batching.max-queue-delay", "60s",
                "stackgan.serving.batching.wait-when-idle", true))) {
            harness.promote(TinyBundles.V1);
            DynamicBatcher batcher = harness.bean(DynamicBatcher.class);
            long runsBefore = batcher.runs();
            ListenableFuture<Stage1ServiceGenerateResponse> v1 = Stage1ServiceGrpc.newFutureStub(harness.channel())
                    .withDeadlineAfter(120, TimeUnit.SECONDS).generate(Stage1ServiceGenerateRequest.newBuilder()
                            .setConditions(Tensors.write(new long[] {1, C}, values(C, 0.5f))).setSeed(4).build());
            ListenableFuture<ModelInferResponse> oip = GRPCInferenceServiceGrpc.newFutureStub(harness.channel())
                    .withDeadlineAfter(120, TimeUnit.SECONDS)
                    .modelInfer(request(values(2 * C, 0.5f), values(2 * Z, 0.1f), true).build());
            assertEquals(1, v1.get(120, TimeUnit.SECONDS).getImages().getShape(0));
            assertEquals(2, oip.get(120, TimeUnit.SECONDS).getOutputs(0).getShape(0));
            assertEquals(1, batcher.runs() - runsBefore, "one merged run");
            assertEquals(3, batcher.rowsRun());
        }
    }

    private static boolean ready(String version) {
        return stub().modelReady(ModelReadyRequest.newBuilder().setName("stage1").setVersion(version).build())
                .getReady();
    }

    private static String assertInvalid(ModelInferRequest.Builder request, String message) {
        return assertStatus(Status.Code.INVALID_ARGUMENT, message, () -> stub().modelInfer(request.build()));
    }

    private static ModelInferRequest.Builder request() {
        return ModelInferRequest.newBuilder().setModelName("stage1");
    }

    private static ModelInferRequest.Builder request(float[] conditions, float[] noise, boolean raw) {
        int rows = conditions.length / C;
        return InferenceClient.addFp32(InferenceClient.addFp32(request(), "c", new long[] {rows, C}, conditions, raw),
                "z", new long[] {rows, Z}, noise, raw);
    }

    private static float[] values(int count, float offset) {
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            values[i] = offset + (i % 7) * 0.13f - 0.4f;
        }
        return values;
    }

    private static String describe(List<ModelMetadataResponse.TensorMetadata> tensors) {
        return String.join("; ", tensors.stream().map(t -> t.getName() + " " + t.getDatatype() + " "
                + t.getShapeList()).toList());
    }

    private static GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub stub() {
        return InferenceClient.stub(service.harness().channel());
    }

    private static java.net.URI http() {
        return service.harness().http();
    }
}
