package dev.stackgan.networks.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import dev.stackgan.networks.config.TrainingConfig.OptimizerKind;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An optimizer over one network's trainable parameters whose whole state (moments, step count, learning rate) can be
 * saved and restored, so a resumed run continues the same curve. DJL's optimizers keep their state private and
 * have no RMSprop, hence these few lines.
 */
public abstract class ParameterOptimizer {

    private static final Logger LOG = LoggerFactory.getLogger(ParameterOptimizer.class);
    private static final AtomicLong SKIPPED_IN_PROCESS = new AtomicLong();
    private static final NDIndex ALL = new NDIndex("...");

    private final List<Pair<String, Parameter>> parameters = new ArrayList<>();
    private final Map<String, NDArray[]> state = new HashMap<>();
    private final int slots;
    private float learningRate;
    private long steps;
    private long skippedSteps;
    private int skippedInARow;

    protected ParameterOptimizer(Block network, float learningRate, int slots) {
        for (Pair<String, Parameter> p : network.getParameters()) {
            if (p.getValue().requiresGradient()) {
                parameters.add(p);
            }
        }
        this.learningRate = learningRate;
        this.slots = slots;
    }

    public static ParameterOptimizer create(OptimizerKind kind, Block network, float learningRate) {
        return switch (kind) {
            case ADAM -> new Adam(network, learningRate);
            case RMSPROP -> new RmsProp(network, learningRate);
        };
    }

    public float learningRate() {
        return learningRate;
    }

    public void setLearningRate(float learningRate) {
        this.learningRate = learningRate;
    }

    public long steps() {
        return steps;
    }

    public List<Parameter> parameters() {
        return parameters.stream().map(Pair::getValue).toList();
    }

    /** Updates skipped because a gradient was not finite (see {@link #step}); not part of the saved state. */
    public long skippedSteps() {
        return skippedSteps;
    }

    /** Updates skipped by every optimizer of this process: training tests assert that none was. */
    public static long skippedInProcess() {
        return SKIPPED_IN_PROCESS.get();
    }

    /** Updates skipped since the last one applied. */
    public int skippedInARow() {
        return skippedInARow;
    }

    /**
     * Applies one update from the gradients currently attached to the parameters, unless one of them holds a NaN or
     * an infinity: then nothing changes and {@code false} is returned. One such update would poison every weight, so
     * it is skipped, as mixed-precision loss scalers do (docs/trainer.md, "NaN gradients": how libtorch produced
     * them for finite losses, and the fix).
     */
    public boolean step() {
        try (NDScope ignored = new NDScope()) {
            for (Pair<String, Parameter> p : parameters) {
                NDArray weight = p.getValue().getArray();
                if (weight.hasGradient() && !Float.isFinite(weight.getGradient().abs().sum().getFloat())) {
                    skippedSteps++;
                    skippedInARow++;
                    SKIPPED_IN_PROCESS.incrementAndGet();
                    LOG.warn("update skipped: the gradient of {} is not finite ({} skipped so far)", p.getKey(),
                            skippedSteps);
                    return false;
                }
            }
        }
        steps++;
        skippedInARow = 0;
        try (NDScope ignored = new NDScope()) {
            for (Pair<String, Parameter> p : parameters) {
                NDArray weight = p.getValue().getArray();
                update(weight, weight.getGradient(), state(p.getKey(), weight), steps);
            }
        }
        return true;
    }

    /** Sets the gradients of this optimizer's parameters to zero (gradients accumulate across backward calls). */
    public void zeroGradients() {
        zeroGradients(parameters());
    }

    public static void zeroGradients(List<Parameter> params) {
        try (NDScope ignored = new NDScope()) {
            for (Parameter parameter : params) {
                // a fill, not grad - grad (DJL's own way): a NaN must not outlive the update it spoiled
                parameter.getArray().getGradient().set(ALL, 0f);
            }
        }
    }

    /** In-place update of {@code weight}; {@code state} holds this optimizer's slots for it. */
    protected abstract void update(NDArray weight, NDArray grad, NDArray[] state, long step);

    private NDArray[] state(String id, NDArray weight) {
        return state.computeIfAbsent(id, key -> {
            NDArray[] arrays = new NDArray[slots];
            for (int i = 0; i < slots; i++) {
                arrays[i] = weight.zerosLike();
                NDScope.unregister(arrays[i]);
            }
            return arrays;
        });
    }

    public void save(DataOutputStream out) throws IOException {
        out.writeFloat(learningRate);
        out.writeLong(steps);
        TreeMap<String, NDArray[]> sorted = new TreeMap<>(state);
        out.writeInt(sorted.size());
        for (Map.Entry<String, NDArray[]> e : sorted.entrySet()) {
            out.writeUTF(e.getKey());
            for (NDArray slot : e.getValue()) {
                byte[] encoded = slot.encode();
                out.writeInt(encoded.length);
                out.write(encoded);
            }
        }
    }

    public void load(DataInputStream in) throws IOException {
        skippedInARow = 0; // a restored state starts a new run of updates
        learningRate = in.readFloat();
        steps = in.readLong();
        int entries = in.readInt();
        Map<String, Parameter> byId = new HashMap<>();
        parameters.forEach(p -> byId.put(p.getKey(), p.getValue()));
        state.values().forEach(arrays -> List.of(arrays).forEach(NDArray::close));
        state.clear();
        for (int i = 0; i < entries; i++) {
            String id = in.readUTF();
            Parameter parameter = byId.get(id);
            if (parameter == null) {
                throw new IOException("optimizer state names parameter " + id + " that this network does not have");
            }
            NDArray[] arrays = new NDArray[slots];
            for (int s = 0; s < slots; s++) {
                byte[] encoded = in.readNBytes(in.readInt());
                arrays[s] = NDArray.decode(parameter.getArray().getManager(), encoded);
            }
            state.put(id, arrays);
        }
    }

    /** PyTorch's Adam: bias-corrected first and second moments. */
    static final class Adam extends ParameterOptimizer {
        static final float BETA1 = 0.5f; // StackGAN's choice; PyTorch's default is 0.9
        static final float BETA2 = 0.999f;
        static final float EPSILON = 1e-8f;

        Adam(Block network, float learningRate) {
            super(network, learningRate, 2);
        }

        @Override
        protected void update(NDArray weight, NDArray grad, NDArray[] state, long step) {
            NDArray m = state[0].muli(BETA1).addi(grad.mul(1f - BETA1));
            NDArray v = state[1].muli(BETA2).addi(grad.square().muli(1f - BETA2));
            float correction1 = (float) (1 - Math.pow(BETA1, step));
            float correction2 = (float) (1 - Math.pow(BETA2, step));
            NDArray denominator = v.div(correction2).sqrt().addi(EPSILON);
            weight.subi(m.div(denominator).muli(learningRate() / correction1));
        }
    }

    /** PyTorch's RMSprop (alpha 0.99, no momentum), the optimizer of the original WGAN recipe. */
    static final class RmsProp extends ParameterOptimizer {
        static final float ALPHA = 0.99f;
        static final float EPSILON = 1e-8f;

        RmsProp(Block network, float learningRate) {
            super(network, learningRate, 1);
        }

        @Override
        protected void update(NDArray weight, NDArray grad, NDArray[] state, long step) {
            NDArray v = state[0].muli(ALPHA).addi(grad.square().muli(1f - ALPHA));
            weight.subi(grad.div(v.sqrt().addi(EPSILON)).muli(learningRate()));
        }
    }
}
