package dev.fmnist.trainer.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Whether credentials are required at all, {@code fmnist.auth.*}: secure by default. */
@ConfigMapping(prefix = "fmnist.auth")
public interface AuthConfig {
    /**
     * false turns off every credential check of the trainer (it then also publishes unsigned
     * snapshots when no signing key is configured, with a warning). Only for local experiments.
     */
    @WithDefault("true")
    boolean enabled();
}
