package dev.stackgan.networks.train;

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
 * weights keep training against D. Batch-norm running statistics are averaged like the weights, which makes them
 * statistics of no network in particular: whoever draws with the average re-estimates them first (GanTrainee).
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

    /**
     * average = d * average + (1 - d) * live after generator update number {@code step} (from 1), with
     * d = min(decay, (1 + step) / (10 + step)): the warm-up lets the early average follow the live weights instead
     * of staying near the initialization for the first 1 / (1 - decay) steps.
     */
    public void update(long step) {
        float d = Math.min(decay, (1f + step) / (10f + step));
        try (NDScope ignored = new NDScope()) {
            for (Parameter[] pair : pairs) {
                pair[1].getArray().muli(d).addi(pair[0].getArray().mul(1f - d));
            }
        }
    }
}
