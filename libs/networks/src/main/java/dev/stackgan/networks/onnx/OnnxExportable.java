package dev.stackgan.networks.onnx;

/** A block that knows its own eval-mode ONNX translation. */
public interface OnnxExportable {

    /** Appends this block's computation on {@code input} to {@code graph} and returns the output value's name. */
    String exportOnnx(OnnxGraph graph, String input);
}
