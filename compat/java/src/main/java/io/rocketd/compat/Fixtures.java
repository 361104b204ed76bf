package io.rocketd.compat;

import com.alibaba.fastjson.JSON;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Small shared helpers for the fixture writers: files, TSV cells, hex. */
final class Fixtures {
    private Fixtures() {
    }

    static void write(Path file, byte[] data) throws IOException {
        Files.createDirectories(file.getParent());
        Files.write(file, data);
    }

    /** A TSV cell: null becomes "-", and tab, newline, CR and backslash are escaped C-style. */
    static String cell(Object v) {
        if (v == null) {
            return "-";
        }
        String s = v.toString();
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '\\': b.append("\\\\"); break;
                case '\t': b.append("\\t"); break;
                case '\n': b.append("\\n"); break;
                case '\r': b.append("\\r"); break;
                default:
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
            }
        }
        return b.length() == 0 ? "\"\"" : b.toString();
    }

    /** extFields as compact JSON with sorted keys (a readable view; the raw order is in the .bin). */
    static String sortedJson(Map<String, String> m) {
        if (m == null) {
            return null;
        }
        return JSON.toJSONString(new TreeMap<>(m));
    }

    static String hex(byte[] b) {
        StringBuilder s = new StringBuilder(b.length * 2);
        for (byte x : b) {
            s.append(String.format("%02x", x & 0xff));
        }
        return s.toString();
    }

    /** Body shown as text when it is printable UTF-8, else as hex:... */
    static String bodyCell(byte[] body) {
        if (body == null) {
            return null;
        }
        String s = new String(body, StandardCharsets.UTF_8);
        if (java.util.Arrays.equals(s.getBytes(StandardCharsets.UTF_8), body)) {
            return s;
        }
        return "hex:" + hex(body);
    }

    /** Collects rows and writes them as a TSV with a header line. */
    static final class Tsv {
        private final List<String> lines = new ArrayList<>();

        Tsv(String... columns) {
            lines.add(String.join("\t", columns));
        }

        void row(Object... cells) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < cells.length; i++) {
                if (i > 0) {
                    b.append('\t');
                }
                b.append(cell(cells[i]));
            }
            lines.add(b.toString());
        }

        void writeTo(Path file) throws IOException {
            Files.createDirectories(file.getParent());
            try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8); PrintWriter p = new PrintWriter(w)) {
                for (String l : lines) {
                    p.print(l);
                    p.print('\n');
                }
            }
        }
    }
}
