package dev.sockit.cli.bench;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class ReplyCheckerTest {

    private static ByteBuffer direct(String text) {
        byte[] bytes = text.getBytes(UTF_8);
        return ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
    }

    /** The first {@code count} request lines of {@code pattern}, as an echo server returns them. */
    private static String lines(LinePattern pattern, int count) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < count; i++) {
            ByteBuffer line = ByteBuffer.allocate(pattern.length());
            pattern.copyTo(i, 0, pattern.length(), line);
            b.append(new String(line.array(), UTF_8));
        }
        return b.toString();
    }

    @Test
    void acceptsEchoedLinesThatArriveInOneRead() {
        LinePattern pattern = LinePattern.requests(10);
        ReplyChecker checker = new ReplyChecker(pattern);

        int completed = checker.consume(direct(lines(pattern, 40)));

        assertThat(completed).isEqualTo(40);
        assertThat(checker.badReplies()).isZero();
    }

    @Test
    void acceptsEchoedLinesThatArriveOneByteAtATime() {
        LinePattern pattern = LinePattern.requests(5);
        ReplyChecker checker = new ReplyChecker(pattern);
        String stream = lines(pattern, 20);

        int completed = 0;
        for (int i = 0; i < stream.length(); i++) {
            completed += checker.consume(direct(stream.substring(i, i + 1)));
        }

        assertThat(completed).isEqualTo(20);
        assertThat(checker.badReplies()).isZero();
    }

    @Test
    void catchesAnEchoServerThatRepeatsALine() {
        LinePattern pattern = LinePattern.requests(8);
        ReplyChecker checker = new ReplyChecker(pattern);
        String first = lines(pattern, 1);

        int completed = checker.consume(direct(first + first));

        assertThat(completed).isEqualTo(2);
        assertThat(checker.badReplies()).isEqualTo(1);
    }

    @Test
    void countsAShortWrongAckReplyAsBadAndKeepsCheckingTheNext() {
        ReplyChecker checker = new ReplyChecker(LinePattern.fixed("server received your message."));

        int completed = checker.consume(direct("ok\nserver received your message.\n"));

        assertThat(completed).isEqualTo(2);
        assertThat(checker.badReplies()).isEqualTo(1);
        assertThat(checker.firstFailure())
                .isEqualTo("reply 1 differs at byte 0: expected \"server received your message.\" but got \"ok\"");
    }

    @Test
    void countsAReplyThatRunsPastTheExpectedEndAsBad() {
        ReplyChecker checker = new ReplyChecker(LinePattern.fixed("ok"));

        int completed = checker.consume(direct("okay\nok\n"));

        assertThat(completed).isEqualTo(2);
        assertThat(checker.badReplies()).isEqualTo(1);
        assertThat(checker.firstFailure()).contains("differs at byte 2").contains("got \"okay\"");
    }

    @Test
    void countsACarriageReturnBeforeTheNewlineAsBad() {
        ReplyChecker checker = new ReplyChecker(LinePattern.fixed("ok"));

        checker.consume(direct("ok\r\n"));

        assertThat(checker.badReplies()).isEqualTo(1);
    }

    @Test
    void keepsAPartialReplyPendingUntilItsNewlineArrives() {
        ReplyChecker checker = new ReplyChecker(LinePattern.fixed("hello"));

        assertThat(checker.consume(direct("hel"))).isZero();
        assertThat(checker.consume(direct("lo"))).isZero();
        assertThat(checker.consume(direct("\nhe"))).isEqualTo(1);
        assertThat(checker.badReplies()).isZero();
    }

    @Test
    void acceptsEmptyLinesWhenTheSizeIsZero() {
        ReplyChecker checker = new ReplyChecker(LinePattern.requests(0));

        assertThat(checker.consume(direct("\n\n\n"))).isEqualTo(3);
        assertThat(checker.badReplies()).isZero();
    }
}
