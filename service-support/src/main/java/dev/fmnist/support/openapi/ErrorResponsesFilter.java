package dev.fmnist.support.openapi;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.Components;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;
import org.eclipse.microprofile.openapi.models.responses.APIResponses;
import org.eclipse.microprofile.openapi.models.security.SecurityScheme;

/**
 * Declares, on every operation of a service's OpenAPI document, the error responses the services
 * answer, all with the one error body {@code {"error": "reason"}} (component schema {@value #ERROR_SCHEMA}).
 * The policy of which status applies where lives here only; a response an operation already declares is
 * kept as it is. Operations that need a credential declare the bearer scheme; the others declare none.
 * Registered per service with {@code mp.openapi.filter=dev.fmnist.support.openapi.ErrorResponsesFilter}.
 */
public class ErrorResponsesFilter implements OASFilter {

    /** Name of the error body schema under {@code components.schemas}. */
    public static final String ERROR_SCHEMA = "Error";

    /** Name of the bearer-token security scheme under {@code components.securitySchemes}. */
    public static final String BEARER_SCHEME = "bearer";

    /**
     * Paths whose mutating operations need a credential (training control, model versions, uploads, publishing);
     * {@code /api/...} without {@code v1} are the console's actions, which forward the caller's bearer token.
     */
    private static final Pattern CREDENTIAL_PATHS = Pattern.compile(
            "^/api(/v1)?/(training(/.*)?|model/(pin|unpin|rollback|versions)(/.*)?|images.*|datasets/[^/]+/publish)$");

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        if (openAPI.getComponents() == null) {
            openAPI.setComponents(OASFactory.createComponents());
        }
        Components components = openAPI.getComponents();
        if (components.getSchemas() == null || !components.getSchemas().containsKey(ERROR_SCHEMA)) {
            components.addSchema(ERROR_SCHEMA, errorSchema());
        }
        if (openAPI.getPaths() == null || openAPI.getPaths().getPathItems() == null) {
            return;
        }
        boolean anyCredential = false;
        for (Map.Entry<String, PathItem> item : openAPI.getPaths().getPathItems().entrySet()) {
            for (Map.Entry<PathItem.HttpMethod, Operation> operation : item.getValue().getOperations().entrySet()) {
                anyCredential |= declareErrors(item.getKey(), operation.getKey(), operation.getValue());
            }
        }
        // declared only when an operation uses it, so a document has no unused component
        if (anyCredential && (components.getSecuritySchemes() == null
                || !components.getSecuritySchemes().containsKey(BEARER_SCHEME))) {
            components.addSecurityScheme(BEARER_SCHEME, OASFactory.createSecurityScheme()
                    .type(SecurityScheme.Type.HTTP).scheme("bearer")
                    .description("Authorization: Bearer <token>: the admin token (training, model versions)"
                            + " or the writer token (uploads, publishing)"));
        }
    }

    /**
     * Adds the error responses that apply to {@code operation} at {@code path}, keeping declared ones.
     *
     * @return whether the operation needs a credential
     */
    boolean declareErrors(String path, PathItem.HttpMethod method, Operation operation) {
        boolean mutating = method == PathItem.HttpMethod.POST || method == PathItem.HttpMethod.PUT
                || method == PathItem.HttpMethod.DELETE || method == PathItem.HttpMethod.PATCH;
        boolean takesBody = operation.getRequestBody() != null;
        boolean needsCredential = mutating && CREDENTIAL_PATHS.matcher(path).matches();
        boolean hasParameters = operation.getParameters() != null && !operation.getParameters().isEmpty();
        Map<String, String> errors = new LinkedHashMap<>();
        if (takesBody || hasParameters) {
            errors.put("400", "The request is malformed or a value is out of range");
        }
        if (needsCredential) {
            errors.put("401", "No credential, or an unknown one");
            errors.put("403", "The credential does not grant this operation");
        }
        errors.put("406", "The Accept header asks for a media type the operation does not produce");
        if (path.contains("{")) {
            errors.put("404", "No such resource");
        }
        if (takesBody) {
            errors.put("413", "The request body is larger than the configured limit");
            errors.put("415", "The request body's media type is not accepted");
        }
        errors.put("500", "Unexpected server error");
        if (mutating) {
            errors.put("503", "Kafka or the decode budget is busy; retry after the Retry-After seconds");
        }
        if (operation.getSecurity() == null) {
            // an empty list declares the operation public; a declared requirement is kept
            operation.setSecurity(needsCredential
                    ? List.of(OASFactory.createSecurityRequirement().addScheme(BEARER_SCHEME))
                    : List.of());
        }
        if (operation.getResponses() == null) {
            operation.setResponses(OASFactory.createAPIResponses());
        }
        APIResponses responses = operation.getResponses();
        errors.forEach((status, description) -> {
            if (!responses.hasAPIResponse(status)) {
                responses.addAPIResponse(status, errorResponse(status, description));
            }
        });
        return needsCredential;
    }

    private static APIResponse errorResponse(String status, String description) {
        APIResponse response = OASFactory.createAPIResponse()
                .description(description)
                .content(OASFactory.createContent().addMediaType("application/json",
                        OASFactory.createMediaType().schema(
                                OASFactory.createSchema().ref("#/components/schemas/" + ERROR_SCHEMA))));
        if ("503".equals(status)) {
            response.addHeader("Retry-After", OASFactory.createHeader()
                    .description("Seconds to wait before retrying")
                    .schema(OASFactory.createSchema().addType(Schema.SchemaType.INTEGER)));
        }
        return response;
    }

    private static Schema errorSchema() {
        return OASFactory.createSchema()
                .addType(Schema.SchemaType.OBJECT)
                .description("Every error answer: the reason in one field")
                .addRequired("error")
                .addProperty("error", OASFactory.createSchema().addType(Schema.SchemaType.STRING)
                        .description("Why the request failed"));
    }
}
