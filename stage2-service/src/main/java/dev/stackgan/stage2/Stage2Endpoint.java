package dev.stackgan.stage2;

import static dev.stackgan.bundle.graph.ModelGraphs.CONDITION;
import static dev.stackgan.bundle.graph.ModelGraphs.IMAGE;
import static dev.stackgan.bundle.graph.ModelGraphs.STAGE1_IMAGE;

import dev.stackgan.proto.v1.Stage2ServiceGrpc;
import dev.stackgan.proto.v1.Stage2ServiceRefineRequest;
import dev.stackgan.proto.v1.Stage2ServiceRefineResponse;
import dev.stackgan.serving.Inference;
import dev.stackgan.serving.InputRows;
import dev.stackgan.serving.LoadedModel;
import dev.stackgan.serving.Tensors;
import io.grpc.stub.StreamObserver;
import jakarta.inject.Singleton;
import java.util.Map;

/** stackgan.v1.Stage2Service: Stage-I images and Stage-II conditions -> high-resolution images. */
@Singleton
public class Stage2Endpoint extends Stage2ServiceGrpc.Stage2ServiceImplBase {

    private final Inference inference;

    public Stage2Endpoint(Inference inference) {
        this.inference = inference;
    }

    @Override
    public void refine(Stage2ServiceRefineRequest request, StreamObserver<Stage2ServiceRefineResponse> observer) {
        inference.call(request.hasModelVersion() ? request.getModelVersion() : null,
                model -> prepare(request, model), observer);
    }

    private Inference.Prepared<Stage2ServiceRefineResponse> prepare(Stage2ServiceRefineRequest request,
                                                                    LoadedModel model) {
        int maxBatch = inference.maxBatchSize();
        InputRows.Floats images = Tensors.readInput("stage1_images", request.getStage1Images(), model, STAGE1_IMAGE,
                maxBatch);
        InputRows.Floats conditions = Tensors.readInput("conditions", request.getConditions(), model, CONDITION,
                maxBatch);
        Tensors.requireSameBatch("conditions", conditions, "stage1_images", images);
        int rows = images.rows();
        return new Inference.Prepared<>(Map.of(STAGE1_IMAGE, images, CONDITION, conditions),
                outputs -> Stage2ServiceRefineResponse.newBuilder().setModelVersion(model.version())
                        .setImages(Tensors.writeOutput(model, IMAGE, rows, outputs.get(IMAGE))).build());
    }
}
