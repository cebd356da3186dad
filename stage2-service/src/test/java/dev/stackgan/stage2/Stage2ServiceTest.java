package dev.stackgan.stage2;

import static dev.stackgan.serving.testing.ServiceChecks.assertStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.stackgan.bundle.image.PngEncoder;
import dev.stackgan.proto.v1.ImageEncoding;
import dev.stackgan.proto.v1.ModelGraph;
import dev.stackgan.proto.v1.PngDeflateStrategy;
import dev.stackgan.proto.v1.PngOptions;
import dev.stackgan.proto.v1.PngRowFilter;
import dev.stackgan.proto.v1.Stage2ServiceGrpc;
import dev.stackgan.proto.v1.Stage2ServiceRefineRequest;
import dev.stackgan.proto.v1.Stage2ServiceRefineResponse;
import dev.stackgan.proto.v1.Tensor;
import dev.stackgan.serving.Tensors;
import dev.stackgan.serving.testing.ServiceChecks;
import dev.stackgan.serving.testing.TinyBundles;
import dev.stackgan.serving.testing.TwoVersionService;
import io.grpc.Status;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The Stage-II application over real gRPC and ONNX Runtime on tiny bundles (C 8, 16 px in, 32 px out). */
class Stage2ServiceTest {

    static final int C = 8;
    static final int SMALL = 16;

    @RegisterExtension
    static final TwoVersionService service = new TwoVersionService(4);


    @Test
    void refinedImagesHaveTheBundleShapeStayInRangeAndAreDeterministic() {
        Stage2ServiceRefineResponse first = stub().refine(request(images(2, 0.1f), conditions(2, 0.3f)).build());
        assertEquals(List.of(2L, 3L, 32L, 32L), first.getImages().getShapeList());
        assertEquals(TinyBundles.V1, first.getModelVersion());
        for (float v : Tensors.values(first.getImages())) {
            assertTrue(v >= -1f && v <= 1f, "tanh output " + v);
        }
        assertEquals(first.getImages().getData(),
                stub().refine(request(images(2, 0.1f), conditions(2, 0.3f)).build()).getImages().getData());
        assertFalse(first.getImages().getData().equals(
                stub().refine(request(images(2, -0.5f), conditions(2, 0.3f)).build()).getImages().getData()));
        Stage2ServiceRefineResponse v2 = stub().refine(request(images(2, 0.1f), conditions(2, 0.3f))
                .setModelVersion(TinyBundles.V2).build());
        assertEquals(TinyBundles.V2, v2.getModelVersion());
        assertFalse(first.getImages().getData().equals(v2.getImages().getData()));
    }

    /**
     * Asked for 8-bit RGB, Stage-II answers, bit for bit, what the gateway computed from its float32 answer before
     * (PngEncoder.rgbFromTanh on each image: the same rounding and clamping), interleaved [N, S, S, 3]: a quarter of
     * the bytes, and no float32 tensor beside them.
     */
    @Test
    void rgb8ImagesAreTheFloatImagesAsTheGatewayConvertedThem() {
        Stage2ServiceRefineResponse floats = stub().refine(request(images(2, 0.9f), conditions(2, 0.3f)).build());
        Stage2ServiceRefineResponse rgb = stub().refine(request(images(2, 0.9f), conditions(2, 0.3f))
                .setImageEncoding(ImageEncoding.IMAGE_ENCODING_RGB8).build());
        assertFalse(floats.hasRgbImages());
        assertFalse(rgb.hasImages());
        assertEquals(TinyBundles.V1, rgb.getModelVersion());
        assertEquals(List.of(2L, 32L, 32L, 3L), rgb.getRgbImages().getShapeList());
        FloatBuffer values = floats.getImages().getData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN)
                .asFloatBuffer();
        ByteString gateway = ByteString.copyFrom(PngEncoder.rgbFromTanh(values, 0, 32, 32))
                .concat(ByteString.copyFrom(PngEncoder.rgbFromTanh(values, 3 * 32 * 32, 32, 32)));
        assertEquals(gateway, rgb.getRgbImages().getData());
        assertEquals(floats.getImages().getData().size() / 4, rgb.getRgbImages().getData().size());
        assertEquals(floats.getImages(), stub().refine(request(images(2, 0.9f), conditions(2, 0.3f))
                .setImageEncoding(ImageEncoding.IMAGE_ENCODING_FLOAT32).build()).getImages(), "FLOAT32 as unset");
    }

    /**
     * Asked for PNG, Stage-II answers one PNG file per image whose pixels are its 8-bit RGB answer, compressed as
     * the request's options say: the gateway's settings give a smaller file than the stored (unset) options.
     */
    @Test
    void pngImagesDecodeToTheRgb8Images() throws IOException {
        Stage2ServiceRefineResponse rgb = stub().refine(request(images(2, 0.9f), conditions(2, 0.3f))
                .setImageEncoding(ImageEncoding.IMAGE_ENCODING_RGB8).build());
        PngOptions gatewayOptions = PngOptions.newBuilder().setCompressionLevel(1)
                .setRowFilter(PngRowFilter.PNG_ROW_FILTER_SUB)
                .setDeflateStrategy(PngDeflateStrategy.PNG_DEFLATE_STRATEGY_HUFFMAN_ONLY).build();
        Stage2ServiceRefineResponse png = stub().refine(request(images(2, 0.9f), conditions(2, 0.3f))
                .setImageEncoding(ImageEncoding.IMAGE_ENCODING_PNG).setPngOptions(gatewayOptions).build());
        assertFalse(png.hasImages() || png.hasRgbImages());
        assertEquals(32, png.getPngImages().getWidth());
        assertEquals(32, png.getPngImages().getHeight());
        assertEquals(2, png.getPngImages().getFilesCount());
        byte[] expected = rgb.getRgbImages().getData().toByteArray();
        for (int i = 0; i < 2; i++) {
            BufferedImage decoded = ImageIO.read(png.getPngImages().getFiles(i).newInput());
            for (int y = 0; y < 32; y++) {
                for (int x = 0; x < 32; x++) {
                    int at = ((i * 32 + y) * 32 + x) * 3;
                    int pixel = (expected[at] & 0xff) << 16 | (expected[at + 1] & 0xff) << 8 | expected[at + 2] & 0xff;
                    assertEquals(pixel, decoded.getRGB(x, y) & 0xffffff, "image " + i + " pixel " + x + "," + y);
                }
            }
        }
        Stage2ServiceRefineResponse stored = stub().refine(request(images(2, 0.9f), conditions(2, 0.3f))
                .setImageEncoding(ImageEncoding.IMAGE_ENCODING_PNG).build());
        assertTrue(stored.getPngImages().getFiles(0).size() > 32 * 32 * 3, "unset options: stored, not compressed");
        assertTrue(png.getPngImages().getFiles(0).size() < stored.getPngImages().getFiles(0).size());
    }

    @Test
    void badRequestsNameTheFieldAndTheLimit() {
        assertInvalid(request(Tensor.getDefaultInstance(), conditions(1, 0)), "stage1_images is missing");
        assertInvalid(request(Tensors.write(new long[] {1, 3, 32, 32}, new float[3 * 32 * 32]), conditions(1, 0)),
                "stage1_images.shape is [1, 3, 32, 32], expected [N, 3, 16, 16] with 1 <= N <= 4");
        assertInvalid(request(Tensors.write(new long[] {3, SMALL, SMALL}, new float[3 * SMALL * SMALL]),
                conditions(1, 0)), "stage1_images.shape is [3, 16, 16]");
        assertInvalid(request(images(5, 0), conditions(5, 0)), "stage1_images.shape[0] (batch) is 5, must be 1 to 4");
        assertInvalid(request(images(1, 0), conditions(2, 0)),
                "conditions.shape[0] is 2 but stage1_images.shape[0] is 1");
        assertInvalid(request(images(1, 0).toBuilder().setData(ByteString.copyFrom(new byte[12])).build(),
                conditions(1, 0)), "stage1_images.data has 12 bytes, shape [1, 3, 16, 16] needs 3072");
        float[] inf = new float[C];
        inf[2] = Float.NEGATIVE_INFINITY;
        assertInvalid(request(images(1, 0), Tensors.write(new long[] {1, C}, inf)),
                "conditions.data holds -Infinity at element 2");
        assertInvalid(request(images(1, 0), conditions(1, 0)).setImageEncodingValue(7),
                "image_encoding is 7, must be unset, IMAGE_ENCODING_FLOAT32 (1), IMAGE_ENCODING_RGB8 (2) or "
                        + "IMAGE_ENCODING_PNG (3)");
        Stage2ServiceRefineRequest.Builder png = request(images(1, 0), conditions(1, 0))
                .setImageEncoding(ImageEncoding.IMAGE_ENCODING_PNG);
        assertInvalid(png.clone().setPngOptions(PngOptions.newBuilder().setCompressionLevel(10)),
                "png_options.compression_level is 10, must be 0 (stored) to 9");
        assertInvalid(png.clone().setPngOptions(PngOptions.newBuilder().setCompressionLevel(-1)),
                "png_options.compression_level is 4294967295, must be 0 (stored) to 9");
        assertInvalid(png.clone().setPngOptions(PngOptions.newBuilder().setDeflateStrategyValue(8)),
                "png_options.deflate_strategy is 8, must be unset or PNG_DEFLATE_STRATEGY_DEFAULT (1), _FILTERED (2) "
                        + "or _HUFFMAN_ONLY (3)");
        assertInvalid(png.clone().setPngOptions(PngOptions.newBuilder().setRowFilterValue(9)),
                "png_options.row_filter is 9, must be unset or PNG_ROW_FILTER_NONE (1), _SUB (2) or _UP (3)");
        assertStatus(Status.Code.FAILED_PRECONDITION, "model_version 'v0' is not loaded here; available: ["
                        + TinyBundles.V1 + ", " + TinyBundles.V2 + "]",
                () -> stub().refine(request(images(1, 0), conditions(1, 0)).setModelVersion("v0").build()));
    }

    @Test
    void modelVersionMustBeABundleId() {
        ServiceChecks.assertModelVersionMustBeABundleId(
                version -> stub().refine(request(images(1, 0), conditions(1, 0)).setModelVersion(version).build()));
    }

    @Test
    void healthFollowsTheModelAndReflectionListsTheService(@TempDir Path empty) throws Exception {
        ServiceChecks.assertHealthFollowsModelAndReflectionListsServices(empty, Stage2ServiceGrpc.SERVICE_NAME,
                ModelGraph.MODEL_GRAPH_STAGE2);
    }

    @Test
    void fullQueueAndExpiredDeadline() throws Exception {
        ServiceChecks.assertQueueOverflowAndDeadline(service.repository(), (harness, deadlineMs) ->
                Stage2ServiceGrpc.newFutureStub(harness.channel()).withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS)
                        .refine(request(images(1, 0), conditions(1, 0)).build()));
    }

    private static void assertInvalid(Stage2ServiceRefineRequest.Builder request, String messagePart) {
        assertStatus(Status.Code.INVALID_ARGUMENT, messagePart, () -> stub().refine(request.build()));
    }

    private static Stage2ServiceRefineRequest.Builder request(Tensor images, Tensor conditions) {
        return Stage2ServiceRefineRequest.newBuilder().setStage1Images(images).setConditions(conditions);
    }

    private static Tensor images(int rows, float value) {
        float[] values = new float[rows * 3 * SMALL * SMALL];
        for (int i = 0; i < values.length; i++) {
            values[i] = value * ((i % 7) - 3) / 3f;
        }
        return Tensors.write(new long[] {rows, 3, SMALL, SMALL}, values);
    }

    private static Tensor conditions(int rows, float value) {
        float[] values = new float[rows * C];
        java.util.Arrays.fill(values, value);
        return Tensors.write(new long[] {rows, C}, values);
    }

    /** A stub per call, so every call gets its own deadline. */
    private static Stage2ServiceGrpc.Stage2ServiceBlockingStub stub() {
        return service.harness().blocking(Stage2ServiceGrpc::newBlockingStub);
    }
}
