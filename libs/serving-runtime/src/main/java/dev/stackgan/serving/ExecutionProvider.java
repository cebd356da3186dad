package dev.stackgan.serving;

import java.util.Arrays;
import java.util.Locale;

/** Which ONNX Runtime execution provider to run on: {@code auto} tries CUDA and falls back to CPU. */
public enum ExecutionProvider {
    AUTO, CUDA, CPU;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static ExecutionProvider parse(String value) {
        return Arrays.stream(values()).filter(p -> p.id().equalsIgnoreCase(value.trim())).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("stackgan.serving.execution-provider must be one of "
                        + Arrays.stream(values()).map(ExecutionProvider::id).toList() + ", got '" + value + "'"));
    }
}
