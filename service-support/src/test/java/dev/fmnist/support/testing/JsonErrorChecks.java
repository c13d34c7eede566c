package dev.fmnist.support.testing;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.restassured.RestAssured;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

/**
 * The check every service's integration test makes against its running app (RestAssured pointed at it):
 * never an HTML page; an unknown path, in JAX-RS or outside it, and a wrong method answer the one JSON
 * error body. Shipped to the services in this module's test jar (only this package).
 */
public final class JsonErrorChecks {
    private JsonErrorChecks() {
    }

    /** @param wrongMethod a method {@code path} does not take, e.g. PUT on a GET/POST resource */
    public static void unknownPathsAndWrongMethodAnswerJson(String wrongMethod, String path) {
        for (String unknown : List.of("/nope", "/q/nope", "/api/v1/nope")) {
            given().accept("text/html").get(unknown).then().statusCode(404).contentType("application/json")
                    .body("error", containsString(unknown));
        }
        given().accept("text/html").request(wrongMethod, path).then().statusCode(405).contentType("application/json")
                .body("error", containsString(wrongMethod + " is not allowed on " + path));
    }

    /**
     * A request whose headers exceed the header limit every service shares ({@code quarkus.http.limits.max-header-size},
     * set in service-support's {@code META-INF/microprofile-config.properties}), here a 1 MiB bearer token, is
     * answered 431 Request Header Fields Too Large, a status the client reads; a token well within the limit is not.
     */
    public static void oversizedHeadersAnswer431(String path) throws IOException, InterruptedException {
        URI uri = URI.create(RestAssured.baseURI + ":" + RestAssured.port + path);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<String> over = client.send(HttpRequest.newBuilder(uri)
                .header("Authorization", "Bearer " + "a".repeat(1 << 20)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(431, over.statusCode(), over.body());
        HttpResponse<String> within = client.send(HttpRequest.newBuilder(uri)
                .header("Authorization", "Bearer " + "a".repeat(8 << 10)).build(), HttpResponse.BodyHandlers.ofString());
        assertNotEquals(431, within.statusCode(), within.body());
    }
}
