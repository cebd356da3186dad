package dev.stackgan.serving.oip;

import dev.stackgan.bundle.graph.ModelGraphs;
import dev.stackgan.bundle.graph.TensorSpec;
import dev.stackgan.proto.inference.ModelInferRequest;
import dev.stackgan.proto.inference.ModelInferResponse;
import dev.stackgan.proto.inference.ModelMetadataResponse;
import dev.stackgan.proto.inference.ServerMetadataResponse;
import dev.stackgan.serving.Errors;
import dev.stackgan.serving.Inference;
import dev.stackgan.serving.InputRows;
import dev.stackgan.serving.LoadedModel;
import dev.stackgan.serving.ModelLease;
import dev.stackgan.serving.ModelRepository;
import dev.stackgan.serving.ModelVersions;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;

/**
 * The Open Inference Protocol (KServe v2) of one model service, whatever the transport (gRPC
 * {@code inference.GRPCInferenceService} and REST {@code /v2}). The service's graph is its one model, named as the
 * bundle names it ({@code text_encoder}, {@code stage1}, {@code stage2}); its versions are the bundle ids loaded
 * here. Inference shares the {@link Inference} path of the stackgan.v1 API: the same version leases, the same
 * batching queue (requests of both APIs merge into one run), the same deadlines.
 *
 * <p>Errors are gRPC statuses: NOT_FOUND for a model this service does not serve or a version it has not loaded,
 * UNAVAILABLE while nothing is loaded, INVALID_ARGUMENT naming the input (or field) and the limit.
 */
public final class OpenInference {

    /** The protocol's platform name for ONNX graphs run by ONNX Runtime. */
    public static final String PLATFORM = "onnx_onnxv1";
    /** ModelMetadata property: the largest batch one request may carry (batching.max-batch-size). */
    public static final String MAX_BATCH_SIZE = "max_batch_size";
    /** ModelMetadata property of text_encoder: the id of the tokenizer rule that turns a caption into words. */
    public static final String TOKENIZER = "tokenizer";
    /** ModelMetadata property of text_encoder: the vocabulary, one word per line, line n (from 0) is token id n. */
    public static final String VOCABULARY = "vocabulary";

    /**
     * Longest model name, tensor name, datatype and request id a request may carry (INVALID_ARGUMENT beyond): every
     * name served is far shorter, and the id comes back in the answer.
     */
    public static final int MAX_NAME = 128;

    private static final String VERSION_RESOURCE = "/dev/stackgan/serving/oip/server.properties";

    private final ModelRepository repository;
    private final Inference inference;
    private final String serverName;
    private final String serverVersion;

    /** @param serverName what ServerMetadata names, e.g. the application's name {@code stage1-service} */
    public OpenInference(ModelRepository repository, Inference inference, String serverName) {
        this.repository = repository;
        this.inference = inference;
        this.serverName = serverName;
        this.serverVersion = projectVersion();
    }

    /** The one model this service serves: its graph's name. */
    public String model() {
        return repository.graph();
    }

    /** Ready once a bundle version is loaded. */
    public boolean serverReady() {
        return repository.state().ready();
    }

    /**
     * Whether {@code name} (at {@code version}, empty: the current one) can run now. NOT_FOUND for another model;
     * a version that is a bundle id but not loaded here is not ready.
     */
    public boolean modelReady(String name, String version) {
        requireModel("name", name);
        ModelRepository.State state = repository.state();
        if (version.isEmpty()) {
            return state.ready();
        }
        ModelVersions.requireValid("version", version);
        return state.loadedVersions().contains(version);
    }

    public ServerMetadataResponse serverMetadata() {
        return ServerMetadataResponse.newBuilder().setName(serverName).setVersion(serverVersion).build();
    }

    /**
     * The model's loaded versions and the tensors of {@code version} (empty: the current one), from the bundle's
     * graph signature, with properties: {@value #MAX_BATCH_SIZE}, and for text_encoder {@value #TOKENIZER} and
     * {@value #VOCABULARY} (what a client needs to turn a caption into token ids).
     */
    public ModelMetadataResponse modelMetadata(String name, String version) {
        try (ModelLease lease = lease("name", name, "version", version)) {
            LoadedModel model = lease.model();
            ModelMetadataResponse.Builder metadata = ModelMetadataResponse.newBuilder()
                    .setName(model())
                    .addAllVersions(repository.state().loadedVersions())
                    .setPlatform(PLATFORM)
                    .putProperties(MAX_BATCH_SIZE, Integer.toString(inference.maxBatchSize()));
            model.signature().inputs().forEach(spec -> metadata.addInputs(InferTensors.metadata(spec)));
            model.signature().outputs().forEach(spec -> metadata.addOutputs(InferTensors.metadata(spec)));
            if (model().equals(ModelGraphs.TEXT_ENCODER)) {
                metadata.putProperties(TOKENIZER, model.bundle().manifest().tokenizer().rule())
                        .putProperties(VOCABULARY, String.join("\n", model.bundle().vocabulary().words()));
            }
            return metadata.build();
        }
    }

    /**
     * Runs the request through the shared batching queue. The future fails with a status: INVALID_ARGUMENT for a
     * bad request, NOT_FOUND, UNAVAILABLE, or what the queue answers (RESOURCE_EXHAUSTED, DEADLINE_EXCEEDED).
     */
    public CompletableFuture<ModelInferResponse> infer(ModelInferRequest request) {
        ModelLease lease;
        try {
            Errors.requireLength("id", request.getId(), MAX_NAME);
            lease = lease("model_name", request.getModelName(), "model_version", request.getModelVersion());
        } catch (StatusRuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return inference.submit(lease, model -> prepare(request, model));
    }

    private Inference.Prepared<ModelInferResponse> prepare(ModelInferRequest request, LoadedModel model) {
        Map<String, InputRows> inputs = InferTensors.inputs(request, model, inference.maxBatchSize());
        List<TensorSpec> outputs = InferTensors.requestedOutputs(request, model.signature());
        int rows = inputs.values().iterator().next().rows();
        boolean raw = request.getRawInputContentsCount() > 0;
        return new Inference.Prepared<>(inputs, values -> {
            ModelInferResponse.Builder response = ModelInferResponse.newBuilder()
                    .setModelName(model())
                    .setModelVersion(model.version())
                    .setId(request.getId());
            InferTensors.addOutputs(response, outputs, values, rows, raw);
            return response.build();
        });
    }

    /**
     * A lease on {@code version} (empty: the current one) of the model {@code name}; the fields name them in an
     * INVALID_ARGUMENT for a name over {@link #MAX_NAME} or a version that is no bundle id.
     */
    private ModelLease lease(String nameField, String name, String versionField, String version) {
        requireModel(nameField, name);
        if (!version.isEmpty()) {
            ModelVersions.requireValid(versionField, version);
        }
        ModelRepository.State state = repository.state();
        if (!state.ready()) {
            throw notReady(state);
        }
        try {
            return repository.lease(version.isEmpty() ? null : version);
        } catch (StatusRuntimeException e) {
            ModelRepository.State now = repository.state();
            if (version.isEmpty()) {
                throw notReady(now);
            }
            throw Errors.notFound("version '" + version + "' of model '" + model() + "' is not loaded here; its "
                    + "versions are " + now.loadedVersions());
        }
    }

    private StatusRuntimeException notReady(ModelRepository.State state) {
        return Errors.unavailable("model '" + model() + "' is not ready: no bundle is loaded yet"
                + (state.lastError() == null ? "" : "; last load error: " + state.lastError()));
    }

    private void requireModel(String field, String name) {
        Errors.requireLength(field, name, MAX_NAME);
        if (!model().equals(name)) {
            throw Errors.notFound("model '" + name + "' is not served here; this service serves '"
                    + model() + "' (" + String.join(", ", ModelGraphs.ALL) + " each have their own service)");
        }
    }

    /** The project version, filled into {@value #VERSION_RESOURCE} by Maven. */
    private static String projectVersion() {
        try (InputStream in = OpenInference.class.getResourceAsStream(VERSION_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(VERSION_RESOURCE + " is not on the class path (a packaging error)");
            }
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
