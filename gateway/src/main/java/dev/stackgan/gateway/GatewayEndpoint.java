package dev.stackgan.gateway;

import dev.stackgan.proto.v1.GatewayServiceGrpc;
import dev.stackgan.proto.v1.GenerateEvent;
import dev.stackgan.proto.v1.GenerateRequest;
import dev.stackgan.proto.v1.GenerateResponse;
import dev.stackgan.proto.v1.GeneratedImage;
import dev.stackgan.proto.v1.Stage;
import dev.stackgan.proto.v1.StageTimings;
import dev.stackgan.serving.Seeds;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** stackgan.v1.GatewayService over {@link ImageGenerator}. */
@Singleton
public class GatewayEndpoint extends GatewayServiceGrpc.GatewayServiceImplBase {

    private static final Logger LOG = LoggerFactory.getLogger(GatewayEndpoint.class);

    private final ImageGenerator generator;

    public GatewayEndpoint(ImageGenerator generator) {
        this.generator = generator;
    }

    @Override
    public void generate(GenerateRequest request, StreamObserver<GenerateResponse> observer) {
        try {
            observer.onNext(response(generator.generate(toRequest(request), null)));
            observer.onCompleted();
        } catch (RuntimeException e) {
            observer.onError(status(e));
        }
    }

    @Override
    public void generateStream(GenerateRequest request, StreamObserver<GenerateEvent> observer) {
        try {
            Generation result = generator.generate(toRequest(request), preview -> observer.onNext(
                    GenerateEvent.newBuilder().setStage1Preview(response(preview)).build()));
            GenerateEvent.Builder last = GenerateEvent.newBuilder();
            if (result.images().get(0).stage() == 1) {
                last.setStage1Preview(response(result));
            } else {
                last.setFinalImages(response(result));
            }
            observer.onNext(last.build());
            observer.onCompleted();
        } catch (RuntimeException e) {
            observer.onError(status(e));
        }
    }

    private static GenerationRequest toRequest(GenerateRequest request) {
        int stage = switch (request.getFinalStage()) {
            case STAGE_1 -> 1;
            case STAGE_2, STAGE_UNSPECIFIED -> 2;
            default -> throw GatewayException.invalid("final_stage", "final_stage is "
                    + request.getFinalStageValue() + ", must be STAGE_1 or STAGE_2");
        };
        // proto3 default 0 means one image
        int count = request.getNumImages() == 0 ? 1 : request.getNumImages();
        Long seed = null;
        if (request.hasSeed()) {
            // uint64 values of 2^63 and more arrive negative; name them as the caller wrote them
            if (request.getSeed() < 0) {
                throw GatewayException.invalid("seed", "seed is " + Long.toUnsignedString(request.getSeed())
                        + "; seeds must be 0 to " + Seeds.MAX_SEED + " (2^48 - 1)");
            }
            seed = request.getSeed();
        }
        return new GenerationRequest(request.getPrompt(), count, seed, stage,
                request.hasModelVersion() ? request.getModelVersion() : null);
    }

    private static GenerateResponse response(Generation generation) {
        GenerateResponse.Builder response = GenerateResponse.newBuilder()
                .setModelVersion(generation.modelVersion())
                .addAllUnknownWords(generation.unknownWords())
                .setTimings(StageTimings.newBuilder()
                        .setTextEncoderMs(generation.timings().textEncoderMs())
                        .setStage1Ms(generation.timings().stage1Ms())
                        .setStage2Ms(generation.timings().stage2Ms())
                        .setTotalMs(generation.timings().totalMs()));
        for (Generation.Image image : generation.images()) {
            response.addImages(GeneratedImage.newBuilder()
                    .setPng(image.png())
                    .setSeed(image.seed())
                    .setWidth(image.width())
                    .setHeight(image.height())
                    .setStage(image.stage() == 1 ? Stage.STAGE_1 : Stage.STAGE_2));
        }
        return response.build();
    }

    private static Throwable status(RuntimeException e) {
        if (e instanceof GatewayException gateway) {
            return gateway.toStatus();
        }
        LOG.error("unexpected failure of a gateway call", e);
        return Status.INTERNAL.withDescription("unexpected gateway error: " + e.getClass().getSimpleName())
                .asRuntimeException();
    }
}
