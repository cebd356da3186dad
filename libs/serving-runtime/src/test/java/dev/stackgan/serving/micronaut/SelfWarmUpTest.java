package dev.stackgan.serving.micronaut;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackgan.serving.warmup.WarmUp;
import io.grpc.Attributes;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerTransportFilter;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The warm-up's connections, seen from a real gRPC server on a real port: a new connection for every window of
 * requests, an idle gap before it, and every connection closed before the service turns warm, so that users' first
 * requests do not run the closing and idle paths for the first time.
 */
class SelfWarmUpTest {

    private static final int WINDOW = 3;

    /** Warms up with health checks against {@code port}; settles after two windows (any latency, any JIT). */
    private static final class HealthWarmUp extends SelfWarmUp {

        HealthWarmUp() {
            super(settings(), "the test server", LoggerFactory.getLogger(SelfWarmUpTest.class), () -> { });
        }

        private static ServingConfiguration.WarmUp settings() {
            ServingConfiguration.WarmUp config = new ServingConfiguration.WarmUp();
            config.setEnabled(true);
            config.setWindow(WINDOW);
            config.setTolerance(1e9);
            config.setCompileShare(1e9);
            config.setTimeLimit(Duration.ofSeconds(60));
            return config;
        }

        void startAgainst(int port) {
            start(port);
        }

        @Override
        protected WarmUp.Result warmUp() {
            return WarmUp.run(settings, deadline -> HealthGrpc.newBlockingStub(loopback()).withDeadline(deadline)
                    .check(HealthCheckRequest.getDefaultInstance()), this::answered);
        }
    }

    @Test
    void aNewConnectionEveryWindowAfterAnIdleGapAndAllClosedBeforeWarm() throws Exception {
        List<SocketAddress> callers = new CopyOnWriteArrayList<>();
        List<Long> arrivals = new CopyOnWriteArrayList<>();
        List<String> connections = new CopyOnWriteArrayList<>();
        ServerInterceptor recordCaller = new ServerInterceptor() {
            @Override
            public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
                                                              ServerCallHandler<Q, A> next) {
                callers.add(call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR));
                arrivals.add(System.nanoTime());
                return next.startCall(call, headers);
            }
        };
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .addService(ServerInterceptors.intercept(new HealthStatusManager().getHealthService(), recordCaller))
                .addTransportFilter(new ServerTransportFilter() {
                    @Override
                    public Attributes transportReady(Attributes transport) {
                        connections.add("opened");
                        return transport;
                    }

                    @Override
                    public void transportTerminated(Attributes transport) {
                        connections.add("closed");
                    }
                })
                .build().start();
        try {
            HealthWarmUp warmUp = new HealthWarmUp();
            warmUp.startAgainst(server.getPort());
            long start = System.nanoTime();
            while (!warmUp.warm()) {
                assertTrue(System.nanoTime() - start < 60_000_000_000L, "not warm after 60 s");
                Thread.sleep(10);
            }

            // latency and JIT settle after two windows, so two connections served three calls each
            assertEquals(2 * WINDOW, warmUp.requests());
            assertEquals(2 * WINDOW, callers.size());
            assertEquals(2, callers.stream().distinct().count(), callers.toString());
            for (int i = 0; i < callers.size(); i++) {
                assertEquals(callers.get(i - i % WINDOW), callers.get(i), "call " + i + " of " + callers);
            }
            // the server hears of the last close a moment after the warm-up's side of it has ended
            while (connections.size() < 4 && System.nanoTime() - start < 65_000_000_000L) {
                Thread.sleep(10);
            }
            assertEquals(List.of("opened", "closed", "opened", "closed"), connections,
                    "each window's connection closed before the next opened, and none left open");
            double idleMillis = (arrivals.get(WINDOW) - arrivals.get(WINDOW - 1)) / 1e6;
            assertTrue(idleMillis >= SelfWarmUp.IDLE_BETWEEN_WINDOWS.toMillis(),
                    "the second window began " + idleMillis + " ms after the first one's last call");
        } finally {
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
