package dev.stackgan.stage1;

import dev.stackgan.bundle.graph.ModelGraphs;
import dev.stackgan.proto.v1.Stage1ServiceGenerateRequest;
import dev.stackgan.proto.v1.Stage1ServiceGrpc;
import dev.stackgan.serving.Seeds;
import dev.stackgan.serving.Tensors;
import dev.stackgan.serving.micronaut.ServedGraph;
import dev.stackgan.serving.warmup.WarmUpRequest;
import io.micronaut.context.annotation.Factory;
import io.micronaut.runtime.Micronaut;
import jakarta.inject.Singleton;

/** Serves the Stage-I generator graph of the promoted bundle as stackgan.v1.Stage1Service. */
@Factory
public class Stage1Application {

    @Singleton
    ServedGraph servedGraph() {
        return new ServedGraph(ModelGraphs.STAGE1, Stage1ServiceGrpc.SERVICE_NAME);
    }

    /** One image from a condition and a seed, as the gateway asks for a prompt's Stage-I image. */
    @Singleton
    WarmUpRequest warmUpRequest() {
        return (channel, config) -> {
            float[] condition = Seeds.noise(1, config.conditionDim(), config.noiseDim()).stage1CaEpsilon();
            Stage1ServiceGrpc.newBlockingStub(channel).generate(Stage1ServiceGenerateRequest.newBuilder()
                    .setConditions(Tensors.write(new long[] {1, condition.length}, condition))
                    .setSeed(1)
                    .build());
        };
    }

    public static void main(String[] args) {
        Micronaut.run(Stage1Application.class, args);
    }
}
