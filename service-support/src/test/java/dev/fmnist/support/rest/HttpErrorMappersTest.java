package dev.fmnist.support.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import dev.fmnist.support.testing.JsonErrorChecks;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/** The one JSON error body for what every service has alike, in a Quarkus app of this module alone. */
@QuarkusTest
class HttpErrorMappersTest {
    /** Quarkus REST answers below its root ({@code quarkus.rest.path=/test} here); Vert.x (UnmatchedRoutes) outside it. */
    @Test
    void anUnknownPathIsAJson404InsideAndOutsideJaxRs() {
        for (String path : new String[] {"/nope", "/q/nope", "/api/v1/nope", "/test/nope", "/test/errors/nope"}) {
            given().accept("text/html").get(path).then().statusCode(404).contentType("application/json")
                    .body("error", containsString(path));
        }
    }

    @Test
    void aWrongMethodIsAJson405() {
        given().delete("/test/errors").then().statusCode(405).contentType("application/json")
                .body("error", containsString("DELETE is not allowed on /test/errors"));
    }

    @Test
    void aBadFlagIsA400WithTheReason() {
        given().queryParam("on", "yes").get("/test/errors").then().statusCode(400).contentType("application/json")
                .body("error", equalTo("on must be true or false, got 'yes'"));
        given().queryParam("on", "TRUE").get("/test/errors").then().statusCode(200).body("on", equalTo(true));
    }

    @Test
    void otherHttpErrorsKeepTheirStatusAndRetryAfter() {
        given().post("/test/errors/unavailable").then().statusCode(503).contentType("application/json")
                .header("Retry-After", "7").body("error", containsString("Service Unavailable"));
        given().contentType("text/plain").body("x").put("/test/errors").then().statusCode(405)
                .contentType("application/json");
    }

    @Test
    void theUnexpectedIsA500WithoutDetails() {
        given().post("/test/errors/boom").then().statusCode(500).contentType("application/json")
                .body("error", equalTo("internal error: IllegalStateException"))
                .body("error", not(containsString("secret")));
    }

    @Test
    void oversizedHeadersAre431NotADroppedConnection() throws Exception {
        JsonErrorChecks.oversizedHeadersAnswer431("/test/errors");
    }
}
