package io.alertrelay.source.redis;

import io.alertrelay.spi.InboundMessage;
import io.alertrelay.spi.MessageHandler;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/** Records every message; tests wait for one matching a predicate. */
final class RecordingHandler implements MessageHandler {
    private final List<InboundMessage> messages = new CopyOnWriteArrayList<>();

    @Override
    public void onMessage(InboundMessage message) {
        messages.add(message);
    }

    List<InboundMessage> messages() {
        return List.copyOf(messages);
    }

    InboundMessage await(Predicate<InboundMessage> matching, Duration timeout) {
        InboundMessage[] found = new InboundMessage[1];
        Await.until("a message matching the expectation (got " + messages + ")", timeout, () -> {
            for (InboundMessage message : messages) {
                if (matching.test(message)) {
                    found[0] = message;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    InboundMessage awaitPayload(String payload, Duration timeout) {
        return await(message -> message.payload().equals(payload), timeout);
    }
}
