package dev.stackgan.bundle.graph;

import java.util.List;

/** The inputs and outputs of one ONNX graph of a bundle, in order. */
public record GraphSignature(String name, List<TensorSpec> inputs, List<TensorSpec> outputs) {

    public GraphSignature {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
    }

    public TensorSpec input(String inputName) {
        return find(inputs, inputName);
    }

    public TensorSpec output(String outputName) {
        return find(outputs, outputName);
    }

    private TensorSpec find(List<TensorSpec> specs, String specName) {
        return specs.stream().filter(s -> s.name().equals(specName)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(name + " has no tensor '" + specName + "'"));
    }
}
