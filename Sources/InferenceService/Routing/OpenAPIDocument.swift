/// The OpenAPI 3 document of every route, served at `GET /openapi.yaml`: `Resources/openapi.yaml`,
/// which SwiftPM embeds in the binary (`.embedInCode` in Package.swift).
public enum OpenAPIDocument {
    /// The document as UTF-8 bytes, byte for byte the file.
    public static let bytes: [UInt8] = PackageResources.openapi_yaml

    /// The document as text.
    public static let yaml = String(decoding: bytes, as: UTF8.self)
}
