package io.alertrelay.sink.email;

/**
 * Makes event data safe for a mail header value: no line breaks, so no forged headers (CVE-2017-9801, jakartaee/mail-api#222).
 *
 * <p>Every run of forbidden characters becomes one space: C0 controls (CR, LF, TAB, NUL...), DEL, C1 controls (NEL
 * U+0085 among them), U+2028 LINE SEPARATOR and U+2029 PARAGRAPH SEPARATOR. Unpaired surrogates become U+FFFD. The result
 * is trimmed and cut to a maximum length at a code point boundary. Non-ASCII text is then RFC 2047-encoded by Jakarta Mail
 * ({@code mail.mime.allowutf8=false}), so no character can reach the wire as a raw CR or LF byte (CVE-2025-7962).
 */
final class HeaderText {
    private HeaderText() {}

    /** A line break or control character, in a header value or a configured single-line value. */
    static boolean isForbidden(char ch) {
        return ch < 0x20 || (ch >= 0x7f && ch <= 0x9f) || ch == '\u2028' || ch == '\u2029';
    }

    /** {@code text} on one line, at most {@code maxCodePoints} code points long (an ellipsis marks a cut). */
    static String oneLine(String text, int maxCodePoints) {
        StringBuilder out = new StringBuilder(Math.min(text.length(), maxCodePoints) + 1);
        boolean pendingSpace = false;
        int codePoints = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            int width = Character.charCount(cp);
            i += width;
            if (cp <= 0xffff && isForbidden((char) cp)) {
                pendingSpace = true;
                continue;
            }
            if (Character.isSurrogate((char) cp) && width == 1) {
                cp = 0xfffd; // an unpaired surrogate cannot be encoded
            }
            if (pendingSpace) {
                if (out.length() > 0) {
                    out.append(' ');
                    codePoints++;
                }
                pendingSpace = false;
            }
            if (codePoints >= maxCodePoints) {
                return out.toString().strip() + "\u2026";
            }
            out.appendCodePoint(cp);
            codePoints++;
        }
        return out.toString().strip();
    }
}
