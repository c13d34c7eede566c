package dev.fmnist.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metric names a Grafana dashboard queries: every PromQL expression of every panel (rows included)
 * and of the templating variables, reduced to its series names. Meant for a check against a running
 * service's /q/metrics: {@code DashboardMetrics.names(Path.of("monitoring/grafana/dashboards/fmnist-pipeline.json"))}.
 */
public final class DashboardMetrics {
    private static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left",
            "group_right", "and", "or", "unless", "bool", "offset", "inf", "nan");
    private static final Pattern STRINGS = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`");
    private static final Pattern MATCHERS = Pattern.compile("\\{[^{}]*}");
    private static final Pattern RANGES = Pattern.compile("\\[[^\\]]*]");
    private static final Pattern GROUPING = Pattern.compile(
            "\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^()]*\\)");
    private static final Pattern VARIABLES = Pattern.compile("\\$\\{[^}]*}|\\$\\w+");
    private static final Pattern IDENTIFIER = Pattern.compile("(?<![\\w.:])([a-zA-Z_:][a-zA-Z0-9_:]*)(\\s*\\()?");

    private DashboardMetrics() {
    }

    /** Sorted metric names of all expressions of the dashboard file. */
    public static Set<String> names(Path dashboard) {
        Set<String> names = new TreeSet<>();
        for (String expr : expressions(Repo.json(dashboard))) {
            names.addAll(namesIn(expr));
        }
        return names;
    }

    /** All PromQL expressions of a dashboard: panel targets (nested panels too) and query variables. */
    public static List<String> expressions(JsonNode dashboard) {
        List<String> out = new ArrayList<>();
        collectPanels(dashboard.path("panels"), out);
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            if (variable.path("type").asText().equals("query")) {
                JsonNode query = variable.path("query");
                String text = query.isObject() ? query.path("query").asText() : query.asText();
                Matcher values = Pattern.compile("label_values\\((.*),\\s*\\w+\\)$").matcher(text.trim());
                if (values.find()) {
                    out.add(values.group(1));
                } else if (!text.isBlank()) {
                    out.add(text);
                }
            }
        }
        return out;
    }

    private static void collectPanels(JsonNode panels, List<String> out) {
        for (JsonNode panel : panels) {
            for (JsonNode target : panel.path("targets")) {
                String expr = target.path("expr").asText("");
                if (!expr.isBlank()) {
                    out.add(expr);
                }
            }
            collectPanels(panel.path("panels"), out);
        }
    }

    /** Series names in one PromQL expression (function names, keywords, labels and durations removed). */
    public static Set<String> namesIn(String expr) {
        String s = STRINGS.matcher(expr).replaceAll(" ");
        s = VARIABLES.matcher(s).replaceAll(" ");
        s = MATCHERS.matcher(s).replaceAll(" ");
        s = RANGES.matcher(s).replaceAll(" ");
        s = GROUPING.matcher(s).replaceAll(" ");
        Set<String> names = new TreeSet<>();
        Matcher m = IDENTIFIER.matcher(s);
        while (m.find()) {
            String word = m.group(1);
            boolean isCall = m.group(2) != null;
            if (!isCall && !KEYWORDS.contains(word.toLowerCase(java.util.Locale.ROOT))) {
                names.add(word);
            }
        }
        return names;
    }
}
