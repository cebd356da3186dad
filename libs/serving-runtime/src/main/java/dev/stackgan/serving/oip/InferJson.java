package dev.stackgan.serving.oip;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.stackgan.proto.inference.InferTensorContents;
import dev.stackgan.proto.inference.ModelInferRequest;
import dev.stackgan.proto.inference.ModelInferResponse;
import dev.stackgan.proto.inference.ModelMetadataResponse;
import dev.stackgan.proto.inference.ServerMetadataResponse;
import dev.stackgan.serving.Errors;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The REST form of the Open Inference Protocol: its JSON objects to and from the gRPC messages, so both transports
 * run the same {@link OpenInference}. Numbers are read as text, so an FP32 value written by
 * {@link Float#toString} (as the responses are) reads back as exactly the same float.
 */
public final class InferJson {

    private static final JsonFactory JSON = JsonFactory.builder().build();
    private static final List<String> REQUEST_FIELDS = List.of("id", "parameters", "inputs", "outputs");
    private static final List<String> INPUT_FIELDS = List.of("name", "shape", "datatype", "parameters", "data");
    private static final List<String> OUTPUT_FIELDS = List.of("name", "parameters");

    private InferJson() {
    }

    /** One element of an input's data as the JSON had it: its text and whether it was a number. */
    private record Element(String text, JsonToken token) {
    }

    /**
     * The inference request object ({@code {"id", "parameters", "inputs", "outputs"}}) for {@code model} at
     * {@code version} (empty: the current one). Inputs' data may be flat or nested arrays; FP32 and INT64 data land
     * in typed contents. INVALID_ARGUMENT naming the field for malformed JSON, unknown properties and wrong types.
     */
    public static ModelInferRequest request(String model, String version, byte[] body) {
        ModelInferRequest.Builder request = ModelInferRequest.newBuilder().setModelName(model)
                .setModelVersion(version);
        try (JsonParser parser = JSON.createParser(body)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw Errors.invalidArgument("the request body must be a JSON object with inputs");
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = known(parser.currentName(), REQUEST_FIELDS, "the request");
                JsonToken value = parser.nextToken();
                switch (field) {
                    case "id" -> request.setId(string(parser, "id"));
                    case "parameters" -> skipObject(parser, "parameters");
                    case "inputs" -> {
                        requireArray(value, "inputs");
                        for (int i = 0; parser.nextToken() != JsonToken.END_ARRAY; i++) {
                            request.addInputs(input(parser, "inputs[" + i + "]"));
                        }
                    }
                    default -> {
                        requireArray(value, "outputs");
                        for (int i = 0; parser.nextToken() != JsonToken.END_ARRAY; i++) {
                            request.addOutputs(output(parser, "outputs[" + i + "]"));
                        }
                    }
                }
            }
            if (parser.nextToken() != null) {
                throw Errors.invalidArgument("the request body has more after its JSON object");
            }
        } catch (JsonProcessingException e) {
            throw Errors.invalidArgument("the request body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return request.build();
    }

    private static ModelInferRequest.InferInputTensor input(JsonParser parser, String where) throws IOException {
        requireObject(parser.currentToken(), where);
        ModelInferRequest.InferInputTensor.Builder input = ModelInferRequest.InferInputTensor.newBuilder();
        List<Element> data = null;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = known(parser.currentName(), INPUT_FIELDS, where);
            JsonToken value = parser.nextToken();
            switch (field) {
                case "name" -> input.setName(string(parser, where + ".name"));
                case "datatype" -> input.setDatatype(string(parser, where + ".datatype"));
                case "parameters" -> skipObject(parser, where + ".parameters");
                case "shape" -> {
                    requireArray(value, where + ".shape");
                    for (int d = 0; parser.nextToken() != JsonToken.END_ARRAY; d++) {
                        if (parser.currentToken() != JsonToken.VALUE_NUMBER_INT) {
                            throw Errors.invalidArgument(where + ".shape[" + d + "] must be a whole number");
                        }
                        input.addShape(parser.getLongValue());
                    }
                }
                default -> {
                    requireArray(value, where + ".data");
                    data = new ArrayList<>();
                    flatten(parser, data);
                }
            }
        }
        if (data != null) {
            contents(input, data, where + ".data");
        }
        return input.build();
    }

    /** The elements of a (possibly nested) array in row-major order; the parser stands on its START_ARRAY. */
    private static void flatten(JsonParser parser, List<Element> into) throws IOException {
        for (JsonToken token = parser.nextToken(); token != JsonToken.END_ARRAY; token = parser.nextToken()) {
            if (token == JsonToken.START_ARRAY) {
                flatten(parser, into);
            } else {
                into.add(new Element(token == JsonToken.START_OBJECT ? "{...}" : parser.getText(), token));
                parser.skipChildren();
            }
        }
    }

    /**
     * FP32 and INT64 data as typed contents. Data of another datatype is left out: no graph takes one, and the
     * model refuses the input by its datatype, naming the one it takes.
     */
    private static void contents(ModelInferRequest.InferInputTensor.Builder input, List<Element> data, String where) {
        InferTensorContents.Builder contents = input.getContentsBuilder();
        boolean int64 = InferTensors.INT64.equals(input.getDatatype());
        if (!int64 && !InferTensors.FP32.equals(input.getDatatype())) {
            return;
        }
        for (int i = 0; i < data.size(); i++) {
            Element element = data.get(i);
            boolean whole = element.token() == JsonToken.VALUE_NUMBER_INT;
            if (!whole && (int64 || element.token() != JsonToken.VALUE_NUMBER_FLOAT)) {
                throw Errors.invalidArgument(where + "[" + i + "] is " + Errors.excerpt(element.text()) + "; "
                        + input.getDatatype() + " data must be " + (int64 ? "whole numbers" : "numbers"));
            }
            if (!int64) {
                contents.addFp32Contents(Float.parseFloat(element.text()));
                continue;
            }
            try {
                contents.addInt64Contents(Long.parseLong(element.text()));
            } catch (NumberFormatException e) {
                throw Errors.invalidArgument(where + "[" + i + "] is " + Errors.excerpt(element.text())
                        + "; INT64 data must fit 64 bits");
            }
        }
    }

    private static ModelInferRequest.InferRequestedOutputTensor output(JsonParser parser, String where)
            throws IOException {
        requireObject(parser.currentToken(), where);
        ModelInferRequest.InferRequestedOutputTensor.Builder output =
                ModelInferRequest.InferRequestedOutputTensor.newBuilder();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = known(parser.currentName(), OUTPUT_FIELDS, where);
            parser.nextToken();
            if (field.equals("name")) {
                output.setName(string(parser, where + ".name"));
            } else {
                skipObject(parser, where + ".parameters");
            }
        }
        return output.build();
    }

    private static String known(String field, List<String> fields, String where) {
        if (!fields.contains(field)) {
            throw Errors.invalidArgument(where + " has an unknown property '" + Errors.excerpt(field)
                    + "'; its fields are " + String.join(", ", fields));
        }
        return field;
    }

    private static String string(JsonParser parser, String where) throws IOException {
        if (parser.currentToken() != JsonToken.VALUE_STRING) {
            throw Errors.invalidArgument(where + " must be a string");
        }
        return parser.getText();
    }

    private static void skipObject(JsonParser parser, String where) throws IOException {
        requireObject(parser.currentToken(), where);
        parser.skipChildren();
    }

    private static void requireObject(JsonToken token, String where) {
        if (token != JsonToken.START_OBJECT) {
            throw Errors.invalidArgument(where + " must be a JSON object");
        }
    }

    private static void requireArray(JsonToken token, String where) {
        if (token != JsonToken.START_ARRAY) {
            throw Errors.invalidArgument(where + " must be a JSON array");
        }
    }

    /** The inference response object; outputs come from typed contents (REST requests never carry raw ones). */
    public static byte[] response(ModelInferResponse response) {
        return write(json -> {
            json.writeStringField("model_name", response.getModelName());
            json.writeStringField("model_version", response.getModelVersion());
            if (!response.getId().isEmpty()) {
                json.writeStringField("id", response.getId());
            }
            json.writeArrayFieldStart("outputs");
            for (ModelInferResponse.InferOutputTensor output : response.getOutputsList()) {
                json.writeStartObject();
                json.writeStringField("name", output.getName());
                json.writeStringField("datatype", output.getDatatype());
                writeShape(json, output.getShapeList());
                json.writeArrayFieldStart("data");
                for (float value : output.getContents().getFp32ContentsList()) {
                    json.writeNumber(value);
                }
                json.writeEndArray();
                json.writeEndObject();
            }
            json.writeEndArray();
        });
    }

    public static byte[] modelMetadata(ModelMetadataResponse metadata) {
        return write(json -> {
            json.writeStringField("name", metadata.getName());
            writeStrings(json, "versions", metadata.getVersionsList());
            json.writeStringField("platform", metadata.getPlatform());
            writeTensors(json, "inputs", metadata.getInputsList());
            writeTensors(json, "outputs", metadata.getOutputsList());
            json.writeObjectFieldStart("properties");
            for (Map.Entry<String, String> property : metadata.getPropertiesMap().entrySet()) {
                json.writeStringField(property.getKey(), property.getValue());
            }
            json.writeEndObject();
        });
    }

    public static byte[] serverMetadata(ServerMetadataResponse metadata) {
        return write(json -> {
            json.writeStringField("name", metadata.getName());
            json.writeStringField("version", metadata.getVersion());
            writeStrings(json, "extensions", metadata.getExtensionsList());
        });
    }

    /** {@code {"<field>": value}}, e.g. {@code {"live": true}}. */
    public static byte[] flag(String field, boolean value) {
        return write(json -> json.writeBooleanField(field, value));
    }

    /** The model ready object: {@code {"name": ..., "ready": ...}}. */
    public static byte[] modelReady(String name, boolean ready) {
        return write(json -> {
            json.writeStringField("name", name);
            json.writeBooleanField("ready", ready);
        });
    }

    /** The protocol's error object: {@code {"error": message}}. */
    public static byte[] error(String message) {
        return write(json -> json.writeStringField("error", message));
    }

    private static void writeTensors(JsonGenerator json, String field,
                                     List<ModelMetadataResponse.TensorMetadata> tensors) throws IOException {
        json.writeArrayFieldStart(field);
        for (ModelMetadataResponse.TensorMetadata tensor : tensors) {
            json.writeStartObject();
            json.writeStringField("name", tensor.getName());
            json.writeStringField("datatype", tensor.getDatatype());
            writeShape(json, tensor.getShapeList());
            json.writeEndObject();
        }
        json.writeEndArray();
    }

    private static void writeShape(JsonGenerator json, List<Long> shape) throws IOException {
        json.writeArrayFieldStart("shape");
        for (long d : shape) {
            json.writeNumber(d);
        }
        json.writeEndArray();
    }

    private static void writeStrings(JsonGenerator json, String field, List<String> values) throws IOException {
        json.writeArrayFieldStart(field);
        for (String value : values) {
            json.writeString(value);
        }
        json.writeEndArray();
    }

    /** The fields of one object. */
    private interface Fields {
        void write(JsonGenerator json) throws IOException;
    }

    private static byte[] write(Fields fields) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JsonGenerator json = JSON.createGenerator(bytes)) {
            json.writeStartObject();
            fields.write(json);
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
