package dev.stackgan.textencoder;

import dev.stackgan.bundle.graph.ModelGraphs;
import dev.stackgan.proto.v1.TextEncoderServiceGrpc;
import dev.stackgan.serving.micronaut.ServedGraph;
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

    public static void main(String[] args) {
        Micronaut.run(TextEncoderApplication.class, args);
    }
}
