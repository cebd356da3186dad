package dev.stackgan.gateway;

import static dev.stackgan.gateway.ServingStack.STAGE1;
import static dev.stackgan.gateway.ServingStack.STAGE2;
import static dev.stackgan.gateway.ServingStack.TEXT_ENCODER;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import dev.stackgan.bundle.image.PngEncoder;
import dev.stackgan.bundle.text.Vocabulary;
import dev.stackgan.proto.inference.ModelInferRequest;
import dev.stackgan.proto.inference.ModelInferResponse;
import dev.stackgan.proto.inference.ModelMetadataRequest;
import dev.stackgan.proto.inference.ModelMetadataResponse;
import dev.stackgan.serving.DefaultBundle;
import dev.stackgan.serving.Tensors;
import dev.stackgan.serving.testing.GrpcClients;
import dev.stackgan.serving.testing.InferenceClient;
import io.grpc.ManagedChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A prompt to 256 px images through the Open Inference Protocol alone, as a Triton or KServe client would drive the
 * three model services: the vocabulary from text_encoder's metadata, the noise of each seed drawn on the client as
 * documented (docs/serving.md), then text_encoder, stage1 and stage2 by ModelInfer, the later two pinned to the
 * version the first answered. Once over gRPC with raw contents, once over REST with JSON tensors; both give PNGs
 * identical, byte for byte, to the gateway's for the same prompt and seeds. The services serve the shipped
 * demo-small bundle (64 px Stage-I, 256 px Stage-II).
 */
class OpenInferenceChainTest {

    private static final String PROMPT = "a small bird with a red crown and a white belly";
    private static final long SEED = 7;
    private static final int N = 2;

    @TempDir
    Path repository;

    /** One input of a ModelInfer call: FP32 values or INT64 ones. */
    private record Input(String name, long[] shape, float[] floats, long[] longs) {
    }

    /** A model's answer: the version that ran and its outputs by name. */
    private record Answer(String version, Map<String, float[]> outputs) {
    }

    /** The protocol over one transport: a model's input shapes and properties, and ModelInfer. */
    private interface Protocol {
        /** The shapes of the model's inputs by name, and its properties (null: none asked for). */
        Map<String, long[]> inputShapes(String service, String model, Map<String, String> properties);

        Answer infer(String service, String model, String version, List<Input> inputs);
    }

    @Test
    void promptToImagesThroughTheProtocolAloneMatchesTheGatewayBitForBit() throws Exception {
        Map<String, Object> shipped = Map.of("stackgan.serving.default-bundle", true);
        try (ServingStack stack = new ServingStack(repository, Map.of(),
                Map.of(TEXT_ENCODER, shipped, STAGE1, shipped, STAGE2, shipped))) {
            HttpJson.Reply reply = HttpJson.post(stack.http(), Map.of("prompt", PROMPT, "n", N, "seed", SEED));
            assertEquals(200, reply.status(), String.valueOf(reply.body()));
            assertEquals(DefaultBundle.shipped().bundleId(), reply.body().get("model_version").asText());
            List<byte[]> gateway = new ArrayList<>();
            for (JsonNode image : reply.body().get("images")) {
                assertEquals(256, image.get("width").asInt());
                gateway.add(Base64.getDecoder().decode(image.get("png").asText()));
            }
            PngEncoder encoder = stack.gatewayBean(GatewayConfiguration.class).pngEncoder();

            Map<String, ManagedChannel> channels = new HashMap<>();
            try {
                for (String service : List.of(TEXT_ENCODER, STAGE1, STAGE2)) {
                    channels.put(service, GrpcClients.channel(stack.servicePort(service)));
                }
                assertPngs(gateway, chain(grpc(channels)), encoder);
            } finally {
                for (ManagedChannel channel : channels.values()) {
                    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
                }
            }
            assertPngs(gateway, chain(rest(stack)), encoder);
        }
    }

    private static void assertPngs(List<byte[]> expected, float[] images, PngEncoder encoder) {
        List<ByteString> pngs = Pngs.encode(Tensors.write(new long[] {N, 3, 256, 256}, images), encoder);
        assertEquals(expected.size(), pngs.size());
        for (int i = 0; i < pngs.size(); i++) {
            assertArrayEquals(expected.get(i), pngs.get(i).toByteArray(), "image " + i);
        }
    }

    /** Prompt and seeds to Stage-II images [N, 3, 256, 256], a client's view of the protocol. */
    private static float[] chain(Protocol protocol) {
        Map<String, String> properties = new HashMap<>();
        Map<String, long[]> encoderInputs = protocol.inputShapes(TEXT_ENCODER, "text_encoder", properties);
        int words = Math.toIntExact(encoderInputs.get("token_ids")[1]);
        int c = Math.toIntExact(encoderInputs.get("stage1_ca_noise")[1]);
        int z = Math.toIntExact(protocol.inputShapes(STAGE1, "stage1", null).get("z")[1]);
        long[] stage1Images = protocol.inputShapes(STAGE2, "stage2", null).get("stage1_image");
        stage1Images[0] = N;
        Vocabulary vocabulary = Vocabulary.of(Arrays.asList(properties.get("vocabulary").split("\n", -1)));

        long[] tokenIds = new long[N * words];
        float[][] noise = {new float[N * c], new float[N * c], new float[N * z]};
        for (int i = 0; i < N; i++) {
            System.arraycopy(vocabulary.encode(PROMPT, words).tokenIds(), 0, tokenIds, i * words, words);
            // docs/serving.md: image i of seed s uses java.util.Random(s + i), whose Gaussians in order are the
            // Stage-I CA epsilon (C), the Stage-II CA epsilon (C) and z (Z), each cast to float
            Random random = new Random(SEED + i);
            for (int part = 0; part < 3; part++) {
                int size = noise[part].length / N;
                for (int j = 0; j < size; j++) {
                    noise[part][i * size + j] = (float) random.nextGaussian();
                }
            }
        }
        Answer encoded = protocol.infer(TEXT_ENCODER, "text_encoder", "", List.of(
                new Input("token_ids", new long[] {N, words}, null, tokenIds),
                new Input("stage1_ca_noise", new long[] {N, c}, noise[0], null),
                new Input("stage2_ca_noise", new long[] {N, c}, noise[1], null)));
        String version = encoded.version();
        Answer stage1 = protocol.infer(STAGE1, "stage1", version, List.of(
                new Input("c", new long[] {N, c}, encoded.outputs().get("stage1_c"), null),
                new Input("z", new long[] {N, z}, noise[2], null)));
        Answer stage2 = protocol.infer(STAGE2, "stage2", version, List.of(
                new Input("stage1_image", stage1Images, stage1.outputs().get("image"), null),
                new Input("c", new long[] {N, c}, encoded.outputs().get("stage2_c"), null)));
        assertEquals(version, stage2.version());
        return stage2.outputs().get("image");
    }

    /** gRPC inference.GRPCInferenceService, every input in raw_input_contents. */
    private static Protocol grpc(Map<String, ManagedChannel> channels) {
        return new Protocol() {
            @Override
            public Map<String, long[]> inputShapes(String service, String model, Map<String, String> properties) {
                ModelMetadataResponse metadata = InferenceClient.stub(channels.get(service))
                        .modelMetadata(ModelMetadataRequest.newBuilder().setName(model).build());
                if (properties != null) {
                    properties.putAll(metadata.getPropertiesMap());
                }
                Map<String, long[]> shapes = new LinkedHashMap<>();
                for (ModelMetadataResponse.TensorMetadata input : metadata.getInputsList()) {
                    shapes.put(input.getName(), input.getShapeList().stream().mapToLong(Long::longValue).toArray());
                }
                return shapes;
            }

            @Override
            public Answer infer(String service, String model, String version, List<Input> inputs) {
                ModelInferRequest.Builder request = ModelInferRequest.newBuilder().setModelName(model)
                        .setModelVersion(version);
                for (Input input : inputs) {
                    if (input.longs() != null) {
                        InferenceClient.addInt64(request, input.name(), input.shape(), input.longs(), true);
                    } else {
                        InferenceClient.addFp32(request, input.name(), input.shape(), input.floats(), true);
                    }
                }
                ModelInferResponse response = InferenceClient.stub(channels.get(service)).modelInfer(request.build());
                Map<String, float[]> outputs = new HashMap<>();
                for (ModelInferResponse.InferOutputTensor output : response.getOutputsList()) {
                    outputs.put(output.getName(), InferenceClient.floats(response, output.getName()));
                }
                return new Answer(response.getModelVersion(), outputs);
            }
        };
    }

    /** REST on each service's HTTP port: GET /v2/models/{name}, POST .../versions/{version}/infer with JSON. */
    private static Protocol rest(ServingStack stack) {
        return new Protocol() {
            @Override
            public Map<String, long[]> inputShapes(String service, String model, Map<String, String> properties) {
                InferenceClient.Reply metadata = InferenceClient.get(stack.serviceHttp(service), "/v2/models/" + model);
                assertEquals(200, metadata.status(), metadata.body().toString());
                if (properties != null) {
                    metadata.body().get("properties").properties()
                            .forEach(property -> properties.put(property.getKey(), property.getValue().asText()));
                }
                Map<String, long[]> shapes = new LinkedHashMap<>();
                for (JsonNode input : metadata.body().get("inputs")) {
                    long[] shape = new long[input.get("shape").size()];
                    for (int i = 0; i < shape.length; i++) {
                        shape[i] = input.get("shape").get(i).asLong();
                    }
                    shapes.put(input.get("name").asText(), shape);
                }
                return shapes;
            }

            @Override
            public Answer infer(String service, String model, String version, List<Input> inputs) {
                List<Map<String, Object>> json = new ArrayList<>();
                for (Input input : inputs) {
                    json.add(input.longs() != null
                            ? InferenceClient.restInput(input.name(), "INT64", input.shape(), input.longs())
                            : InferenceClient.restInput(input.name(), "FP32", input.shape(), input.floats()));
                }
                String path = "/v2/models/" + model + (version.isEmpty() ? "" : "/versions/" + version) + "/infer";
                InferenceClient.Reply reply = InferenceClient.restInfer(stack.serviceHttp(service), path, json);
                assertEquals(200, reply.status(), reply.body().toString());
                Map<String, float[]> outputs = new HashMap<>();
                for (JsonNode output : reply.body().get("outputs")) {
                    String name = output.get("name").asText();
                    outputs.put(name, InferenceClient.floats(reply.body(), name));
                }
                return new Answer(reply.body().get("model_version").asText(), outputs);
            }
        };
    }
}
