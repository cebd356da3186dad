package dev.stackgan.serving.testing;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.google.protobuf.ByteString;
import dev.stackgan.proto.inference.GRPCInferenceServiceGrpc;
import dev.stackgan.proto.inference.InferTensorContents;
import dev.stackgan.proto.inference.ModelInferRequest;
import dev.stackgan.proto.inference.ModelInferResponse;
import io.grpc.ManagedChannel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * What a generic Open Inference Protocol client does, for tests: requests with FP32 and INT64 inputs in
 * {@code raw_input_contents} or typed contents, the outputs read back from either, and the REST form over the JDK's
 * HTTP client. Knows nothing of the services' own code.
 */
public final class InferenceClient {

    /** REST numbers read as BigDecimal, so an FP32 value's text converts once, exactly, to its float. */
    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).build();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private InferenceClient() {
    }

    /** Status and parsed JSON body of a REST call. */
    public record Reply(int status, JsonNode body) {
    }

    public static GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub stub(ManagedChannel channel) {
        return GRPCInferenceServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
    }

    /** Adds an FP32 input: values little-endian in raw_input_contents when {@code raw}, else in fp32_contents. */
    public static ModelInferRequest.Builder addFp32(ModelInferRequest.Builder request, String name, long[] shape,
                                                    float[] values, boolean raw) {
        ByteBuffer bytes = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(values);
        return add(request, input(name, "FP32", shape), raw ? bytes : null, contents -> {
            for (float value : values) {
                contents.addFp32Contents(value);
            }
        });
    }

    /** Adds an INT64 input: values little-endian in raw_input_contents when {@code raw}, else in int64_contents. */
    public static ModelInferRequest.Builder addInt64(ModelInferRequest.Builder request, String name, long[] shape,
                                                     long[] values, boolean raw) {
        ByteBuffer bytes = ByteBuffer.allocate(values.length * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asLongBuffer().put(values);
        return add(request, input(name, "INT64", shape), raw ? bytes : null,
                contents -> Arrays.stream(values).forEach(contents::addInt64Contents));
    }

    /** {@code input} with its values in raw_input_contents ({@code raw} not null) or in typed contents. */
    private static ModelInferRequest.Builder add(ModelInferRequest.Builder request,
                                                 ModelInferRequest.InferInputTensor.Builder input, ByteBuffer raw,
                                                 Consumer<InferTensorContents.Builder> typed) {
        if (raw != null) {
            request.addRawInputContents(ByteString.copyFrom(raw.array()));
        } else {
            typed.accept(input.getContentsBuilder());
        }
        return request.addInputs(input);
    }

    /** An input's name, datatype and shape, without values. */
    public static ModelInferRequest.InferInputTensor.Builder input(String name, String datatype, long... shape) {
        ModelInferRequest.InferInputTensor.Builder input = ModelInferRequest.InferInputTensor.newBuilder()
                .setName(name).setDatatype(datatype);
        for (long d : shape) {
            input.addShape(d);
        }
        return input;
    }

    /** The FP32 values of output {@code name}, from raw_output_contents or typed contents, whichever it used. */
    public static float[] floats(ModelInferResponse response, String name) {
        for (int i = 0; i < response.getOutputsCount(); i++) {
            ModelInferResponse.InferOutputTensor output = response.getOutputs(i);
            if (!output.getName().equals(name)) {
                continue;
            }
            if (response.getRawOutputContentsCount() > 0) {
                ByteBuffer bytes = response.getRawOutputContents(i).asReadOnlyByteBuffer()
                        .order(ByteOrder.LITTLE_ENDIAN);
                float[] values = new float[bytes.remaining() / Float.BYTES];
                bytes.asFloatBuffer().get(values);
                return values;
            }
            float[] values = new float[output.getContents().getFp32ContentsCount()];
            for (int j = 0; j < values.length; j++) {
                values[j] = output.getContents().getFp32Contents(j);
            }
            return values;
        }
        throw new AssertionError("no output '" + name + "' in " + response.getOutputsList());
    }

    /** One REST input object: {@code {"name", "datatype", "shape", "data"}} with flat data. */
    public static Map<String, Object> restInput(String name, String datatype, long[] shape, Object data) {
        Map<String, Object> input = new LinkedHashMap<>();
        input.put("name", name);
        input.put("datatype", datatype);
        input.put("shape", shape);
        input.put("data", data);
        return input;
    }

    /** POST {@code path} (e.g. /v2/models/stage2/infer) with {@code {"inputs": inputs}}. */
    public static Reply restInfer(URI base, String path, List<Map<String, Object>> inputs) {
        try {
            return post(base, path, JSON.writeValueAsString(Map.of("inputs", inputs)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Reply post(URI base, String path, String body) {
        return send(HttpRequest.newBuilder(base.resolve(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    public static Reply get(URI base, String path) {
        return send(HttpRequest.newBuilder(base.resolve(path)).GET());
    }

    private static Reply send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> response = HTTP.send(request.timeout(Duration.ofSeconds(60)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return new Reply(response.statusCode(), JSON.readTree(response.body()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The FP32 data of output {@code name} of a REST response, each number's text parsed as a float. */
    public static float[] floats(JsonNode response, String name) {
        for (JsonNode output : response.path("outputs")) {
            if (output.path("name").asText().equals(name)) {
                List<Float> values = new ArrayList<>();
                output.path("data").forEach(value -> values.add(Float.parseFloat(value.decimalValue().toString())));
                float[] out = new float[values.size()];
                for (int i = 0; i < out.length; i++) {
                    out[i] = values.get(i);
                }
                return out;
            }
        }
        throw new AssertionError("no output '" + name + "' in " + response);
    }
}
