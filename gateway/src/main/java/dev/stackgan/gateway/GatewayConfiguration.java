package dev.stackgan.gateway;

import dev.stackgan.bundle.image.PngEncoder;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.context.exceptions.ConfigurationException;
import io.micronaut.core.annotation.Nullable;
import java.nio.file.Path;
import java.time.Duration;

/** {@code stackgan.gateway.*}: where the model services are and what one request may ask for. */
@ConfigurationProperties("stackgan.gateway")
public class GatewayConfiguration {

    /** gRPC target of the text encoder; dns:/// resolves every replica and round-robin spreads the calls. */
    private String textEncoderTarget = "dns:///localhost:50051";
    private String stage1Target = "dns:///localhost:50052";
    private String stage2Target = "dns:///localhost:50053";
    /** Largest response the gateway accepts from a model service: a batch of 8 256 px images is 6 MiB. */
    private int maxInboundMessageSize = 64 * 1024 * 1024;
    /** Deadline for the whole chain of one request; a gRPC caller's own, shorter deadline wins. */
    private Duration requestTimeout = Duration.ofSeconds(60);
    /** Images one request may ask for (num_images / n). Stage-II's default max batch is 8. */
    private int maxImages = 8;
    /** Requests running at once; more are refused with RESOURCE_EXHAUSTED / 429 instead of piling up. */
    private int maxConcurrentRequests = 32;
    /** zlib level of the PNGs, 0 (store) to 9; with the Sub filter, 1 is twice as fast as ImageIO's writer. */
    private int pngCompressionLevel = 1;
    /** PNG row filter for every row: none, sub or up. */
    private String pngFilter = "sub";
    /** zlib strategy: default, filtered or huffman-only (smaller and faster on generated pictures). */
    private String pngDeflateStrategy = "huffman-only";
    /**
     * Who compresses Stage-II's pictures: stage2-service (sent the png-* settings with each call; the gateway gets
     * the files) or gateway (gets 8-bit RGB, for a Stage-II service older than IMAGE_ENCODING_PNG).
     */
    private String pngEncodedBy = "stage2-service";
    /** The CA that signed the model services' certificates: set, the channels to them use TLS (docs/operations.md). */
    private Path modelServicesCaFile;
    /** The gateway's client certificate chain and key, for model services that require mutual TLS. */
    private Path modelServicesCertChainFile;
    private Path modelServicesPrivateKeyFile;

    public String getTextEncoderTarget() {
        return textEncoderTarget;
    }

    public void setTextEncoderTarget(String textEncoderTarget) {
        this.textEncoderTarget = textEncoderTarget;
    }

    public String getStage1Target() {
        return stage1Target;
    }

    public void setStage1Target(String stage1Target) {
        this.stage1Target = stage1Target;
    }

    public String getStage2Target() {
        return stage2Target;
    }

    public void setStage2Target(String stage2Target) {
        this.stage2Target = stage2Target;
    }

    public int getMaxInboundMessageSize() {
        return maxInboundMessageSize;
    }

    public void setMaxInboundMessageSize(int maxInboundMessageSize) {
        this.maxInboundMessageSize = maxInboundMessageSize;
    }

    public Duration getRequestTimeout() {
        return requestTimeout;
    }

    public void setRequestTimeout(Duration requestTimeout) {
        this.requestTimeout = requestTimeout;
    }

    public int getMaxImages() {
        return maxImages;
    }

    public void setMaxImages(int maxImages) {
        this.maxImages = maxImages;
    }

    public int getMaxConcurrentRequests() {
        return maxConcurrentRequests;
    }

    public void setMaxConcurrentRequests(int maxConcurrentRequests) {
        this.maxConcurrentRequests = maxConcurrentRequests;
    }

    public int getPngCompressionLevel() {
        return pngCompressionLevel;
    }

    public void setPngCompressionLevel(int pngCompressionLevel) {
        this.pngCompressionLevel = pngCompressionLevel;
    }

    public String getPngFilter() {
        return pngFilter;
    }

    public void setPngFilter(String pngFilter) {
        this.pngFilter = pngFilter;
    }

    public String getPngDeflateStrategy() {
        return pngDeflateStrategy;
    }

    public void setPngDeflateStrategy(String pngDeflateStrategy) {
        this.pngDeflateStrategy = pngDeflateStrategy;
    }

    public String getPngEncodedBy() {
        return pngEncodedBy;
    }

    public void setPngEncodedBy(String pngEncodedBy) {
        this.pngEncodedBy = pngEncodedBy;
    }

    /** Whether Stage-II's service encodes its pictures (png-encoded-by: stage2-service) rather than the gateway. */
    public boolean stage2EncodesPng() {
        return switch (pngEncodedBy.trim()) {
            case "stage2-service" -> true;
            case "gateway" -> false;
            default -> throw new ConfigurationException("stackgan.gateway.png-encoded-by is '" + pngEncodedBy
                    + "'; use stage2-service or gateway");
        };
    }

    /** The encoder of the PNGs, as the three png-* settings choose it. */
    public PngEncoder pngEncoder() {
        try {
            return new PngEncoder(pngCompressionLevel, PngEncoder.Filter.parse(pngFilter),
                    PngEncoder.Strategy.parse(pngDeflateStrategy));
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException("stackgan.gateway.png-*: " + e.getMessage(), e);
        }
    }

    public @Nullable Path getModelServicesCaFile() {
        return modelServicesCaFile;
    }

    public void setModelServicesCaFile(@Nullable Path modelServicesCaFile) {
        this.modelServicesCaFile = modelServicesCaFile;
    }

    public @Nullable Path getModelServicesCertChainFile() {
        return modelServicesCertChainFile;
    }

    public void setModelServicesCertChainFile(@Nullable Path modelServicesCertChainFile) {
        this.modelServicesCertChainFile = modelServicesCertChainFile;
    }

    public @Nullable Path getModelServicesPrivateKeyFile() {
        return modelServicesPrivateKeyFile;
    }

    public void setModelServicesPrivateKeyFile(@Nullable Path modelServicesPrivateKeyFile) {
        this.modelServicesPrivateKeyFile = modelServicesPrivateKeyFile;
    }
}
