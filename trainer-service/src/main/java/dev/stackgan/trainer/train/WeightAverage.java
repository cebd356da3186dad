package dev.stackgan.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.ParameterList;
import java.util.ArrayList;
import java.util.List;

/**
 * An exponential moving average of a generator's weights (Karras et al. 2018, Yazici et al. 2019), kept in a second
 * network of the same architecture: the average draws the samples, is evaluated and is exported, while the live
 * weights keep training against D. Batch-norm running statistics are averaged like the weights.
 */
public final class WeightAverage {

    /** Parameters, not arrays: loading a checkpoint replaces a parameter's array. */
    private final List<Parameter[]> pairs = new ArrayList<>();
    private final float decay;

    /** Starts {@code average} as a copy of {@code live}; both must be initialized networks of one architecture. */
    public WeightAverage(Block live, Block average, float decay) {
        ParameterList from = live.getParameters();
        ParameterList to = average.getParameters();
        if (from.size() != to.size()) {
            throw new IllegalArgumentException("the average has " + to.size() + " parameters, the live network "
                    + from.size());
        }
        for (int i = 0; i < from.size(); i++) {
            NDArray source = from.get(i).getValue().getArray();
            NDArray target = to.get(i).getValue().getArray();
            if (!source.getShape().equals(target.getShape())) {
                throw new IllegalArgumentException(from.get(i).getKey() + " is " + source.getShape()
                        + " but the average's " + to.get(i).getKey() + " is " + target.getShape());
            }
            source.copyTo(target);
            pairs.add(new Parameter[] {from.get(i).getValue(), to.get(i).getValue()});
        }
        average.freezeParameters(true);
        this.decay = decay;
    }

    /** average = decay * average + (1 - decay) * live, after each generator update. */
    public void update() {
        try (NDScope ignored = new NDScope()) {
            for (Parameter[] pair : pairs) {
                pair[1].getArray().muli(decay).addi(pair[0].getArray().mul(1f - decay));
            }
        }
    }
}
