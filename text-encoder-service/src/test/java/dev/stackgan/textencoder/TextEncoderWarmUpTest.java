package dev.stackgan.textencoder;

import dev.stackgan.proto.v1.TextEncoderServiceGrpc;
import dev.stackgan.serving.testing.WarmUpChecks;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The text-encoder-service warms up with its own representative request, over its own gRPC port, before it reports
 * SERVING ({@link WarmUpChecks}).
 */
class TextEncoderWarmUpTest {

    @Test
    void notServingUntilWarmedUpWithinTheTimeLimit(@TempDir Path repository) throws Exception {
        WarmUpChecks.assertNotServingUntilWarmedUp(repository, TextEncoderServiceGrpc.SERVICE_NAME, "text_encoder");
    }

    @Test
    void noWarmUpWhenDisabled(@TempDir Path repository) throws Exception {
        WarmUpChecks.assertNoWarmUpWhenDisabled(repository, "text_encoder");
    }

    @Test
    void failedWarmUpStillBecomesReady(@TempDir Path repository) throws Exception {
        WarmUpChecks.assertFailedWarmUpStillBecomesReady(repository, "text_encoder");
    }
}
