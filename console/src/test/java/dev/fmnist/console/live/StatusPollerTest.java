package dev.fmnist.console.live;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StatusPollerTest {
    @Test
    @SuppressWarnings("unchecked")
    void readsTheOnlineAccuracySeriesOfAPrometheusPage() {
        String page = """
                # HELP fmnist_inference_accuracy_online Online accuracy of the live version
                # TYPE fmnist_inference_accuracy_online gauge
                fmnist_inference_accuracy_online 0.75
                fmnist_inference_accuracy_correct_total{model_version="3"} 3.0
                fmnist_inference_accuracy_labelled_total{model_version="3"} 4.0
                fmnist_inference_accuracy_correct_total{model_version="12"} 0.0
                fmnist_inference_accuracy_labelled_total{model_version="12"} 0.0
                fmnist_inference_requests_total{content_type="png",outcome="ok"} 9.0
                """;
        Map<String, Object> view = StatusPoller.parseOnlineAccuracy(page);
        assertEquals(0.75, view.get("accuracy"));
        List<Map<String, Object>> versions = (List<Map<String, Object>>) view.get("versions");
        assertEquals(2, versions.size());
        assertEquals(3L, versions.get(0).get("version"));
        assertEquals(3L, versions.get(0).get("correct"));
        assertEquals(4L, versions.get(0).get("labelled"));
        assertEquals(0.75, versions.get(0).get("accuracy"));
        assertEquals(12L, versions.get(1).get("version"));
        assertNull(versions.get(1).get("accuracy"), "no labelled request: no accuracy");
    }

    @Test
    void aNaNGaugeIsNoAccuracy() {
        assertNull(StatusPoller.parseOnlineAccuracy("fmnist_inference_accuracy_online NaN\n").get("accuracy"));
    }
}
