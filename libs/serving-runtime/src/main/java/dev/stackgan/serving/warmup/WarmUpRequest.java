package dev.stackgan.serving.warmup;

import dev.stackgan.bundle.config.ModelConfig;
import io.grpc.Channel;

/**
 * A model service's representative request, which it sends to itself over loopback gRPC while it warms up, so that
 * the JIT has compiled its users' request path (interceptors, endpoint, batcher, session) before it reports
 * SERVING. Each model service provides one, shaped like the gateway's calls.
 */
@FunctionalInterface
public interface WarmUpRequest {

    /** Sends one request for a model of {@code config} over {@code channel} and waits; a failed call throws. */
    void send(Channel channel, ModelConfig config);
}
