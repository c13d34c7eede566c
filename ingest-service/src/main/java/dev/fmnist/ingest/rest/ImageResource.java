package dev.fmnist.ingest.rest;

import dev.fmnist.ingest.images.RejectReason;
import dev.fmnist.ingest.images.RejectedInputException;
import dev.fmnist.ingest.service.UserImageService.UploadResult;
import dev.fmnist.ingest.service.UserImageService;
import dev.fmnist.support.auth.Roles;
import dev.fmnist.support.rest.Flags;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.RestQuery;
import org.jboss.resteasy.reactive.multipart.FileUpload;

/** Users' own labelled images, published to the train topic as USER batches. */
@Path("/api/v1/images")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "images")
public class ImageResource {
    private final UserImageService service;

    public ImageResource(UserImageService service) {
        this.service = service;
    }

    @POST
    @RolesAllowed(Roles.WRITER)
    @Consumes({"image/png", "image/jpeg"})
    @Operation(summary = "Publish one labelled image (raw PNG/JPEG body)")
    @APIResponse(responseCode = "200", description = "Published: batch id, partition and offset")
    @APIResponse(responseCode = "400", description = "Not a PNG/JPEG, or unknown label")
    @APIResponse(responseCode = "413", description = "Larger than fmnist.ingest.upload.max-bytes, or needs more than max-decoded-bytes to decode")
    @APIResponse(responseCode = "415", description = "Another Content-Type")
    @APIResponse(responseCode = "503", description = "Kafka did not acknowledge, or the decode budget is spent (Retry-After)")
    public UploadResult upload(InputStream body,
                               @Parameter(description = "0-9 or a class name (e.g. Sneaker, ankle_boot)") @RestQuery String label,
                               @Parameter(description = "true for dark objects on a light background (photos)")
                               @RestQuery String invert) {
        return service.upload(body, label, Flags.parse("invert", invert, false), "upload");
    }

    @POST
    @RolesAllowed(Roles.WRITER)
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Operation(summary = "Publish one labelled image (multipart form: file, label, invert)")
    public UploadResult uploadForm(@RestForm("file") FileUpload file, @RestForm("label") String formLabel,
                                   @RestForm("invert") String formInvert,
                                   @RestQuery("label") String queryLabel,
                                   @RestQuery("invert") String queryInvert) {
        if (file == null) {
            throw new RejectedInputException(RejectReason.BAD_IMAGE, "multipart form has no 'file' field");
        }
        String label = formLabel != null ? formLabel : queryLabel;
        boolean invert = Flags.parse("invert", formInvert != null ? formInvert : queryInvert, false);
        try (InputStream in = Files.newInputStream(file.uploadedFile())) {
            String name = file.fileName() == null || file.fileName().isBlank() ? "upload" : file.fileName();
            return service.upload(in, label, invert, name);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the uploaded file", e);
        }
    }

    @POST
    @RolesAllowed(Roles.WRITER)
    @Path("/bulk")
    @Consumes({"application/zip", "application/x-zip-compressed"})
    @Operation(summary = "Publish a zip of class-named folders of images, all or nothing",
            description = "Every entry is checked first; if any is bad the answer is 400 listing the bad entries and nothing is published.")
    @APIResponse(responseCode = "200", description = "All images published")
    @APIResponse(responseCode = "400", description = "Not a zip, or bad entries (listed); nothing published")
    @APIResponse(responseCode = "413", description = "Beyond a size, entry-count or inflated-size limit")
    public UploadResult bulk(InputStream body,
                             @Parameter(description = "true for dark objects on a light background (photos)")
                             @RestQuery String invert) {
        return service.uploadArchive(body, Flags.parse("invert", invert, false));
    }
}
