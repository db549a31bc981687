package io.alertrelay.watchdog;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Locale;

/**
 * A relay instance id for canaries and health alerts: {@code <host>-<pid>-<6 hex>}. The random part keeps a restarted
 * relay from taking an earlier run's canaries for its own; the host comes from {@code HOSTNAME} (no DNS lookup).
 */
public final class RelayInstanceId {
    private static final SecureRandom RANDOM = new SecureRandom();

    private RelayInstanceId() {}

    public static String generate() {
        String host = System.getenv("HOSTNAME");
        if (host == null || host.isBlank()) {
            host = "relay";
        }
        byte[] random = new byte[3];
        RANDOM.nextBytes(random);
        return host.trim().toLowerCase(Locale.ROOT) + "-" + ProcessHandle.current().pid() + "-"
                + HexFormat.of().formatHex(random);
    }
}
