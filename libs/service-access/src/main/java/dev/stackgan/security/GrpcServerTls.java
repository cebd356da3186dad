package dev.stackgan.security;

import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyServerBuilder;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.event.BeanCreatedEventListener;
import io.micronaut.context.exceptions.ConfigurationException;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.grpc.server.GrpcServerConfiguration;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContextBuilder;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TLS on a service's gRPC port from {@code stackgan.tls.*} PEM files (docs/operations.md, "TLS"): the certificate
 * chain and its private key, and with {@code client-ca-file} mutual TLS, where only clients with a certificate that
 * CA signed get in. Micronaut gRPC's own {@code grpc.server.ssl.*} is not used: it serves plaintext when a file is
 * missing and cannot ask for client certificates.
 */
@Singleton
public class GrpcServerTls implements BeanCreatedEventListener<GrpcServerConfiguration> {

    private static final Logger LOG = LoggerFactory.getLogger(GrpcServerTls.class);

    private final Settings settings;

    public GrpcServerTls(Settings settings) {
        this.settings = settings;
    }

    /** {@code stackgan.tls.*}: the gRPC port's certificate chain, private key and, for mutual TLS, the clients' CA. */
    @ConfigurationProperties("stackgan.tls")
    public static class Settings {
        private Path certChainFile;
        private Path privateKeyFile;
        private Path clientCaFile;

        public @Nullable Path getCertChainFile() {
            return certChainFile;
        }

        public void setCertChainFile(@Nullable Path certChainFile) {
            this.certChainFile = certChainFile;
        }

        public @Nullable Path getPrivateKeyFile() {
            return privateKeyFile;
        }

        public void setPrivateKeyFile(@Nullable Path privateKeyFile) {
            this.privateKeyFile = privateKeyFile;
        }

        public @Nullable Path getClientCaFile() {
            return clientCaFile;
        }

        public void setClientCaFile(@Nullable Path clientCaFile) {
            this.clientCaFile = clientCaFile;
        }
    }

    @Override
    public GrpcServerConfiguration onCreated(BeanCreatedEvent<GrpcServerConfiguration> event) {
        GrpcServerConfiguration server = event.getBean();
        Path cert = readable("stackgan.tls.cert-chain-file", settings.getCertChainFile());
        Path key = readable("stackgan.tls.private-key-file", settings.getPrivateKeyFile());
        Path clientCa = readable("stackgan.tls.client-ca-file", settings.getClientCaFile());
        if (cert == null && key == null && clientCa == null) {
            return server;
        }
        if (cert == null || key == null) {
            throw new ConfigurationException("stackgan.tls.cert-chain-file and stackgan.tls.private-key-file go"
                    + " together: set both for TLS on the gRPC port" + (clientCa == null ? "" : " (client-ca-file,"
                    + " mutual TLS, needs them too)"));
        }
        try {
            SslContextBuilder ssl = GrpcSslContexts.forServer(cert.toFile(), key.toFile());
            if (clientCa != null) {
                ssl.trustManager(clientCa.toFile()).clientAuth(ClientAuth.REQUIRE);
            }
            ((NettyServerBuilder) server.getServerBuilder()).sslContext(ssl.build());
        } catch (IOException | IllegalArgumentException e) {
            throw new ConfigurationException("stackgan.tls: cannot build the gRPC port's TLS context from " + cert
                    + " and " + key + (clientCa == null ? "" : " (client CA " + clientCa + ")") + ": " + e, e);
        }
        LOG.info("gRPC port serves TLS with {}{}", cert, clientCa == null ? ""
                : "; clients need a certificate signed by " + clientCa);
        return server;
    }

    private static @Nullable Path readable(String setting, @Nullable Path file) {
        if (file != null && !Files.isReadable(file)) {
            throw new ConfigurationException(setting + ": " + file + " is not a readable file");
        }
        return file;
    }
}
