package dev.stackgan.textencoder;

import dev.stackgan.bundle.graph.ModelGraphs;
import dev.stackgan.proto.v1.EncodeRequest;
import dev.stackgan.proto.v1.TextEncoderServiceGrpc;
import dev.stackgan.serving.micronaut.ServedGraph;
import dev.stackgan.serving.warmup.WarmUpRequest;
import io.micronaut.context.annotation.Factory;
import io.micronaut.runtime.Micronaut;
import jakarta.inject.Singleton;

/** Serves the text encoder graph of the promoted bundle as stackgan.v1.TextEncoderService. */
@Factory
public class TextEncoderApplication {

    @Singleton
    ServedGraph servedGraph() {
        return new ServedGraph(ModelGraphs.TEXT_ENCODER, TextEncoderServiceGrpc.SERVICE_NAME);
    }

    /** One caption of CUB's kind with a seed, as the gateway encodes a prompt. */
    @Singleton
    WarmUpRequest warmUpRequest() {
        EncodeRequest request = EncodeRequest.newBuilder()
                .addCaptions("this small bird has a red crown, a white belly and short black wings")
                .setSeed(1)
                .build();
        return (channel, config) -> TextEncoderServiceGrpc.newBlockingStub(channel).encode(request);
    }

    public static void main(String[] args) {
        Micronaut.run(TextEncoderApplication.class, args);
    }
}
