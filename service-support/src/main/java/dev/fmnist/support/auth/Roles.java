package dev.fmnist.support.auth;

/** The roles a bearer token can grant; endpoints name them in {@code @RolesAllowed}. */
public final class Roles {
    /** Training control (start, stop), model pin, unpin, rollback and the versions view. */
    public static final String ADMIN = "admin";
    /** Data that the model trains on: uploads and dataset publication. */
    public static final String WRITER = "writer";

    private Roles() {
    }
}
