package dev.stackgan.serving;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.stackgan.proto.v1.Condition;
import dev.stackgan.proto.v1.Tensor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class SeedsAndTensorsTest {

    @Test
    void sameSeedSameNoiseAndStreamsDoNotOverlap() {
        Seeds.Noise a = Seeds.noise(42, 8, 6);
        Seeds.Noise b = Seeds.noise(42, 8, 6);
        assertArrayEquals(a.z(), b.z());
        assertArrayEquals(a.stage2CaEpsilon(), b.stage2CaEpsilon());
        assertFalse(Arrays.equals(a.stage1CaEpsilon(), a.stage2CaEpsilon()));
        assertFalse(Arrays.equals(a.z(), Seeds.noise(43, 8, 6).z()));
        // documented order: z follows the two CA epsilons of the same Random(seed) stream
        java.util.Random random = new java.util.Random(42);
        for (int i = 0; i < 16; i++) {
            random.nextGaussian();
        }
        assertEquals((float) random.nextGaussian(), a.z()[0]);
    }

    @Test
    void seedRangeIsChecked() {
        Seeds.requireRange("seed", Seeds.MAX_SEED, 1);
        Seeds.requireRange("seed", 0, 1);
        assertInvalid(() -> Seeds.requireRange("seed", Seeds.MAX_SEED, 2), "seed is 281474976710655");
        assertInvalid(() -> Seeds.requireRange("seed", -1, 1), "seed is 18446744073709551615");
        assertInvalid(() -> Seeds.requireRange("seed", 1L << 48, 1), "2^48 - 1");
        long random = Seeds.randomFirstSeed(8);
        Seeds.requireRange("seed", random, 8);
    }

    @Test
    void conditionsBecomeOneTensorRowByRow() {
        Condition first = Condition.newBuilder().addC(1).addC(2).addC(3).build();
        Condition second = Condition.newBuilder().addC(4).addC(5).addC(6).build();
        Tensor tensor = Tensors.conditions(List.of(first, second));
        assertEquals(List.of(2L, 3L), tensor.getShapeList());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, Tensors.values(tensor));
    }

    @Test
    void tensorRoundTripAndValidation() {
        long[] row = {2, 3};
        float[] values = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
        Tensor tensor = Tensors.write(new long[] {2, 2, 3}, values);
        assertArrayEquals(values, Tensors.read("x", tensor, row, 4));
        assertEquals(1f, java.nio.ByteBuffer.wrap(tensor.getData().toByteArray())
                .order(java.nio.ByteOrder.LITTLE_ENDIAN).getFloat(0));

        assertInvalid(() -> Tensors.read("x", Tensor.getDefaultInstance(), row, 4), "x is missing");
        assertInvalid(() -> Tensors.read("x", Tensors.write(new long[] {2, 6}, values), row, 4),
                "x.shape is [2, 6], expected [N, 2, 3] with 1 <= N <= 4");
        assertInvalid(() -> Tensors.read("x", Tensors.write(new long[] {2, 3, 2}, values), row, 4),
                "x.shape is [2, 3, 2]");
        assertInvalid(() -> Tensors.read("x", Tensors.write(new long[] {2, 2, 3}, values), row, 1),
                "x.shape[0] (batch) is 2, must be 1 to 1");
        assertInvalid(() -> Tensors.read("x", tensor.toBuilder().setData(ByteString.copyFrom(new byte[47])).build(),
                row, 4), "x.data has 47 bytes, shape [2, 2, 3] needs 48");
        float[] nan = values.clone();
        nan[3] = Float.NaN;
        assertInvalid(() -> Tensors.read("x", Tensors.write(new long[] {2, 2, 3}, nan), row, 4),
                "x.data holds NaN at element 3");
        nan[3] = Float.NEGATIVE_INFINITY;
        assertInvalid(() -> Tensors.read("x", Tensors.write(new long[] {2, 2, 3}, nan), row, 4), "-Infinity");
    }

    static void assertInvalid(Runnable call, String messagePart) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call::run);
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains(messagePart), e.getStatus().getDescription());
    }
}
