// A self-signed certificate (EC P-256, CN=localhost, SAN localhost and 127.0.0.1, valid 100 years)
// and its key, for TLS tests only. Generated once with:
//   openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 36500 \
//     -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1

/** The certificate, PEM. */
export const TEST_CERT_PEM = `-----BEGIN CERTIFICATE-----
MIIBmDCCAT6gAwIBAgIUFGW0eAVpdAkwKXQazRq0x4iK7KAwCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTIwNDE0MzE0MFoYDzIxMjYxMTEw
MTQzMTQwWjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAAQnWoZcRVRp9nmYTJgP5ORZaQ3LkMWr/WHN9KXPULxIZm6hl4oDqu8z
n9POJmDGLnj64cDyjngFwctPIICV0xa6o2wwajAdBgNVHQ4EFgQU9hyjb36l74DM
Sn3alNdWDsxtVzUwHwYDVR0jBBgwFoAU9hyjb36l74DMSn3alNdWDsxtVzUwGgYD
VR0RBBMwEYIJbG9jYWxob3N0hwR/AAABMAwGA1UdEwEB/wQCMAAwCgYIKoZIzj0E
AwIDSAAwRQIgP8OZBIxLE6QZriC7nbHytQ99P1pCnDGl5KOxfHVTt74CIQC9zpLy
NbRt0OdM5ECrwPZjVO3O3Asf8FyRXvw0AT0HOg==
-----END CERTIFICATE-----
`;

/** Its private key, PEM (test-only, never used elsewhere). */
export const TEST_KEY_PEM = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgG/Y47g9QDsEMx0ut
TfZCnO0JhcVe755YLWKpiZE/0fKhRANCAAQnWoZcRVRp9nmYTJgP5ORZaQ3LkMWr
/WHN9KXPULxIZm6hl4oDqu8zn9POJmDGLnj64cDyjngFwctPIICV0xa6
-----END PRIVATE KEY-----
`;
