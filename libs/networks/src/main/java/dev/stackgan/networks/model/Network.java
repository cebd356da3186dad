package dev.stackgan.networks.model;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.initializer.NormalInitializer;

/** A StackGAN network: knows its input shapes, so it can initialize itself with the reference initialization. */
public abstract class Network extends AbstractBlock {

    static {
        NativeAllocator.configure(); // before any libtorch kernel of a network runs: see the class comment
    }

    /** Shapes of one example batch of inputs (batch 1), used to size every layer. */
    protected abstract Shape[] inputShapes();

    /**
     * Creates the parameters with the reference initialization: conv and linear weights N(0, 0.02), batch-norm
     * scale N(1, 0.02), biases and shifts 0. Deterministic under {@code Engine.setRandomSeed}.
     */
    public void initialize(NDManager manager) {
        setInitializer(new NormalInitializer(0.02f), Parameter.Type.WEIGHT);
        setInitializer((m, shape, type) -> m.randomNormal(1f, 0.02f, shape, type), Parameter.Type.GAMMA);
        initialize(manager, DataType.FLOAT32, inputShapes());
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " is a top-level network");
    }
}
