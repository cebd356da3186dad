package dev.stackgan.networks.nn;

import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import dev.stackgan.networks.onnx.OnnxExportable;
import dev.stackgan.networks.onnx.OnnxGraph;

/** A sequential block whose ONNX export is the export of each child in order. */
public class Chain extends SequentialBlock implements OnnxExportable {

    public Chain(Block... blocks) {
        addAll(blocks);
    }

    @Override
    public String exportOnnx(OnnxGraph graph, String input) {
        String value = input;
        for (Block child : getChildren().values()) {
            value = graph.layer(child, value);
        }
        return value;
    }
}
