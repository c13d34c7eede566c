package dev.fmnist.broker.secure;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The secured broker's TLS files in one folder: a private CA (self-signed; its key is never
 * written, so nothing else can ever be signed by it), the broker's key and certificate signed by
 * it (SAN localhost, 127.0.0.1 and the broker's host; usable as server and as client, since the
 * broker also authenticates to its own controller listener with it), as PKCS12 files with
 * generated passwords, plus the CA as PEM for non-Java clients (kcat's {@code ssl.ca.location}).
 * Made on first use and reused afterwards, so clients keep trusting a restarted broker.
 */
public record TlsMaterial(Path keystore, String keystorePassword, Path truststore, String truststorePassword, Path caPem) {
    static final String KEYSTORE = "broker.keystore.p12";
    static final String TRUSTSTORE = "ca.truststore.p12";
    static final String CA_PEM = "ca.crt";
    private static final Duration VALIDITY = Duration.ofDays(825);

    /**
     * Reuses the files in {@code dir} if they are there, otherwise makes a new CA and broker
     * certificate for {@code brokerName} (the certificate's CN, which is also the broker's principal)
     * valid for {@code host}.
     */
    static TlsMaterial loadOrCreate(Path dir, String brokerName, String host, String keystorePassword, String truststorePassword) {
        TlsMaterial files = new TlsMaterial(dir.resolve(KEYSTORE), keystorePassword, dir.resolve(TRUSTSTORE), truststorePassword,
                dir.resolve(CA_PEM));
        if (Files.exists(files.keystore()) && Files.exists(files.truststore()) && Files.exists(files.caPem())) {
            files.check();
            return files;
        }
        try {
            files.create(brokerName, host);
        } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
            throw new IllegalStateException("cannot make the broker's certificates: " + e.getMessage(), e);
        }
        return files;
    }

    /** Fails clearly when the stored files cannot be opened with the stored passwords (edited or mixed-up folders). */
    private void check() {
        for (Path store : List.of(keystore, truststore)) {
            try (InputStream in = Files.newInputStream(store)) {
                KeyStore.getInstance("PKCS12").load(in, (store.equals(keystore) ? keystorePassword : truststorePassword).toCharArray());
            } catch (IOException | GeneralSecurityException e) {
                throw new IllegalStateException("cannot open " + store + " with the stored password (" + e.getMessage()
                        + "); delete the secrets folder and the broker's data folder to start over", e);
            }
        }
    }

    private void create(String brokerName, String host) throws GeneralSecurityException, OperatorCreationException, IOException {
        SecureRandom random = new SecureRandom();
        Instant now = Instant.now();
        Date notBefore = Date.from(now.minus(Duration.ofMinutes(5))); // tolerate a little clock skew
        Date notAfter = Date.from(now.plus(VALIDITY));
        JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();

        KeyPair caKeys = ecKeyPair(random);
        X500Name caName = new X500Name("CN=fmnist-pipeline local CA");
        X509v3CertificateBuilder ca = new JcaX509v3CertificateBuilder(caName, serial(random), notBefore, notAfter, caName, caKeys.getPublic())
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(caKeys.getPublic()));
        X509Certificate caCert = sign(ca, caKeys);

        KeyPair brokerKeys = ecKeyPair(random);
        X509v3CertificateBuilder broker = new JcaX509v3CertificateBuilder(caCert, serial(random), notBefore, notAfter,
                new X500Name("CN=" + brokerName), brokerKeys.getPublic())
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                .addExtension(Extension.extendedKeyUsage, false,
                        new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}))
                .addExtension(Extension.subjectAlternativeName, false, subjectAltNames(host))
                .addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(caCert))
                .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(brokerKeys.getPublic()));
        X509Certificate brokerCert = sign(broker, caKeys);

        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry(brokerName, brokerKeys.getPrivate(), keystorePassword.toCharArray(), new Certificate[] {brokerCert, caCert});
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("fmnist-ca", caCert);
        PrivateFiles.write(keystore, store(keys, keystorePassword));
        PrivateFiles.write(truststore, store(trust, truststorePassword));
        String pem = "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(caCert.getEncoded())
                + "\n-----END CERTIFICATE-----\n";
        PrivateFiles.write(caPem, pem.getBytes(StandardCharsets.US_ASCII));
    }

    private static GeneralNames subjectAltNames(String host) throws CertIOException {
        Set<String> names = new LinkedHashSet<>(List.of("localhost", "127.0.0.1", host));
        List<GeneralName> out = new ArrayList<>();
        for (String name : names) {
            boolean ip = name.matches("[0-9.]+") || name.contains(":");
            out.add(new GeneralName(ip ? GeneralName.iPAddress : GeneralName.dNSName, name));
        }
        return new GeneralNames(out.toArray(GeneralName[]::new));
    }

    private static KeyPair ecKeyPair(SecureRandom random) throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"), random);
        return generator.generateKeyPair();
    }

    private static BigInteger serial(SecureRandom random) {
        return new BigInteger(127, random).add(BigInteger.ONE);
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair issuer)
            throws OperatorCreationException, GeneralSecurityException {
        return new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuer.getPrivate())));
    }

    private static byte[] store(KeyStore store, String password) throws GeneralSecurityException {
        try (ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            store.store(out, password.toCharArray());
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
