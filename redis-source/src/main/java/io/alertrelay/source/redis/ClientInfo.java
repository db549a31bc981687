package io.alertrelay.source.redis;

import java.util.Optional;

/** Reads a {@code CLIENT INFO} line ({@code id=7 addr=... name=alert-relay ... sub=1 psub=1 ssub=0 ...}). */
final class ClientInfo {
    private ClientInfo() {}

    /** {@code [sub, psub]}, or empty when either field is missing or not a number. */
    static Optional<long[]> subscriptionCounts(String info) {
        Optional<Long> sub = field(info, "sub");
        Optional<Long> psub = field(info, "psub");
        if (sub.isEmpty() || psub.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new long[] {sub.get(), psub.get()});
    }

    static Optional<Long> field(String info, String name) {
        if (info == null) {
            return Optional.empty();
        }
        for (String token : info.trim().split("\\s+")) {
            if (token.startsWith(name + "=")) {
                try {
                    return Optional.of(Long.parseLong(token.substring(name.length() + 1)));
                } catch (NumberFormatException e) {
                    return Optional.empty();
                }
            }
        }
        return Optional.empty();
    }
}
