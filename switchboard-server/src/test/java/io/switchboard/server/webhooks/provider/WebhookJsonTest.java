package io.switchboard.server.webhooks.provider;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WebhookJsonTest {

    private static void assertMalformed(byte[] body) {
        assertThatThrownBy(() -> WebhookJson.object(body)).isInstanceOfSatisfying(WebhookRejectedException.class,
                e -> assertThat(e.reason()).isEqualTo(RejectionReason.MALFORMED_BODY));
    }

    @Test
    void hostileBodiesAreMalformedNotErrors() {
        assertMalformed(new byte[]{'{', '"', 'a', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'});
        assertMalformed(("[".repeat(WebhookJson.MAX_DEPTH + 1) + "]".repeat(WebhookJson.MAX_DEPTH + 1)).getBytes(StandardCharsets.UTF_8));
        assertMalformed(("{\"a\":".repeat(100_000) + "1" + "}".repeat(100_000)).getBytes(StandardCharsets.UTF_8));
        assertMalformed("{\"id\":\"evt_1\",\"id\":\"evt_2\"}".getBytes(StandardCharsets.UTF_8));
        assertMalformed("{\"id\":1} {\"id\":2}".getBytes(StandardCharsets.UTF_8));
        assertMalformed("[1,2]".getBytes(StandardCharsets.UTF_8));
        assertMalformed("".getBytes(StandardCharsets.UTF_8));
        assertMalformed("<xml/>".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void moderateNestingAndUnicodeAreFine() {
        String nested = "{\"a\":".repeat(20) + "\"ü€😀\"" + "}".repeat(20);
        assertThat(WebhookJson.object(nested.getBytes(StandardCharsets.UTF_8)).isObject()).isTrue();
    }
}
