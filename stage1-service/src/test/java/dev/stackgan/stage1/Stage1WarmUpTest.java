package dev.stackgan.stage1;

import dev.stackgan.proto.v1.Stage1ServiceGrpc;
import dev.stackgan.serving.testing.WarmUpContract;

/** The stage1-service warms up with its own request over its own gRPC port before it reports SERVING. */
class Stage1WarmUpTest extends WarmUpContract {

    Stage1WarmUpTest() {
        super(Stage1ServiceGrpc.SERVICE_NAME, "stage1");
    }
}
