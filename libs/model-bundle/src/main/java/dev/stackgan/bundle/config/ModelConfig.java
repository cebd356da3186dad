package dev.stackgan.bundle.config;

/**
 * Every dimension of the StackGAN networks. The trainer builds its networks from it, the exporter writes it into the
 * bundle manifest, and the services read tensor shapes from it. Image sizes are powers of two; the number of up- and
 * down-sampling blocks follows from them, so a tiny test config runs exactly the same code as the paper config.
 *
 * @param text          text encoder (word embedding, bidirectional LSTM)
 * @param conditionDim  C: size of the Conditioning Augmentation output c (paper: 128)
 * @param noiseDim      Z: size of the Stage-I noise vector (paper: 100)
 * @param stage1        Stage-I generator and discriminator
 * @param stage2        Stage-II generator and discriminator
 * @param imageEncoder  the small CNN used with the text encoder for the image-sentence matching loss
 * @param variants      architecture switches people used to hand-edit (batch norm, dropout)
 */
public record ModelConfig(TextEncoderConfig text, int conditionDim, int noiseDim, Stage1Config stage1,
                          Stage2Config stage2, ImageEncoderConfig imageEncoder, NetworkVariants variants) {

    /** The first feature map of Stage-I's generator and the last of every discriminator are 4 x 4. */
    public static final int BASE_SIZE = 4;

    /**
     * @param vocabularySize      words including padding and unknown
     * @param maxWords            word limit; longer captions are truncated (paper/DAMSM: 18)
     * @param embeddingDim        word embedding size (DAMSM: 300)
     * @param hiddenPerDirection  LSTM hidden size per direction (DAMSM: 128); the sentence vector is twice this
     * @param dropout             dropout on word embeddings while training
     */
    public record TextEncoderConfig(int vocabularySize, int maxWords, int embeddingDim, int hiddenPerDirection,
                                    float dropout) {
        public int sentenceDim() {
            return 2 * hiddenPerDirection;
        }
    }

    /**
     * @param imageSize        output side in pixels (paper: 64)
     * @param generatorDim     GF_DIM; the generator starts with 8 x GF_DIM channels at 4 x 4 (paper: 128)
     * @param discriminatorDim DF_DIM (paper: 64)
     */
    public record Stage1Config(int imageSize, int generatorDim, int discriminatorDim) {
        /** Channels of the 4 x 4 map after the fully connected layer (paper: 1024). */
        public int generatorChannels() {
            return generatorDim * 8;
        }

        /** Nearest-neighbour x2 up-blocks from 4 x 4 to the image size (paper: 4). */
        public int upBlocks() {
            return log2(imageSize / BASE_SIZE);
        }
    }

    /**
     * @param imageSize        output side in pixels (paper: 256)
     * @param generatorDim     GF_DIM (paper: 128)
     * @param discriminatorDim DF_DIM (paper: 64)
     * @param residualBlocks   residual blocks between the joint conv and the up-blocks (paper: 4)
     */
    public record Stage2Config(int imageSize, int generatorDim, int discriminatorDim, int residualBlocks) {
    }

    /**
     * @param channels  channels of the first conv; doubled at every stride-2 conv down to 4 x 4
     * @param imageSize side of the images it reads (the text encoder is trained against Stage-I-sized images)
     */
    public record ImageEncoderConfig(int imageSize, int channels) {
    }

    /**
     * @param generatorBatchNorm     batch norm in the generators (off: the layers are left out)
     * @param discriminatorBatchNorm batch norm in the discriminators
     * @param discriminatorDropout   dropout after each LeakyReLU of the discriminators while training (0: none)
     * @param stage2Residual         Stage-II predicts a correction to its input image upsampled to its own size
     *                               ({@code tanh(atanh(up(x)) + correction)}, the correction's last conv starting at
     *                               zero), so it starts as exactly the upsampled Stage-I image and cannot start
     *                               worse; off, it paints the whole image (the paper)
     * @param discriminatorSpectralNorm every discriminator convolution divides its weight by its largest singular
     *                               value (Miyato et al. 2018), usually with discriminator batch norm off
     */
    public record NetworkVariants(boolean generatorBatchNorm, boolean discriminatorBatchNorm,
                                  float discriminatorDropout, boolean stage2Residual,
                                  boolean discriminatorSpectralNorm) {

        /** The paper's networks: batch norm on both sides, no dropout or spectral norm, Stage-II paints it all. */
        public static final NetworkVariants PAPER = new NetworkVariants(true, true, 0f, false, false);
    }

    /** Stride-2 down-sampling convs of the Stage-II generator's image encoder: always 2 (64 -> 16 in the paper). */
    public static final int STAGE2_ENCODER_DOWNSAMPLES = 2;

    /** Side of the Stage-II generator's joint feature map (paper: 16). */
    public int stage2JointSize() {
        return stage1.imageSize() >> STAGE2_ENCODER_DOWNSAMPLES;
    }

    /** Up-blocks of the Stage-II generator from the joint map to the Stage-II image (paper: 16 -> 256, 4). */
    public int stage2UpBlocks() {
        return log2(stage2.imageSize() / stage2JointSize());
    }

    /** Checks that the sizes fit together; throws {@link IllegalArgumentException} naming the field otherwise. */
    public ModelConfig validate() {
        positive("text.vocabularySize", text.vocabularySize());
        positive("text.maxWords", text.maxWords());
        positive("text.embeddingDim", text.embeddingDim());
        positive("text.hiddenPerDirection", text.hiddenPerDirection());
        fraction("text.dropout", text.dropout());
        positive("conditionDim", conditionDim);
        positive("noiseDim", noiseDim);
        powerOfTwoAtLeast("stage1.imageSize", stage1.imageSize(), 4 * BASE_SIZE);
        positive("stage1.generatorDim", stage1.generatorDim());
        positive("stage1.discriminatorDim", stage1.discriminatorDim());
        if ((stage1.generatorChannels() >> stage1.upBlocks()) < 1) {
            throw new IllegalArgumentException("stage1.generatorDim " + stage1.generatorDim()
                    + " is too small for " + stage1.upBlocks() + " channel-halving up-blocks");
        }
        powerOfTwoAtLeast("stage2.imageSize", stage2.imageSize(), 2 * stage1.imageSize());
        positive("stage2.generatorDim", stage2.generatorDim());
        positive("stage2.discriminatorDim", stage2.discriminatorDim());
        if (stage2.residualBlocks() < 0) {
            throw new IllegalArgumentException("stage2.residualBlocks must be >= 0, got " + stage2.residualBlocks());
        }
        if (stage2.generatorDim() * 4 >> stage2UpBlocks() < 1) {
            throw new IllegalArgumentException("stage2.generatorDim " + stage2.generatorDim()
                    + " is too small for " + stage2UpBlocks() + " channel-halving up-blocks");
        }
        powerOfTwoAtLeast("imageEncoder.imageSize", imageEncoder.imageSize(), 2 * BASE_SIZE);
        positive("imageEncoder.channels", imageEncoder.channels());
        fraction("variants.discriminatorDropout", variants.discriminatorDropout());
        return this;
    }

    public ModelConfig withVocabularySize(int vocabularySize) {
        TextEncoderConfig t = new TextEncoderConfig(vocabularySize, text.maxWords(), text.embeddingDim(),
                text.hiddenPerDirection(), text.dropout());
        return new ModelConfig(t, conditionDim, noiseDim, stage1, stage2, imageEncoder, variants);
    }

    public ModelConfig withVariants(NetworkVariants newVariants) {
        return new ModelConfig(text, conditionDim, noiseDim, stage1, stage2, imageEncoder, newVariants);
    }

    /** This config with Stage-II's generator and discriminator widths replaced (Stage-I and the rest unchanged). */
    public ModelConfig withStage2Widths(int generatorDim, int discriminatorDim) {
        return new ModelConfig(text, conditionDim, noiseDim, stage1,
                new Stage2Config(stage2.imageSize(), generatorDim, discriminatorDim, stage2.residualBlocks()),
                imageEncoder, variants);
    }

    public static int log2(int powerOfTwo) {
        return Integer.numberOfTrailingZeros(powerOfTwo);
    }

    private static void positive(String field, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(field + " must be > 0, got " + value);
        }
    }

    private static void fraction(String field, float value) {
        if (!(value >= 0f && value < 1f)) {
            throw new IllegalArgumentException(field + " must be in [0, 1), got " + value);
        }
    }

    private static void powerOfTwoAtLeast(String field, int value, int min) {
        if (value < min || Integer.bitCount(value) != 1) {
            throw new IllegalArgumentException(field + " must be a power of two >= " + min + ", got " + value);
        }
    }
}
