package dev.stackgan.stage2;

import dev.stackgan.proto.v1.Stage2ServiceGrpc;
import dev.stackgan.serving.testing.WarmUpContract;

/** The stage2-service warms up with its own request over its own gRPC port before it reports SERVING. */
class Stage2WarmUpTest extends WarmUpContract {

    Stage2WarmUpTest() {
        super(Stage2ServiceGrpc.SERVICE_NAME, "stage2");
    }
}
