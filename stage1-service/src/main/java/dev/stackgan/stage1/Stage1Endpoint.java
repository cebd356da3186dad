package dev.stackgan.stage1;

import static dev.stackgan.bundle.graph.ModelGraphs.CONDITION;
import static dev.stackgan.bundle.graph.ModelGraphs.IMAGE;
import static dev.stackgan.bundle.graph.ModelGraphs.NOISE;

import dev.stackgan.proto.v1.Stage1ServiceGenerateRequest;
import dev.stackgan.proto.v1.Stage1ServiceGenerateResponse;
import dev.stackgan.proto.v1.Stage1ServiceGrpc;
import dev.stackgan.serving.Inference;
import dev.stackgan.serving.InputRows;
import dev.stackgan.serving.LoadedModel;
import dev.stackgan.serving.Seeds;
import dev.stackgan.serving.Tensors;
import io.grpc.stub.StreamObserver;
import jakarta.inject.Singleton;
import java.util.Arrays;
import java.util.Map;

/** stackgan.v1.Stage1Service: conditions and noise (or seeds) -> Stage-I images. */
@Singleton
public class Stage1Endpoint extends Stage1ServiceGrpc.Stage1ServiceImplBase {

    private final Inference inference;

    public Stage1Endpoint(Inference inference) {
        this.inference = inference;
    }

    @Override
    public void generate(Stage1ServiceGenerateRequest request, StreamObserver<Stage1ServiceGenerateResponse> observer) {
        inference.call(request.hasModelVersion() ? request.getModelVersion() : null,
                model -> prepare(request, model), observer);
    }

    private Inference.Prepared<Stage1ServiceGenerateResponse> prepare(Stage1ServiceGenerateRequest request,
                                                                      LoadedModel model) {
        int maxBatch = inference.maxBatchSize();
        InputRows.Floats conditions = Tensors.readInput("conditions", request.getConditions(), model, CONDITION,
                maxBatch);
        int rows = conditions.rows();
        Stage1ServiceGenerateResponse.Builder response = Stage1ServiceGenerateResponse.newBuilder()
                .setModelVersion(model.version());
        InputRows.Floats noise;
        if (request.getNoiseSourceCase() == Stage1ServiceGenerateRequest.NoiseSourceCase.NOISE) {
            noise = Tensors.readInput("noise", request.getNoise(), model, NOISE, maxBatch);
            Tensors.requireSameBatch("noise", noise, "conditions", conditions);
        } else {
            long[] seeds = Seeds.forItems("seed", request.hasSeed(), request.getSeed(), rows);
            noise = noiseFromSeeds(model, seeds);
            Arrays.stream(seeds).forEach(response::addSeeds);
        }
        return new Inference.Prepared<>(Map.of(CONDITION, conditions, NOISE, noise),
                outputs -> response.setImages(Tensors.writeOutput(model, IMAGE, rows, outputs.get(IMAGE))).build());
    }

    private static InputRows.Floats noiseFromSeeds(LoadedModel model, long[] seeds) {
        int noiseDim = model.config().noiseDim();
        float[] noise = new float[seeds.length * noiseDim];
        for (int i = 0; i < seeds.length; i++) {
            float[] z = Seeds.noise(seeds[i], model.config().conditionDim(), noiseDim).z();
            System.arraycopy(z, 0, noise, i * noiseDim, noiseDim);
        }
        return new InputRows.Floats(noise, new long[] {noiseDim});
    }
}
