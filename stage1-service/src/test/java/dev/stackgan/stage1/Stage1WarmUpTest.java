package dev.stackgan.stage1;

import dev.stackgan.proto.v1.Stage1ServiceGrpc;
import dev.stackgan.serving.testing.WarmUpChecks;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stage1-service warms up with its own representative request, over its own gRPC port, before it reports
 * SERVING ({@link WarmUpChecks}).
 */
class Stage1WarmUpTest {

    @Test
    void notServingUntilWarmedUpWithinTheTimeLimit(@TempDir Path repository) throws Exception {
        WarmUpChecks.assertNotServingUntilWarmedUp(repository, Stage1ServiceGrpc.SERVICE_NAME, "stage1");
    }

    @Test
    void noWarmUpWhenDisabled(@TempDir Path repository) throws Exception {
        WarmUpChecks.assertNoWarmUpWhenDisabled(repository, "stage1");
    }

    @Test
    void failedWarmUpStillBecomesReady(@TempDir Path repository) throws Exception {
        WarmUpChecks.assertFailedWarmUpStillBecomesReady(repository, "stage1");
    }
}
