package dev.stackgan.stage1;

import dev.stackgan.bundle.graph.ModelGraphs;
import dev.stackgan.proto.v1.Stage1ServiceGrpc;
import dev.stackgan.serving.micronaut.ServedGraph;
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

    public static void main(String[] args) {
        Micronaut.run(Stage1Application.class, args);
    }
}
