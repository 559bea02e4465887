/// The page for people served at `GET /`: HTML, CSS and script in one document that fetches
/// nothing but this server's own API routes (headers in `BrowserPage+Headers.swift`). It is
/// `Resources/index.html`, which SwiftPM embeds in the binary (`.embedInCode` in Package.swift).
public enum BrowserPage {
    /// The page as UTF-8 bytes, byte for byte the file.
    public static let bytes: [UInt8] = PackageResources.index_html

    /// The page as text.
    public static let html = String(decoding: bytes, as: UTF8.self)
}
