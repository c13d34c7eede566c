package dev.fmnist.support.testing;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;

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
}
