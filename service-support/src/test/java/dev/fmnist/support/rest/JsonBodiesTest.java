package dev.fmnist.support.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/** A JSON body bound by Quarkus REST refuses an unknown field with a 400 naming it, at any depth. */
@QuarkusTest
class JsonBodiesTest {
    @Test
    void aKnownBodyIsBound() {
        given().contentType("application/json").body("{\"version\": 3, \"items\": [{\"name\": \"a\"}]}")
                .post("/test/bodies").then().statusCode(200).body("version", equalTo(3)).body("items[0].name", equalTo("a"));
    }

    @Test
    void anUnknownFieldIsA400NamingIt() {
        given().contentType("application/json").body("{\"versoin\": 3}").post("/test/bodies").then().statusCode(400)
                .contentType("application/json").body("error", equalTo("unknown field 'versoin' (allowed: items, version)"));
        given().contentType("application/json").body("{\"items\": [{\"name\": \"a\"}, {\"nmae\": \"b\"}]}")
                .post("/test/bodies").then().statusCode(400)
                .body("error", equalTo("unknown field 'items[1].nmae' (allowed: name)"));
    }

    @Test
    void aFractionIsNoWholeNumberAndNothingMayFollowTheBody() {
        given().contentType("application/json").body("{\"version\": 2.5}").post("/test/bodies").then().statusCode(400);
        given().contentType("application/json").body("{\"version\": 2} {}").post("/test/bodies").then().statusCode(400);
    }
}
