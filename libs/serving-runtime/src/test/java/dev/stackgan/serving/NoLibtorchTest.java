package dev.stackgan.serving;

import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/**
 * The serving modules run on ONNX Runtime alone: their tests load bundles exported ahead of time (test-fixtures),
 * so neither DJL nor libtorch (hundreds of MB) belongs on their classpath. A dependency that drags them back in
 * fails here.
 */
class NoLibtorchTest {

    @Test
    void neitherDjlNorItsPyTorchEngineIsOnTheClasspath() {
        assertThrows(ClassNotFoundException.class, () -> Class.forName("ai.djl.engine.Engine"));
        assertThrows(ClassNotFoundException.class, () -> Class.forName("ai.djl.pytorch.engine.PtEngine"));
    }
}
