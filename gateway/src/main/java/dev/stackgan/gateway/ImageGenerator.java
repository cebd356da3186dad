package dev.stackgan.gateway;

import com.google.protobuf.ByteString;
import dev.stackgan.bundle.image.PngEncoder;
import dev.stackgan.proto.v1.Condition;
import dev.stackgan.proto.v1.EncodeRequest;
import dev.stackgan.proto.v1.EncodeResponse;
import dev.stackgan.proto.v1.EncodedCaption;
import dev.stackgan.proto.v1.GetModelInfoRequest;
import dev.stackgan.proto.v1.GetVocabularyRequest;
import dev.stackgan.proto.v1.GetVocabularyResponse;
import dev.stackgan.proto.v1.ImageEncoding;
import dev.stackgan.proto.v1.ModelManagementServiceGrpc;
import dev.stackgan.proto.v1.PngImages;
import dev.stackgan.proto.v1.PngOptions;
import dev.stackgan.proto.v1.Rgb8Images;
import dev.stackgan.proto.v1.Stage1ServiceGenerateRequest;
import dev.stackgan.proto.v1.Stage1ServiceGenerateResponse;
import dev.stackgan.proto.v1.Stage1ServiceGrpc;
import dev.stackgan.proto.v1.Stage2ServiceGrpc;
import dev.stackgan.proto.v1.Stage2ServiceRefineRequest;
import dev.stackgan.proto.v1.Stage2ServiceRefineResponse;
import dev.stackgan.proto.v1.Tensor;
import dev.stackgan.proto.v1.TextEncoderServiceGrpc;
import dev.stackgan.serving.Captions;
import dev.stackgan.serving.ModelVersions;
import dev.stackgan.serving.PngSettings;
import dev.stackgan.serving.Seeds;
import dev.stackgan.serving.Tensors;
import io.grpc.Deadline;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Runs one request through text encoder, Stage-I and (for stage 2) Stage-II. The text encoder resolves the bundle
 * version once (the one the request names, or its current one) and that version is pinned on both later calls, so
 * stages are never mixed. Calls are blocking and inherit the caller's gRPC context: a cancelled or expired incoming
 * call cancels the outgoing ones.
 */
@Singleton
public class ImageGenerator {

    private final ModelServices services;
    private final GatewayConfiguration config;
    private final Semaphore admission;
    private final PngEncoder pngEncoder;
    /** Stage-II's PNG compression settings when its service encodes the pictures; null when the gateway does. */
    private final PngOptions stage2Png;
    private final GatewayMetrics metrics;

    public ImageGenerator(ModelServices services, GatewayConfiguration config, GatewayMetrics metrics) {
        this.services = services;
        this.config = config;
        this.metrics = metrics;
        this.admission = new Semaphore(config.getMaxConcurrentRequests());
        metrics.watchAdmission(admission, config.getMaxConcurrentRequests());
        this.pngEncoder = config.pngEncoder();
        this.stage2Png = config.stage2EncodesPng() ? PngSettings.toProto(pngEncoder) : null;
    }

    /** Checks the request, then runs it; refuses with RESOURCE_EXHAUSTED when the concurrency limit is full. */
    public Generation generate(GenerationRequest request, Consumer<Generation> stage1Preview) {
        long[] seeds = validate(request);
        if (!admission.tryAcquire()) {
            throw new GatewayException(Status.Code.RESOURCE_EXHAUSTED, null, "the gateway is running its limit of "
                    + config.getMaxConcurrentRequests() + " concurrent requests "
                    + "(stackgan.gateway.max-concurrent-requests); retry later");
        }
        Deadline deadline = Deadline.after(config.getRequestTimeout().toMillis(), TimeUnit.MILLISECONDS);
        try {
            Generation generation;
            try {
                generation = run(request, seeds, deadline, stage1Preview);
            } catch (LaggingStage lagging) {
                // Services poll the repository independently: just after a promotion the text encoder may hand out
                // a version a later stage has not loaded yet. Run once more pinned to the version that stage serves;
                // the encoder keeps its previous version loaded (keep-versions). A second preview may be streamed.
                generation = run(request.pinnedTo(lagging.version), seeds, deadline, stage1Preview);
            }
            metrics.generated(generation);
            return generation;
        } finally {
            admission.release();
        }
    }

    /** A later stage does not have the version the text encoder chose for an unpinned request; it serves this one. */
    private static final class LaggingStage extends RuntimeException {
        private final String version;

        LaggingStage(String version) {
            super(null, null, false, false);
            this.version = version;
        }
    }

    /** The concurrency limit, for tests that fill it. */
    Semaphore admission() {
        return admission;
    }

    /** Returns the seeds of the images, or null when the request has none (the text encoder picks them). */
    private long[] validate(GenerationRequest request) {
        if (request.prompt() == null) {
            throw GatewayException.invalid("prompt", "prompt is required");
        }
        try {
            Captions.requireValid("prompt", request.prompt());
        } catch (StatusRuntimeException e) {
            throw GatewayException.of("prompt", e);
        }
        if (request.numImages() < 1 || request.numImages() > config.getMaxImages()) {
            throw GatewayException.invalid("n", "n (num_images) is " + request.numImages() + ", must be 1 to "
                    + config.getMaxImages());
        }
        if (request.finalStage() != 1 && request.finalStage() != 2) {
            throw GatewayException.invalid("stage", "stage is " + request.finalStage() + ", must be 1 or 2");
        }
        if (request.modelVersion() != null) {
            requireBundleId(request.modelVersion());
        }
        if (request.seed() == null) {
            return null;
        }
        if (request.seed() < 0) {
            throw GatewayException.invalid("seed", "seed is " + request.seed() + "; seeds must be 0 to "
                    + Seeds.MAX_SEED + " (2^48 - 1)");
        }
        try {
            return Seeds.forItems("seed", true, request.seed(), request.numImages());
        } catch (StatusRuntimeException e) {
            throw GatewayException.of("seed", e);
        }
    }

    private static void requireBundleId(String modelVersion) {
        if (modelVersion.isBlank()) {
            throw GatewayException.invalid("model_version", "model_version is blank; omit it to use the current "
                    + "version");
        }
        try {
            ModelVersions.requireValid("model_version", modelVersion);
        } catch (StatusRuntimeException e) {
            throw GatewayException.of("model_version", e);
        }
    }

    /**
     * The words the text encoder knows in {@code modelVersion} (null: its current version), so that a client can
     * mark unknown and truncated words while the prompt is typed. Not counted against the concurrency limit: it
     * runs no graph.
     */
    public GetVocabularyResponse vocabulary(String modelVersion) {
        GetVocabularyRequest.Builder request = GetVocabularyRequest.newBuilder();
        if (modelVersion != null) {
            requireBundleId(modelVersion);
            request.setModelVersion(modelVersion);
        }
        Deadline deadline = Deadline.after(config.getRequestTimeout().toMillis(), TimeUnit.MILLISECONDS);
        try {
            return TextEncoderServiceGrpc.newBlockingStub(services.textEncoder().channel()).withDeadline(deadline)
                    .getVocabulary(request.build());
        } catch (StatusRuntimeException e) {
            throw failure(services.textEncoder(), modelVersion, e.getStatus());
        }
    }

    private Generation run(GenerationRequest request, long[] seeds, Deadline deadline,
                           Consumer<Generation> stage1Preview) {
        long start = System.nanoTime();
        int n = request.numImages();

        EncodeRequest.Builder encode = EncodeRequest.newBuilder();
        for (int i = 0; i < n; i++) {
            encode.addCaptions(request.prompt());
        }
        if (seeds != null) {
            encode.setSeed(seeds[0]);
        }
        if (request.modelVersion() != null) {
            encode.setModelVersion(request.modelVersion());
        }
        EncodeResponse encoded = call(services.textEncoder(), request, null, deadline,
                () -> TextEncoderServiceGrpc.newBlockingStub(services.textEncoder().channel())
                        .withDeadline(deadline).encode(encode.build()));
        long encoderMs = millisSince(start);
        String version = encoded.getModelVersion();
        List<EncodedCaption> captions = encoded.getCaptionsList();
        long firstSeed = captions.get(0).getSeed();

        long stage1Start = System.nanoTime();
        Stage1ServiceGenerateRequest stage1Request = Stage1ServiceGenerateRequest.newBuilder()
                .setConditions(conditions(captions, EncodedCaption::getStage1))
                .setSeed(firstSeed)
                .setModelVersion(version)
                .build();
        Stage1ServiceGenerateResponse stage1 = call(services.stage1(), request, version, deadline,
                () -> Stage1ServiceGrpc.newBlockingStub(services.stage1().channel())
                        .withDeadline(deadline).generate(stage1Request));
        long stage1Ms = millisSince(stage1Start);

        if (request.finalStage() == 1 || stage1Preview != null) {
            Tensor images = stage1.getImages();
            Generation preview = generation(Pngs.encode(images, pngEncoder), images.getShape(3), images.getShape(2),
                    1, captions, version, new Generation.Timings(encoderMs, stage1Ms, 0, millisSince(start)));
            if (request.finalStage() == 1) {
                return preview;
            }
            stage1Preview.accept(preview);
        }

        long stage2Start = System.nanoTime();
        Stage2ServiceRefineRequest.Builder stage2Request = Stage2ServiceRefineRequest.newBuilder()
                .setStage1Images(stage1.getImages())
                .setConditions(conditions(captions, EncodedCaption::getStage2))
                .setModelVersion(version);
        if (stage2Png != null) {
            // compressed where the pixels are: the gateway neither receives the raw pixels nor spends CPU on them
            stage2Request.setImageEncoding(ImageEncoding.IMAGE_ENCODING_PNG).setPngOptions(stage2Png);
        } else {
            // a quarter of float32's bytes, and the PNG encoder takes them as they come
            stage2Request.setImageEncoding(ImageEncoding.IMAGE_ENCODING_RGB8);
        }
        Stage2ServiceRefineResponse stage2 = call(services.stage2(), request, version, deadline,
                () -> Stage2ServiceGrpc.newBlockingStub(services.stage2().channel())
                        .withDeadline(deadline).refine(stage2Request.build()));
        long stage2Ms = millisSince(stage2Start);
        List<ByteString> pngs;
        long width;
        long height;
        if (stage2Png != null) {
            PngImages images = stage2.getPngImages();
            pngs = images.getFilesList();
            width = images.getWidth();
            height = images.getHeight();
        } else {
            Rgb8Images images = stage2.getRgbImages();
            pngs = Pngs.encode(images, pngEncoder);
            width = images.getShape(2);
            height = images.getShape(1);
        }
        if (pngs.size() != captions.size()) {
            throw new GatewayException(Status.Code.INTERNAL, null, services.stage2().name() + " service ("
                    + services.stage2().target() + ") answered " + pngs.size() + " images for " + captions.size());
        }
        return generation(pngs, width, height, 2, captions, version,
                new Generation.Timings(encoderMs, stage1Ms, stage2Ms, millisSince(start)));
    }

    private static Generation generation(List<ByteString> pngs, long width, long height, int stage,
                                         List<EncodedCaption> captions, String version, Generation.Timings timings) {
        List<Generation.Image> out = new ArrayList<>();
        for (int i = 0; i < pngs.size(); i++) {
            out.add(new Generation.Image(pngs.get(i), captions.get(i).getSeed(), Math.toIntExact(width),
                    Math.toIntExact(height), stage));
        }
        // Every caption is the same prompt: the first one's word report stands for all.
        Set<String> unknown = new LinkedHashSet<>(captions.get(0).getUnknownWordsList());
        return new Generation(out, version, timings, List.copyOf(unknown), captions.get(0).getTruncatedWords());
    }

    /** Each caption's condition for one stage as one [N, C] tensor. */
    private static Tensor conditions(List<EncodedCaption> captions, Function<EncodedCaption, Condition> stage) {
        return Tensors.conditions(captions.stream().map(stage).toList());
    }

    /**
     * Runs one model service call, turning its failure into a gateway error that names the service.
     *
     * @param version the version the call pins; null for the text encoder call that resolves it
     */
    private <T> T call(ModelServices.Service service, GenerationRequest request, String version, Deadline deadline,
                       Supplier<T> call) {
        long start = System.nanoTime();
        try {
            return call.get();
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.FAILED_PRECONDITION && request.modelVersion() == null
                    && version != null) {
                String served = currentVersion(service, e, deadline);
                if (served != null && !served.isEmpty() && !served.equals(version)) {
                    throw new LaggingStage(served);
                }
            }
            throw failure(service, request.modelVersion(), e.getStatus());
        } finally {
            metrics.stageCalled(service.name(), System.nanoTime() - start);
        }
    }

    /**
     * The version the replica that refused serves to unpinned requests (its refusal's trailer), or, from a service that
     * does not send it, what the service answers when asked; null if it cannot say.
     */
    private static String currentVersion(ModelServices.Service service, StatusRuntimeException refusal,
                                         Deadline deadline) {
        Metadata trailers = refusal.getTrailers();
        if (trailers != null && trailers.containsKey(ModelVersions.CURRENT_VERSION_TRAILER)) {
            return trailers.get(ModelVersions.CURRENT_VERSION_TRAILER);
        }
        try {
            return ModelManagementServiceGrpc.newBlockingStub(service.channel()).withDeadline(deadline)
                    .getModelInfo(GetModelInfoRequest.getDefaultInstance()).getCurrentVersion();
        } catch (StatusRuntimeException e) {
            return null;
        }
    }

    /** @param pinnedVersion the model_version the client asked for, null when it asked for none */
    private GatewayException failure(ModelServices.Service service, String pinnedVersion, Status status) {
        String detail = status.getDescription() == null ? status.getCode().toString() : status.getDescription();
        String who = service.name() + " service (" + service.target() + ")";
        return switch (status.getCode()) {
            case UNAVAILABLE -> new GatewayException(Status.Code.UNAVAILABLE, null,
                    who + " is unavailable: " + detail);
            case DEADLINE_EXCEEDED -> new GatewayException(Status.Code.DEADLINE_EXCEEDED, null,
                    "the request deadline (" + config.getRequestTimeout().toMillis() + " ms, "
                            + "stackgan.gateway.request-timeout, or the caller's own) passed while waiting for " + who);
            case FAILED_PRECONDITION -> new GatewayException(Status.Code.FAILED_PRECONDITION,
                    pinnedVersion == null ? null : "model_version", who + ": " + detail);
            case RESOURCE_EXHAUSTED -> new GatewayException(Status.Code.RESOURCE_EXHAUSTED, null,
                    who + " is overloaded: " + detail);
            case INVALID_ARGUMENT -> new GatewayException(Status.Code.INVALID_ARGUMENT, null, who + ": " + detail);
            case CANCELLED -> new GatewayException(Status.Code.CANCELLED, null, "the request was cancelled");
            default -> new GatewayException(Status.Code.INTERNAL, null, who + " failed: " + detail);
        };
    }

    private static long millisSince(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }
}
