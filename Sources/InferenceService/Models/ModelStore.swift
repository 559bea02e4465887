import DenseKernel
import Logging
import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

#if canImport(Glibc)
    import Glibc
#endif

/// Registered models, in memory and durably on disk.
///
/// Layout: `<dir>/<name>/v<version>.model`, one file per version, in the form of
/// ``ModelStoreFile`` (a JSON header, then the raw weights and their SHA-256), written in
/// pieces straight from the packed kernels. A version is written to a temporary file,
/// fsynced, renamed into place and the directory fsynced, so a crash mid-write leaves the old
/// versions intact and the new one either whole or absent. A deleted model's folder is
/// first renamed away (atomic), then removed. At start-up every file is loaded again, and
/// so is every `v<version>.json` an earlier release wrote (the whole model as JSON with
/// base64 weights); a corrupt one is logged and skipped, never deleted.
public final class ModelStore: Sendable {
    private let directory: URL?
    private let limits: ServiceLimits
    private let logger: Logger
    /// The models in memory, by name and version.
    private struct Contents {
        var models: [String: [Int: RegisteredModel]] = [:]
        var nextVersion: [String: Int] = [:]
        var loadProblems: [(path: String, reason: String)] = []
    }
    private let contents = Mutex(Contents())
    /// Held around each change's file system work, so changes happen one at a time
    /// (while lookups go on under `contents`).
    private let writing = Mutex(())

    /// Problems found while loading (file path and reason), for start-up reporting and tests.
    public var loadProblems: [(path: String, reason: String)] { contents.withLock { $0.loadProblems } }

    /// - Parameter directory: where models live; nil keeps them in memory only.
    public init(directory: String?, limits: ServiceLimits, logger: Logger) {
        self.directory = directory.map { URL(fileURLWithPath: $0, isDirectory: true) }
        self.limits = limits
        self.logger = logger
    }

    /// Creates the directory if needed and loads every stored version.
    public func load() throws {
        guard let directory else { return }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        for entry in names {
            let folder = directory.appendingPathComponent(entry, isDirectory: true)
            if entry.hasPrefix(".deleted-") {
                try? FileManager.default.removeItem(at: folder)  // finish an interrupted delete
                continue
            }
            guard ModelName.isValid(entry) else { continue }
            var isDirectory = false
            guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory else { continue }
            var files: [(version: Int, path: String, binary: Bool)] = []
            for file in (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [] {
                let path = folder.appendingPathComponent(file).path
                if file.hasPrefix(".tmp-") {
                    try? FileManager.default.removeItem(atPath: path)  // an unfinished write
                    continue
                }
                guard let (version, binary) = Self.storedVersion(file) else { continue }
                files.append((version, path, binary))
            }
            // A version in both forms (a downgrade wrote v<n>.json beside v<n>.model): the
            // binary file is loaded, the other reported.
            let binaryVersions = Set(files.filter(\.binary).map(\.version))
            for (version, path, binary) in files.sorted(by: { $0.version != $1.version ? $0.version < $1.version : !$0.binary }) {
                do {
                    if !binary && binaryVersions.contains(version) {
                        throw ServiceError.storage("v\(version).model holds the same version and is loaded instead")
                    }
                    let model = try binary ? Self.readBinary(path, limits: limits) : Self.readVersion1(path, limits: limits)
                    guard model.name == entry, model.version == version else {
                        throw ServiceError.storage("file says \(model.name) v\(model.version)")
                    }
                    insert(model)
                } catch {
                    contents.withLock { $0.loadProblems.append((path, "\(error)")) }
                    logger.error("skipping corrupt model file", metadata: ["path": "\(path)", "reason": "\(error)"])
                }
            }
        }
    }

    /// The version a store file name holds (`v3.model`, or `v3.json` from an earlier
    /// release) and whether it is the binary form.
    static func storedVersion(_ file: String) -> (Int, Bool)? {
        for (suffix, binary) in [(".model", true), (".json", false)] where file.hasPrefix("v") && file.hasSuffix(suffix) {
            guard let version = Int(file.dropFirst().dropLast(suffix.count)) else { return nil }
            return (version, binary)
        }
        return nil
    }

    static func readBinary(_ path: String, limits: ServiceLimits) throws(ServiceError) -> RegisteredModel {
        let file = try StoreFileDescriptor(path: path)
        defer { file.closeDescriptor() }
        return try ModelStoreFile.read(file, limits: limits)
    }

    static func readVersion1(_ path: String, limits: ServiceLimits) throws(ServiceError) -> RegisteredModel {
        let file = try StoreFileDescriptor(path: path)
        defer { file.closeDescriptor() }
        var bytes = [UInt8](repeating: 0, count: file.byteCount)
        try bytes.withMutableBytes { buffer throws(ServiceError) in try file.read(into: buffer, at: 0) }
        return try ModelStoreFile.readVersion1(bytes, limits: limits)
    }

    private func insert(_ model: RegisteredModel) {
        contents.withLock {
            $0.models[model.name, default: [:]][model.version] = model
            $0.nextVersion[model.name] = max($0.nextVersion[model.name] ?? 1, model.version + 1)
        }
    }

    /// Stores `model` as the next version of `name`; returns it once durable.
    public func put(name: String, model: DenseModel, batching: BatchingOverrides? = nil) throws(ServiceError) -> RegisteredModel {
        try ModelName.validate(name)
        return try writing.withLock { _ throws(ServiceError) in
            let version = contents.withLock { $0.nextVersion[name] ?? 1 }
            let registered = RegisteredModel(
                name: name, version: version, model: model, createdAt: Date().timeIntervalSince1970, batching: batching)
            if let directory {
                var digest = ""
                try Self.writeDurably(folder: directory.appendingPathComponent(name, isDirectory: true), file: "v\(version).model") {
                    output throws(ServiceError) in
                    digest = try ModelStoreFile.write(registered, to: output)
                }
                registered.knowWeightsDigest(digest)
            }
            insert(registered)
            return registered
        }
    }

    /// Deletes every version of `name`. Returns false when there was no such model.
    public func delete(name: String) throws(ServiceError) -> Bool {
        try ModelName.validate(name)
        return try writing.withLock { _ throws(ServiceError) in
            guard contents.withLock({ $0.models[name] != nil }) else { return false }
            if let directory {
                let folder = directory.appendingPathComponent(name, isDirectory: true)
                let grave = directory.appendingPathComponent(".deleted-\(name)-\(UInt32.random(in: 0...UInt32.max))")
                if FileManager.default.fileExists(atPath: folder.path) {
                    guard rename(folder.path, grave.path) == 0 else {
                        throw .storage("cannot remove \(name): \(String(cString: strerror(errno)))")
                    }
                    Self.fsyncDirectory(directory.path)
                    try? FileManager.default.removeItem(at: grave)
                }
            }
            // Versions keep counting up, so a re-created model never reuses an old number
            // within this process; on disk the folder is gone.
            contents.withLock { $0.models[name] = nil }
            return true
        }
    }

    /// A version of `name` (the latest when `version` is nil).
    public func get(name: String, version: Int? = nil) throws(ServiceError) -> RegisteredModel {
        try ModelName.validate(name)
        let found: RegisteredModel? = contents.withLock {
            guard let versions = $0.models[name] else { return nil }
            if let version { return versions[version] }
            return versions.max(by: { $0.key < $1.key })?.value
        }
        guard let found else { throw .modelNotFound(name: name, version: version) }
        return found
    }

    /// Every version of `name`, oldest first.
    public func versions(name: String) -> [RegisteredModel] {
        contents.withLock { ($0.models[name] ?? [:]).values.sorted { $0.version < $1.version } }
    }

    /// Names with their latest version, sorted by name.
    public func list() -> [RegisteredModel] {
        contents.withLock { contents in
            contents.models.keys.sorted().compactMap { name in contents.models[name]!.max(by: { $0.key < $1.key })?.value }
        }
    }

    public var count: Int { contents.withLock { $0.models.count } }

    // MARK: durable writes

    /// Writes `file` in `folder` durably: `contents` writes the bytes in pieces through the
    /// function it is given, into a temporary file that is then fsynced, renamed into place and
    /// its directory fsynced. On any failure the temporary file is removed and nothing replaces
    /// `file`.
    static func writeDurably(
        folder: URL, file: String,
        _ contents: (_ output: (UnsafeRawBufferPointer) throws(ServiceError) -> Void) throws(ServiceError) -> Void
    ) throws(ServiceError) {
        try createDirectories(folder.path)
        fsyncDirectory(folder.deletingLastPathComponent().path)
        let temporary = folder.appendingPathComponent(".tmp-\(file)-\(UInt32.random(in: 0...UInt32.max))").path
        let final = folder.appendingPathComponent(file).path
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .storage("cannot create \(temporary): \(String(cString: strerror(errno)))") }
        do throws(ServiceError) {
            try contents { bytes throws(ServiceError) in
                var written = 0
                while written < bytes.count {
                    let n = write(fd, bytes.baseAddress! + written, bytes.count - written)
                    if n < 0 {
                        if errno == EINTR { continue }
                        throw .storage("cannot write \(temporary): \(String(cString: strerror(errno)))")
                    }
                    written += n
                }
            }
            guard fsync(fd) == 0 else { throw .storage("cannot write \(temporary): \(String(cString: strerror(errno)))") }
        } catch {
            close(fd)
            unlink(temporary)
            throw error
        }
        close(fd)
        guard rename(temporary, final) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw .storage("cannot rename into \(final): \(reason)")
        }
        fsyncDirectory(folder.path)
    }

    /// `mkdir -p`: creates `path` and any missing parent, naming the first one that fails and
    /// why (the system's reason, not a Foundation error's dump).
    static func createDirectories(_ path: String) throws(ServiceError) {
        if mkdir(path, 0o755) == 0 || errno == EEXIST { return }
        guard errno == ENOENT, let slash = path.lastIndex(of: "/"), slash != path.startIndex else {
            throw .storage("cannot create \(path): \(String(cString: strerror(errno)))")
        }
        try createDirectories(String(path[..<slash]))
        guard mkdir(path, 0o755) == 0 || errno == EEXIST else {
            throw .storage("cannot create \(path): \(String(cString: strerror(errno)))")
        }
    }

    static func fsyncDirectory(_ path: String) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }
}

/// A store file open for reading, read with `pread` (``ModelStoreFile`` asks for each range).
struct StoreFileDescriptor: StoreFileInput {
    let path: String
    private let fd: Int32
    let byteCount: Int

    init(path: String) throws(ServiceError) {
        self.path = path
        fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .storage("cannot open \(path): \(String(cString: strerror(errno)))") }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_size >= 0 else {
            let reason = String(cString: strerror(errno))
            _ = close(fd)
            throw .storage("cannot stat \(path): \(reason)")
        }
        byteCount = Int(info.st_size)
    }

    func closeDescriptor() { _ = close(fd) }

    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws(ServiceError) {
        guard offset >= 0, offset <= byteCount, buffer.count <= byteCount - offset else {
            throw .storage("read of \(buffer.count) bytes at \(offset) outside \(path) (\(byteCount) bytes)")
        }
        var done = 0
        while done < buffer.count {
            let n = pread(fd, buffer.baseAddress! + done, buffer.count - done, off_t(offset + done))
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                throw .storage(
                    n == 0 ? "\(path) ended early (truncated while read)" : "cannot read \(path): \(String(cString: strerror(errno)))")
            }
            done += n
        }
    }
}
