package dev.stackgan.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import dev.stackgan.trainer.config.TrainingConfig;

/**
 * StackGAN's matching-aware losses over discriminator logits. Each NDList holds the conditional logits and, for
 * Stage-II, the unconditional ones.
 */
public abstract class GanLoss {

    public static GanLoss of(TrainingConfig.Loss kind) {
        return kind == TrainingConfig.Loss.BCE ? new Bce() : new Wasserstein();
    }

    /** Discriminator loss from (real image, its text), (wrong image, the text) and (fake image, the text). */
    public abstract NDArray discriminator(NDList real, NDList wrong, NDList fake);

    /** Generator adversarial loss (without the KL term). */
    public abstract NDArray generator(NDList fake);

    /** Whether the critic's weights are clipped after each step (the original WGAN's Lipschitz constraint). */
    public abstract boolean clipsWeights();

    /** Sigmoid + binary cross entropy on logits (numerically safer than the reference's Sigmoid then BCELoss). */
    static final class Bce extends GanLoss {
        private static NDArray bce(NDArray logits, float label) {
            // log(1 + exp(-|x|)) + max(x, 0) - x * label
            return logits.abs().neg().exp().add(1f).log().add(logits.maximum(0f)).sub(logits.mul(label)).mean();
        }

        @Override
        public NDArray discriminator(NDList real, NDList wrong, NDList fake) {
            NDArray realLoss = bce(real.get(0), 1f);
            NDArray wrongLoss = bce(wrong.get(0), 0f);
            NDArray fakeLoss = bce(fake.get(0), 0f);
            if (real.size() == 1) {
                return realLoss.add(fakeLoss.add(wrongLoss).mul(0.5f));
            }
            NDArray realUncond = bce(real.get(1), 1f);
            NDArray fakeUncond = bce(fake.get(1), 0f);
            return realLoss.add(realUncond).div(2f).add(fakeLoss.add(wrongLoss).add(fakeUncond).div(3f));
        }

        @Override
        public NDArray generator(NDList fake) {
            NDArray loss = bce(fake.get(0), 1f);
            return fake.size() == 1 ? loss : loss.add(bce(fake.get(1), 1f));
        }

        @Override
        public boolean clipsWeights() {
            return false;
        }
    }

    /** Wasserstein critic: no sigmoid; matching-aware by scoring wrong pairs like fakes. */
    static final class Wasserstein extends GanLoss {
        @Override
        public NDArray discriminator(NDList real, NDList wrong, NDList fake) {
            NDArray loss = fake.get(0).mean().add(wrong.get(0).mean()).mul(0.5f).sub(real.get(0).mean());
            if (real.size() == 1) {
                return loss;
            }
            return loss.add(fake.get(1).mean()).sub(real.get(1).mean());
        }

        @Override
        public NDArray generator(NDList fake) {
            NDArray loss = fake.get(0).mean().neg();
            return fake.size() == 1 ? loss : loss.sub(fake.get(1).mean());
        }

        @Override
        public boolean clipsWeights() {
            return true;
        }
    }
}
