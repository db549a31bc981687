package io.alertrelay.core;

/**
 * Redis-style glob matching ({@code *}, {@code ?}, {@code [abc]}, {@code [^a]}, {@code [a-z]}, {@code \} escapes), the
 * same syntax PSUBSCRIBE uses, so a route's channel pattern means what the subscription's pattern means.
 */
public final class Glob {
    private Glob() {}

    public static boolean matches(String pattern, String text) {
        return matches(pattern, 0, text, 0);
    }

    private static boolean matches(String p, int pi, String s, int si) {
        while (pi < p.length()) {
            char c = p.charAt(pi);
            switch (c) {
                case '*' -> {
                    while (pi + 1 < p.length() && p.charAt(pi + 1) == '*') {
                        pi++;
                    }
                    if (pi + 1 == p.length()) {
                        return true;
                    }
                    for (int k = si; k <= s.length(); k++) {
                        if (matches(p, pi + 1, s, k)) {
                            return true;
                        }
                    }
                    return false;
                }
                case '?' -> {
                    if (si >= s.length()) {
                        return false;
                    }
                    pi++;
                    si++;
                }
                case '[' -> {
                    if (si >= s.length()) {
                        return false;
                    }
                    int end = pi + 1;
                    boolean not = end < p.length() && p.charAt(end) == '^';
                    if (not) {
                        end++;
                    }
                    boolean match = false;
                    char target = s.charAt(si);
                    while (end < p.length() && p.charAt(end) != ']') {
                        if (p.charAt(end) == '\\' && end + 1 < p.length()) {
                            end++;
                            match |= p.charAt(end) == target;
                        } else if (end + 2 < p.length() && p.charAt(end + 1) == '-' && p.charAt(end + 2) != ']') {
                            char low = p.charAt(end);
                            char high = p.charAt(end + 2);
                            if (low > high) {
                                char swap = low;
                                low = high;
                                high = swap;
                            }
                            match |= target >= low && target <= high;
                            end += 2;
                        } else {
                            match |= p.charAt(end) == target;
                        }
                        end++;
                    }
                    if (not) {
                        match = !match;
                    }
                    if (!match) {
                        return false;
                    }
                    pi = Math.min(end + 1, p.length());
                    si++;
                }
                case '\\' -> {
                    if (pi + 1 < p.length()) {
                        pi++;
                    }
                    if (si >= s.length() || p.charAt(pi) != s.charAt(si)) {
                        return false;
                    }
                    pi++;
                    si++;
                }
                default -> {
                    if (si >= s.length() || c != s.charAt(si)) {
                        return false;
                    }
                    pi++;
                    si++;
                }
            }
        }
        return si == s.length();
    }
}
