package dev.stackgan.stage2;

import dev.stackgan.bundle.graph.ModelGraphs;
import dev.stackgan.proto.v1.ImageEncoding;
import dev.stackgan.proto.v1.PngDeflateStrategy;
import dev.stackgan.proto.v1.PngOptions;
import dev.stackgan.proto.v1.PngRowFilter;
import dev.stackgan.proto.v1.Stage2ServiceGrpc;
import dev.stackgan.proto.v1.Stage2ServiceRefineRequest;
import dev.stackgan.serving.Seeds;
import dev.stackgan.serving.Tensors;
import dev.stackgan.serving.micronaut.ServedGraph;
import dev.stackgan.serving.warmup.WarmUpRequest;
import io.micronaut.context.annotation.Factory;
import io.micronaut.runtime.Micronaut;
import jakarta.inject.Singleton;
import java.util.Random;

/** Serves the Stage-II generator graph of the promoted bundle as stackgan.v1.Stage2Service. */
@Factory
public class Stage2Application {

    @Singleton
    ServedGraph servedGraph() {
        return new ServedGraph(ModelGraphs.STAGE2, Stage2ServiceGrpc.SERVICE_NAME);
    }

    /**
     * One Stage-I image in [-1, 1] and a condition, answered as a PNG compressed with the gateway's default
     * settings, as the gateway asks for a prompt's Stage-II image.
     */
    @Singleton
    WarmUpRequest warmUpRequest() {
        return (channel, config) -> {
            int size = config.stage1().imageSize();
            Random random = new Random(1);
            float[] image = new float[3 * size * size];
            for (int i = 0; i < image.length; i++) {
                image[i] = (float) Math.tanh(random.nextGaussian());
            }
            float[] condition = Seeds.noise(1, config.conditionDim(), config.noiseDim()).stage2CaEpsilon();
            Stage2ServiceGrpc.newBlockingStub(channel).refine(Stage2ServiceRefineRequest.newBuilder()
                    .setStage1Images(Tensors.write(new long[] {1, 3, size, size}, image))
                    .setConditions(Tensors.write(new long[] {1, condition.length}, condition))
                    .setImageEncoding(ImageEncoding.IMAGE_ENCODING_PNG)
                    .setPngOptions(PngOptions.newBuilder().setCompressionLevel(1)
                            .setRowFilter(PngRowFilter.PNG_ROW_FILTER_SUB)
                            .setDeflateStrategy(PngDeflateStrategy.PNG_DEFLATE_STRATEGY_HUFFMAN_ONLY))
                    .build());
        };
    }

    public static void main(String[] args) {
        Micronaut.run(Stage2Application.class, args);
    }
}
