package dev.stackgan.networks.train;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Network weights on disk. Writes are atomic (temporary file, fsync, rename) so a crash never leaves a half-written
 * file under the final name.
 */
public final class NetworkFiles {

    private NetworkFiles() {
    }

    /** What a writer puts into the stream. */
    @FunctionalInterface
    public interface Writer {
        void write(DataOutputStream out) throws IOException;
    }

    public static void save(Block network, Path file) throws IOException {
        writeAtomically(file, network::saveParameters);
    }

    public static void load(Block network, NDManager manager, Path file) throws IOException {
        try (InputStream raw = Files.newInputStream(file);
             DataInputStream in = new DataInputStream(new BufferedInputStream(raw))) {
            network.loadParameters(manager, in);
        } catch (MalformedModelException e) {
            throw new IOException(file + ": not weights of this network: " + e.getMessage(), e);
        }
        // loaded arrays replace the initialized ones and come without gradient buffers
        for (Parameter parameter : network.getParameters().values()) {
            if (parameter.requiresGradient()) {
                parameter.getArray().setRequiresGradient(true);
            }
        }
    }

    /** Writes {@code file} through a temporary sibling, fsyncs it, then renames it into place. */
    public static void writeAtomically(Path file, Writer writer) throws IOException {
        Path directory = file.toAbsolutePath().getParent();
        Files.createDirectories(directory);
        Path temporary = Files.createTempFile(directory, "." + file.getFileName(), ".partial");
        try {
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE);
                 DataOutputStream out = new DataOutputStream(new BufferedOutputStream(
                         java.nio.channels.Channels.newOutputStream(channel)))) {
                writer.write(out);
                out.flush();
                channel.force(true);
            }
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }
}
