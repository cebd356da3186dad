package dev.stackgan.datasets;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/** The index files of {@code CUB_200_2011/} joined per image; lines are checked, files must all exist. */
final class CubIndex {

    /** One image as the index describes it; {@code box} or {@code classId} may be absent (null / 0). */
    record Entry(int imageId, String imagePath, int classId, Boolean cubTrain, BoundingBox box) {
        boolean complete() {
            return classId > 0 && cubTrain != null && box != null;
        }
    }

    private final List<Entry> entries;
    private final Map<Integer, String> classNames;

    private CubIndex(List<Entry> entries, Map<Integer, String> classNames) {
        this.entries = entries;
        this.classNames = classNames;
    }

    List<Entry> entries() {
        return entries;
    }

    /** Class id to CUB folder name, e.g. 1 to "001.Black_footed_Albatross". */
    Map<Integer, String> classNames() {
        return classNames;
    }

    /** {@code cubRoot} itself or its {@code CUB_200_2011/} child, whichever holds {@code images.txt}. */
    static Path resolveRoot(Path cubRoot) {
        Path nested = cubRoot.resolve(CubLayout.ROOT);
        return !Files.exists(cubRoot.resolve(CubLayout.IMAGES_FILE)) && Files.isDirectory(nested) ? nested : cubRoot;
    }

    static CubIndex read(Path root) {
        requireDirectory(root);
        requireDirectory(root.resolve(CubLayout.IMAGES_DIR));
        List<Integer> order = new ArrayList<>();
        Map<Integer, String> paths = new HashMap<>();
        readLines(root.resolve(CubLayout.IMAGES_FILE), 2, (id, f) -> {
            paths.put(id, f[1]);
            order.add(id);
        });
        Map<Integer, BoundingBox> boxes = new HashMap<>();
        readLines(root.resolve(CubLayout.BOXES_FILE), 5, (id, f) -> boxes.put(id, new BoundingBox(
                Double.parseDouble(f[1]), Double.parseDouble(f[2]), Double.parseDouble(f[3]),
                Double.parseDouble(f[4]))));
        Map<Integer, Integer> classes = new HashMap<>();
        readLines(root.resolve(CubLayout.LABELS_FILE), 2, (id, f) -> classes.put(id, Integer.parseInt(f[1])));
        Map<Integer, Boolean> train = new HashMap<>();
        readLines(root.resolve(CubLayout.SPLIT_FILE), 2, (id, f) -> train.put(id, "1".equals(f[1])));
        Map<Integer, String> classNames = new HashMap<>();
        readLines(root.resolve(CubLayout.CLASSES_FILE), 2, (id, f) -> classNames.put(id, f[1]));

        List<Entry> entries = new ArrayList<>();
        for (int id : order) {
            entries.add(new Entry(id, paths.get(id), classes.getOrDefault(id, 0), train.get(id), boxes.get(id)));
        }
        return new CubIndex(List.copyOf(entries), Map.copyOf(classNames));
    }

    static void requireDirectory(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new DataLayoutException(dir, Files.exists(dir) ? "not a folder" : "missing folder");
        }
    }

    /** Calls {@code line} with the id and whitespace-separated fields of every non-blank line. */
    private static void readLines(Path file, int fields, BiConsumer<Integer, String[]> line) {
        if (!Files.isRegularFile(file)) {
            throw new DataLayoutException(file, "missing CUB index file");
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new DataLayoutException(file, "cannot read CUB index file: " + e, e);
        }
        for (int i = 0; i < lines.size(); i++) {
            String text = lines.get(i).strip();
            if (text.isEmpty()) {
                continue;
            }
            String[] f = text.split("\\s+", fields);
            try {
                if (f.length < fields) {
                    throw new IllegalArgumentException("expected " + fields + " fields");
                }
                line.accept(Integer.parseInt(f[0]), f);
            } catch (IllegalArgumentException e) {
                throw new DataLayoutException(file, "line " + (i + 1) + " is malformed (" + e.getMessage() + "): "
                        + text, e);
            }
        }
    }
}
