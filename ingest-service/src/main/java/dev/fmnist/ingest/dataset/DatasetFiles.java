package dev.fmnist.ingest.dataset;

import dev.fmnist.contracts.idx.FashionMnistData;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The four published Fashion-MNIST .gz files and their published MD5 checksums. */
public final class DatasetFiles {
    /** File name (with .gz) to the MD5 published in the README of zalandoresearch/fashion-mnist. */
    public static final Map<String, String> PUBLISHED_MD5;

    static {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d");
        m.put("train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe");
        m.put("t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79");
        m.put("t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310");
        PUBLISHED_MD5 = Map.copyOf(m);
    }

    /** The .gz names in the order of {@link FashionMnistData#FILES}. */
    public static final List<String> GZ_NAMES = FashionMnistData.FILES.stream().map(s -> s + ".gz").toList();

    private DatasetFiles() {
    }

    /** Stems of the files the directory lacks (neither .gz nor raw present), in the standard order. */
    public static List<String> missing(Path dir) {
        return FashionMnistData.FILES.stream().filter(stem -> FashionMnistData.resolve(dir, stem) == null).toList();
    }

    public static String md5(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return md5(in);
        }
    }

    /** Reads the stream to its end and returns its MD5 as lowercase hex. */
    public static String md5(InputStream in) throws IOException {
        MessageDigest md = newMd5();
        try (DigestInputStream din = new DigestInputStream(in, md)) {
            din.transferTo(java.io.OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(md.digest());
    }

    static MessageDigest newMd5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
