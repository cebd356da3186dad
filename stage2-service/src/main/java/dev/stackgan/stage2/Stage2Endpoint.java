package dev.stackgan.stage2;

import static dev.stackgan.bundle.graph.ModelGraphs.CONDITION;
import static dev.stackgan.bundle.graph.ModelGraphs.IMAGE;
import static dev.stackgan.bundle.graph.ModelGraphs.STAGE1_IMAGE;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import dev.stackgan.bundle.image.PngEncoder;
import dev.stackgan.proto.v1.ImageEncoding;
import dev.stackgan.proto.v1.PngImages;
import dev.stackgan.proto.v1.Rgb8Images;
import dev.stackgan.proto.v1.Stage2ServiceGrpc;
import dev.stackgan.proto.v1.Stage2ServiceRefineRequest;
import dev.stackgan.proto.v1.Stage2ServiceRefineResponse;
import dev.stackgan.serving.Errors;
import dev.stackgan.serving.Inference;
import dev.stackgan.serving.InputRows;
import dev.stackgan.serving.LoadedModel;
import dev.stackgan.serving.PngSettings;
import dev.stackgan.serving.Tensors;
import io.grpc.stub.StreamObserver;
import jakarta.inject.Singleton;
import java.nio.FloatBuffer;
import java.util.Map;

/** stackgan.v1.Stage2Service: Stage-I images and Stage-II conditions -> high-resolution images. */
@Singleton
public class Stage2Endpoint extends Stage2ServiceGrpc.Stage2ServiceImplBase {

    private final Inference inference;

    public Stage2Endpoint(Inference inference) {
        this.inference = inference;
    }

    @Override
    public void refine(Stage2ServiceRefineRequest request, StreamObserver<Stage2ServiceRefineResponse> observer) {
        inference.call(request.hasModelVersion() ? request.getModelVersion() : null,
                model -> prepare(request, model), observer);
    }

    private Inference.Prepared<Stage2ServiceRefineResponse> prepare(Stage2ServiceRefineRequest request,
                                                                    LoadedModel model) {
        if (request.getImageEncoding() == ImageEncoding.UNRECOGNIZED) {
            throw Errors.invalidArgument("image_encoding is " + request.getImageEncodingValue()
                    + ", must be unset, IMAGE_ENCODING_FLOAT32 (1), IMAGE_ENCODING_RGB8 (2) or IMAGE_ENCODING_PNG (3)");
        }
        ImageEncoding encoding = request.getImageEncoding();
        PngEncoder png = encoding == ImageEncoding.IMAGE_ENCODING_PNG
                ? PngSettings.fromProto("png_options", request.getPngOptions()) : null;
        int maxBatch = inference.maxBatchSize();
        InputRows.Floats images = Tensors.readInput("stage1_images", request.getStage1Images(), model, STAGE1_IMAGE,
                maxBatch);
        InputRows.Floats conditions = Tensors.readInput("conditions", request.getConditions(), model, CONDITION,
                maxBatch);
        Tensors.requireSameBatch("conditions", conditions, "stage1_images", images);
        int rows = images.rows();
        return new Inference.Prepared<>(Map.of(STAGE1_IMAGE, images, CONDITION, conditions), outputs -> {
            Stage2ServiceRefineResponse.Builder response = Stage2ServiceRefineResponse.newBuilder()
                    .setModelVersion(model.version());
            float[] planes = outputs.get(IMAGE);
            switch (encoding) {
                case IMAGE_ENCODING_RGB8 -> response.setRgbImages(rgb8(model, rows, planes));
                case IMAGE_ENCODING_PNG -> response.setPngImages(pngs(model, rows, planes, png));
                default -> response.setImages(Tensors.writeOutput(model, IMAGE, rows, planes));
            }
            return response.build();
        });
    }

    /** The generator's planar [N, 3, S, S] output, image by image as interleaved 8-bit RGB. */
    private record Pictures(int width, int height, FloatBuffer planes) {

        static Pictures of(LoadedModel model, int rows, float[] planes) {
            long[] shape = model.signature().output(IMAGE).shapeForBatch(rows);
            return new Pictures(Math.toIntExact(shape[3]), Math.toIntExact(shape[2]), FloatBuffer.wrap(planes));
        }

        /** Image {@code i}'s bytes in a PNG's row layout; each call returns a fresh array. */
        byte[] rgb(int i) {
            return PngEncoder.rgbFromTanh(planes, i * 3 * height * width, width, height);
        }
    }

    /**
     * The output as interleaved 8-bit RGB [N, S, S, 3], by the very function the gateway used on the float32
     * tensor, so both give the same bytes.
     */
    private static Rgb8Images rgb8(LoadedModel model, int rows, float[] planes) {
        Pictures pictures = Pictures.of(model, rows, planes);
        ByteString data = ByteString.EMPTY;
        for (int i = 0; i < rows; i++) {
            // each array is fresh and never written again: protobuf may keep it without a copy
            data = data.concat(UnsafeByteOperations.unsafeWrap(pictures.rgb(i)));
        }
        return Rgb8Images.newBuilder().addShape(rows).addShape(pictures.height()).addShape(pictures.width())
                .addShape(3).setData(data).build();
    }

    /** The same 8-bit RGB images as PNG files: compressed here, where the pixels are, not by the caller. */
    private static PngImages pngs(LoadedModel model, int rows, float[] planes, PngEncoder encoder) {
        Pictures pictures = Pictures.of(model, rows, planes);
        PngImages.Builder files = PngImages.newBuilder().setWidth(pictures.width()).setHeight(pictures.height());
        for (int i = 0; i < rows; i++) {
            files.addFiles(UnsafeByteOperations.unsafeWrap(encoder.encode(pictures.rgb(i), pictures.width(),
                    pictures.height())));
        }
        return files.build();
    }
}
