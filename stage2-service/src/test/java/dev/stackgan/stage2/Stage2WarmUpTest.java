package dev.stackgan.stage2;

import dev.stackgan.proto.v1.Stage2ServiceGrpc;
import dev.stackgan.serving.testing.WarmUpChecks;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stage2-service warms up with its own representative request, over its own gRPC port, before it reports
 * SERVING ({@link WarmUpChecks}).
 */
class Stage2WarmUpTest {

    @Test
    void notServingUntilWarmedUpWithinTheTimeLimit(@TempDir Path repository) throws Exception {
        WarmUpChecks.assertNotServingUntilWarmedUp(repository, Stage2ServiceGrpc.SERVICE_NAME, "stage2");
    }

    @Test
    void noWarmUpWhenDisabled(@TempDir Path repository) throws Exception {
        WarmUpChecks.assertNoWarmUpWhenDisabled(repository, "stage2");
    }

    @Test
    void failedWarmUpStillBecomesReady(@TempDir Path repository) throws Exception {
        WarmUpChecks.assertFailedWarmUpStillBecomesReady(repository, "stage2");
    }
}
