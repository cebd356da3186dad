package dev.stackgan.stage2;

import dev.stackgan.bundle.graph.ModelGraphs;
import dev.stackgan.proto.v1.Stage2ServiceGrpc;
import dev.stackgan.serving.micronaut.ServedGraph;
import io.micronaut.context.annotation.Factory;
import io.micronaut.runtime.Micronaut;
import jakarta.inject.Singleton;

/** Serves the Stage-II generator graph of the promoted bundle as stackgan.v1.Stage2Service. */
@Factory
public class Stage2Application {

    @Singleton
    ServedGraph servedGraph() {
        return new ServedGraph(ModelGraphs.STAGE2, Stage2ServiceGrpc.SERVICE_NAME);
    }

    public static void main(String[] args) {
        Micronaut.run(Stage2Application.class, args);
    }
}
