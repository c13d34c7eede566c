package dev.fmnist.support.openapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.List;
import java.util.Set;

import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;
import org.junit.jupiter.api.Test;

class ErrorResponsesFilterTest {

    private final ErrorResponsesFilter filter = new ErrorResponsesFilter();

    @Test
    void aCredentialedUploadGetsEveryErrorAndKeepsItsOwnResponses() {
        APIResponse ok = OASFactory.createAPIResponse().description("accepted");
        APIResponse ownBadRequest = OASFactory.createAPIResponse().description("not a PNG");
        Operation upload = OASFactory.createOperation()
                .requestBody(OASFactory.createRequestBody())
                .responses(OASFactory.createAPIResponses()
                        .addAPIResponse("202", ok)
                        .addAPIResponse("400", ownBadRequest));
        OpenAPI document = document("/api/v1/images", OASFactory.createPathItem().POST(upload));

        filter.filterOpenAPI(document);

        assertEquals(Set.of("202", "400", "401", "403", "406", "413", "415", "500", "503"),
                upload.getResponses().getAPIResponses().keySet());
        assertSame(ok, upload.getResponses().getAPIResponse("202"));
        assertSame(ownBadRequest, upload.getResponses().getAPIResponse("400"));
        APIResponse busy = upload.getResponses().getAPIResponse("503");
        assertEquals("#/components/schemas/Error",
                busy.getContent().getMediaType("application/json").getSchema().getRef());
        assertNotNull(busy.getHeaders().get("Retry-After"));
        assertNotNull(document.getComponents().getSecuritySchemes().get(ErrorResponsesFilter.BEARER_SCHEME));
        assertEquals(List.of(List.of()), upload.getSecurity().stream()
                .map(r -> r.getScheme(ErrorResponsesFilter.BEARER_SCHEME)).toList());
    }

    @Test
    void aPublicReadWithAPathParameterGetsOnlyWhatCanHappen() {
        Operation read = OASFactory.createOperation()
                .addParameter(OASFactory.createParameter().name("name").in(
                        org.eclipse.microprofile.openapi.models.parameters.Parameter.In.PATH));
        OpenAPI document = document("/v2/models/{name}", OASFactory.createPathItem().GET(read));

        filter.filterOpenAPI(document);

        assertEquals(Set.of("400", "404", "406", "500"), read.getResponses().getAPIResponses().keySet());
        assertEquals(List.of(), read.getSecurity());
        assertEquals(null, document.getComponents().getSecuritySchemes(), "no operation uses the bearer scheme");
    }

    @Test
    void theErrorSchemaIsOneRequiredStringField() {
        Operation classify = OASFactory.createOperation().requestBody(OASFactory.createRequestBody());
        OpenAPI document = document("/api/v1/classify", OASFactory.createPathItem().POST(classify));

        filter.filterOpenAPI(document);

        Schema error = document.getComponents().getSchemas().get(ErrorResponsesFilter.ERROR_SCHEMA);
        assertEquals(List.of(Schema.SchemaType.OBJECT), error.getType());
        assertEquals(List.of("error"), error.getRequired());
        assertEquals(List.of(Schema.SchemaType.STRING), error.getProperties().get("error").getType());
        assertEquals(Set.of("400", "406", "413", "415", "500", "503"),
                classify.getResponses().getAPIResponses().keySet());
    }

    private static OpenAPI document(String path, org.eclipse.microprofile.openapi.models.PathItem item) {
        return OASFactory.createOpenAPI().paths(OASFactory.createPaths().addPathItem(path, item));
    }
}
