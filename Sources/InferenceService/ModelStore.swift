import DenseKernel
import Foundation
import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Registered models, in memory and durably on disk.
///
/// Layout: `<dir>/<name>/v<version>.json`, one file per version, in the form of
/// ``RegisteredModel/fileBytes()``. A version is written to a temporary file, fsynced,
/// renamed into place and the directory fsynced, so a crash mid-write leaves the old
/// versions intact and the new one either whole or absent. A deleted model's folder is
/// first renamed away (atomic), then removed. At start-up every file is loaded again; a
/// corrupt one is logged and skipped, never deleted.
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
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue else { continue }
            for file in (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [] {
                let path = folder.appendingPathComponent(file).path
                if file.hasPrefix(".tmp-") {
                    try? FileManager.default.removeItem(atPath: path)  // an unfinished write
                    continue
                }
                guard file.hasPrefix("v"), file.hasSuffix(".json"), let version = Int(file.dropFirst().dropLast(5)) else { continue }
                do {
                    guard let data = FileManager.default.contents(atPath: path) else { throw ServiceError.storage("unreadable") }
                    let model = try RegisteredModel.load(fileBytes: Array(data), limits: limits)
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
                try Self.writeDurably(
                    registered.fileBytes(), folder: directory.appendingPathComponent(name, isDirectory: true),
                    file: "v\(version).json")
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

    static func writeDurably(_ bytes: [UInt8], folder: URL, file: String) throws(ServiceError) {
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw .storage("cannot create \(folder.path): \(error.localizedDescription)")
        }
        fsyncDirectory(folder.deletingLastPathComponent().path)
        let temporary = folder.appendingPathComponent(".tmp-\(file)-\(UInt32.random(in: 0...UInt32.max))").path
        let final = folder.appendingPathComponent(file).path
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .storage("cannot create \(temporary): \(String(cString: strerror(errno)))") }
        var written = 0
        let ok = bytes.withUnsafeBytes { raw -> Bool in
            while written < raw.count {
                let n = write(fd, raw.baseAddress! + written, raw.count - written)
                if n < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                written += n
            }
            return fsync(fd) == 0
        }
        let writeErrno = errno
        close(fd)
        guard ok else {
            unlink(temporary)
            throw .storage("cannot write \(temporary): \(String(cString: strerror(writeErrno)))")
        }
        guard rename(temporary, final) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw .storage("cannot rename into \(final): \(reason)")
        }
        fsyncDirectory(folder.path)
    }

    static func fsyncDirectory(_ path: String) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }
}
