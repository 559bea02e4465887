/// What a path names in an ``HDF5File``: a group or a dataset.
public enum HDF5Node: Sendable {
    case group(HDF5Group)
    case dataset(HDF5Dataset)
}
