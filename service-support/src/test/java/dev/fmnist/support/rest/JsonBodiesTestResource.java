package dev.fmnist.support.rest;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/** A resource binding a nested JSON body, as the services' resources do, for {@link JsonBodiesTest}. */
@Path("/bodies")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class JsonBodiesTestResource {
    public record Item(String name) {
    }

    public record Order(Long version, List<Item> items) {
    }

    @POST
    public Order echo(Order body) {
        return body;
    }
}
