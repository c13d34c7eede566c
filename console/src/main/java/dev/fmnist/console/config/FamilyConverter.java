package dev.fmnist.console.config;

import dev.fmnist.contracts.model.ModelFamily;
import org.eclipse.microprofile.config.spi.Converter;

/** A model family in configuration: its id ({@code cnn}) or its model name ({@code fmnist-cnn}), as everywhere. */
public final class FamilyConverter implements Converter<ModelFamily> {
    @Override
    public ModelFamily convert(String value) {
        return ModelFamily.parse(value);
    }
}
