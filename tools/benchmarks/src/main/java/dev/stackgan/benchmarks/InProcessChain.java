package dev.stackgan.benchmarks;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.stackgan.bundle.ModelBundle;
import dev.stackgan.bundle.config.ModelConfig;
import dev.stackgan.bundle.graph.ModelGraphs;
import dev.stackgan.bundle.image.PngEncoder;
import dev.stackgan.serving.AtanhRewrite;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A bundle's three ONNX Runtime sessions in this process, chained as the gateway chains the services, on random
 * captions (token ids) and noise, {@code batch} of them per run.
 */
final class InProcessChain implements AutoCloseable {

    private final Map<String, OrtSession> sessions = new LinkedHashMap<>();
    private final Map<String, OnnxTensor> text;
    private final Map<String, OnnxTensor> stage1;

    InProcessChain(ModelBundle bundle, int threads, int batch) throws Exception {
        ModelConfig config = bundle.manifest().modelConfig();
        int words = config.text().vocabularySize();
        text = new Feeds(ModelGraphs.textEncoder(config), batch, words, 7).tensors(OrtBench.ENV);
        stage1 = new Feeds(ModelGraphs.stage1(config), batch, words, 7).tensors(OrtBench.ENV);
        try {
            for (String graph : ModelGraphs.ALL) {
                // rewritten as the serving runtime loads them: the baseline is the services' graphs
                sessions.put(graph, OrtBench.session(AtanhRewrite.apply(Files.readAllBytes(
                        bundle.graphFile(graph))), threads));
            }
        } catch (Exception e) {
            close();
            throw e;
        }
    }

    /** Runs the chain; {@code image} sees Stage-II's output ([batch, 3, S, S], tanh) before it is released. */
    void run(InferenceBench.ImageUse image) throws OrtException {
        InferenceBench.ortChain(sessions, text, stage1.get(ModelGraphs.NOISE), image);
    }

    /** Stage-II's pictures ([N, 3, S, S], tanh) as interleaved 8-bit RGB, one array each, as the gateway gets them. */
    static List<byte[]> rgb(OnnxTensor images) {
        long[] shape = images.getInfo().getShape();
        int size = Math.toIntExact(shape[3]);
        FloatBuffer planes = images.getFloatBuffer(); // a copy of the whole batch: taken once
        List<byte[]> rgb = new ArrayList<>();
        for (int i = 0; i < shape[0]; i++) {
            rgb.add(PngEncoder.rgbFromTanh(planes, i * 3 * size * size, size, size));
        }
        return rgb;
    }

    /** Stage-II's pictures as the gateway sends them: 8-bit RGB, then PNGs from {@code encoder}. */
    static List<byte[]> pngs(OnnxTensor images, PngEncoder encoder) {
        int size = Math.toIntExact(images.getInfo().getShape()[3]);
        return rgb(images).stream().map(picture -> encoder.encode(picture, size, size)).toList();
    }

    /** Runs the text encoder's session alone. */
    void runTextEncoder() throws OrtException {
        OrtBench.run(sessions.get(ModelGraphs.TEXT_ENCODER), text);
    }

    @Override
    public void close() {
        for (OrtSession session : sessions.values()) {
            try {
                session.close();
            } catch (OrtException e) {
                // closing a session frees native memory; nothing to recover
            }
        }
        text.values().forEach(OnnxTensor::close);
        stage1.values().forEach(OnnxTensor::close);
    }
}
