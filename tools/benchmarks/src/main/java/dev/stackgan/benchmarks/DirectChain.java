package dev.stackgan.benchmarks;

import dev.stackgan.proto.v1.EncodeRequest;
import dev.stackgan.proto.v1.EncodeResponse;
import dev.stackgan.proto.v1.EncodedCaption;
import dev.stackgan.proto.v1.ImageEncoding;
import dev.stackgan.proto.v1.PngOptions;
import dev.stackgan.proto.v1.Stage1ServiceGenerateRequest;
import dev.stackgan.proto.v1.Stage1ServiceGenerateResponse;
import dev.stackgan.proto.v1.Stage1ServiceGrpc;
import dev.stackgan.proto.v1.Stage2ServiceGrpc;
import dev.stackgan.proto.v1.Stage2ServiceRefineRequest;
import dev.stackgan.proto.v1.TextEncoderServiceGrpc;
import dev.stackgan.serving.PngSettings;
import dev.stackgan.serving.Tensors;
import io.grpc.ManagedChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * The gateway's three calls made from this process, one after the other, with no gateway between: Encode of
 * {@link ServingBench#PROMPT}, Stage-I's Generate on its condition, Stage-II's Refine with the picture compressed there
 * with the gateway's PNG settings; each call timed. Against the in-process chain it shows what running the three
 * graphs in three processes costs; against the gateway, what the gateway adds.
 */
final class DirectChain implements AutoCloseable {

    private static final PngOptions PNG = PngSettings.toProto(TuningBench.GATEWAY_PNG);
    /** The gateway's Encode call: its caption and seed. */
    static final EncodeRequest ENCODE = EncodeRequest.newBuilder().addCaptions(ServingBench.PROMPT)
            .setSeed(ServingBench.SEED).build();

    private final List<ManagedChannel> channels = new ArrayList<>();
    private final TextEncoderServiceGrpc.TextEncoderServiceBlockingStub textEncoder;
    private final Stage1ServiceGrpc.Stage1ServiceBlockingStub stage1;
    private final Stage2ServiceGrpc.Stage2ServiceBlockingStub stage2;
    /** Each run's three call times in ns, in order: text encoder, Stage-I, Stage-II. */
    private final List<long[]> callNanos = new ArrayList<>();

    DirectChain(ServingStack stack) {
        textEncoder = TextEncoderServiceGrpc.newBlockingStub(channel(stack, ServingStack.TEXT_ENCODER_SERVICE));
        stage1 = Stage1ServiceGrpc.newBlockingStub(channel(stack, ServingStack.STAGE1_SERVICE));
        stage2 = Stage2ServiceGrpc.newBlockingStub(channel(stack, ServingStack.STAGE2_SERVICE));
    }

    private ManagedChannel channel(ServingStack stack, String module) {
        ManagedChannel channel = ServingStack.channel(stack.grpcPort(module));
        channels.add(channel);
        return channel;
    }

    void run() {
        long start = System.nanoTime();
        EncodeResponse encoded = textEncoder.encode(ENCODE);
        long encodedAt = System.nanoTime();
        EncodedCaption caption = encoded.getCaptions(0);
        Stage1ServiceGenerateResponse drawn = stage1.generate(Stage1ServiceGenerateRequest.newBuilder()
                .setConditions(Tensors.conditions(List.of(caption.getStage1()))).setSeed(caption.getSeed())
                .setModelVersion(encoded.getModelVersion()).build());
        long drawnAt = System.nanoTime();
        stage2.refine(Stage2ServiceRefineRequest.newBuilder().setStage1Images(drawn.getImages())
                .setConditions(Tensors.conditions(List.of(caption.getStage2())))
                .setModelVersion(encoded.getModelVersion())
                .setImageEncoding(ImageEncoding.IMAGE_ENCODING_PNG).setPngOptions(PNG).build());
        callNanos.add(new long[] {encodedAt - start, drawnAt - encodedAt, System.nanoTime() - drawnAt});
    }

    /** Median ms of each call (text encoder, Stage-I, Stage-II) over the last {@code runs} runs. */
    double[] medianCallMs(int runs) {
        List<long[]> last = callNanos.subList(callNanos.size() - runs, callNanos.size());
        double[] medians = new double[3];
        for (int call = 0; call < medians.length; call++) {
            int c = call;
            medians[call] = LatencyStats.percentile(last.stream().mapToDouble(n -> n[c] / 1e6).sorted().toArray(),
                    50);
        }
        return medians;
    }

    @Override
    public void close() {
        channels.forEach(ManagedChannel::shutdownNow);
    }
}
