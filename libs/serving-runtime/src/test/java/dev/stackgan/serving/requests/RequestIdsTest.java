package dev.stackgan.serving.requests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.UUID;
import org.junit.jupiter.api.Test;

class RequestIdsTest {

    private static final String RULE = "x-request-id must be 1 to 128 characters, each a letter, a digit or one of "
            + "- _ . : / + =";

    @Test
    void keepsCommonIdShapes() {
        for (String id : new String[] {"0f8fad5b-d9cb-469f-a165-70867728950e", "01ARZ3NDEKTSV4RRFFQ69G5FAV",
                "dGhpcyBpcyBiYXNlNjQ=", "svc:42/a_b.c+d", "a".repeat(128)}) {
            assertNull(RequestIds.problem(id), id);
        }
        String created = RequestIds.create();
        assertNull(RequestIds.problem(created));
        assertNotEquals(created, RequestIds.create());
    }

    @Test
    void createsRandomVersion4Uuids() {
        for (int i = 0; i < 1000; i++) {
            UUID id = UUID.fromString(RequestIds.create());
            assertEquals(4, id.version());
            assertEquals(2, id.variant()); // RFC 4122
        }
    }

    @Test
    void namesTheLimitWithoutRepeatingTheId() {
        assertEquals(RULE + "; it has 0", RequestIds.problem(""));
        assertEquals(RULE + "; it has 129", RequestIds.problem("a".repeat(129)));
        assertEquals(RULE + "; character 2 is not", RequestIds.problem("a b"));
        assertEquals(RULE + "; character 4 is not", RequestIds.problem("abc\nINFO forged line"));
        assertEquals(RULE + "; character 1 is not", RequestIds.problem("é"));
        // a digit, but not an ASCII one
        assertEquals(RULE + "; character 3 is not", RequestIds.problem("ab\u0663"));
    }
}
