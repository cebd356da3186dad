package dev.stackgan.gateway;

import io.grpc.ChannelCredentials;
import io.grpc.ClientInterceptor;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;
import io.micronaut.context.exceptions.ConfigurationException;
import io.micronaut.context.annotation.Bean;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Channels to the three model services. Targets are resolved by name (dns:/// in compose, or a fixed list with
 * static:///, {@link StaticAddresses}) and calls are spread round-robin over every address, so replicas share the
 * load; the servers' max-connection-age makes the channel re-resolve when replicas come and go, and a call that
 * finds its replica gone is retried on another ({@link RetryConfiguration}). Every call carries the request id on
 * (serving-runtime's RequestIdForwarding) and, with tracing on, the trace context (GrpcTracing).
 */
@Singleton
@Bean(preDestroy = "close")
public class ModelServices implements AutoCloseable {

    /** A model service as named in error messages, with its channel. */
    public record Service(String name, String target, ManagedChannel channel) {
    }

    private final Service textEncoder;
    private final Service stage1;
    private final Service stage2;

    public ModelServices(GatewayConfiguration config, RetryConfiguration retry,
                         List<ClientInterceptor> interceptors) {
        ChannelCredentials credentials = credentials(config);
        Map<String, ?> serviceConfig = retry.serviceConfig();
        this.textEncoder = service("text-encoder", config.getTextEncoderTarget(), credentials, serviceConfig, config,
                interceptors);
        this.stage1 = service("stage1", config.getStage1Target(), credentials, serviceConfig, config, interceptors);
        this.stage2 = service("stage2", config.getStage2Target(), credentials, serviceConfig, config, interceptors);
    }

    /** TLS when a CA is configured, with the gateway's certificate when the services require mutual TLS. */
    private static ChannelCredentials credentials(GatewayConfiguration config) {
        Path ca = config.getModelServicesCaFile();
        Path cert = config.getModelServicesCertChainFile();
        Path key = config.getModelServicesPrivateKeyFile();
        if (ca == null) {
            if (cert != null || key != null) {
                throw new ConfigurationException("stackgan.gateway.model-services-cert-chain-file and -private-key-file"
                        + " are the client side of TLS: set stackgan.gateway.model-services-ca-file too");
            }
            return InsecureChannelCredentials.create();
        }
        if ((cert == null) != (key == null)) {
            throw new ConfigurationException("stackgan.gateway.model-services-cert-chain-file and"
                    + " stackgan.gateway.model-services-private-key-file go together");
        }
        try {
            TlsChannelCredentials.Builder tls = TlsChannelCredentials.newBuilder().trustManager(ca.toFile());
            if (cert != null) {
                tls.keyManager(cert.toFile(), key.toFile());
            }
            return tls.build();
        } catch (IOException e) {
            throw new ConfigurationException("stackgan.gateway.model-services-*: cannot read the TLS files: " + e, e);
        }
    }

    private static Service service(String name, String target, ChannelCredentials credentials,
                                   Map<String, ?> serviceConfig, GatewayConfiguration config,
                                   List<ClientInterceptor> interceptors) {
        try {
            ManagedChannel channel = Grpc.newChannelBuilder(target, credentials)
                    .defaultLoadBalancingPolicy("round_robin")
                    .defaultServiceConfig(serviceConfig)
                    .enableRetry()
                    .maxInboundMessageSize(config.getMaxInboundMessageSize())
                    .intercept(interceptors)
                    .build();
            return new Service(name, target, channel);
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException("stackgan.gateway." + name + "-target '" + target + "': "
                    + e.getMessage(), e);
        }
    }

    public Service textEncoder() {
        return textEncoder;
    }

    public Service stage1() {
        return stage1;
    }

    public Service stage2() {
        return stage2;
    }

    public List<Service> all() {
        return List.of(textEncoder, stage1, stage2);
    }

    @Override
    public void close() throws InterruptedException {
        for (Service service : all()) {
            service.channel().shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
