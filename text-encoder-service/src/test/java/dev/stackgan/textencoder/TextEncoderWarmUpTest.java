package dev.stackgan.textencoder;

import dev.stackgan.proto.v1.TextEncoderServiceGrpc;
import dev.stackgan.serving.testing.WarmUpContract;

/** The text-encoder-service warms up with its own request over its own gRPC port before it reports SERVING. */
class TextEncoderWarmUpTest extends WarmUpContract {

    TextEncoderWarmUpTest() {
        super(TextEncoderServiceGrpc.SERVICE_NAME, "text_encoder");
    }
}
