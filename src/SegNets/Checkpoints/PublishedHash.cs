namespace SegNets.Checkpoints;

/// <summary>How a publisher states the hash of its weights file.</summary>
public enum PublishedHash
{
    /// <summary>torch.hub: the file's SHA-256 starts with the hex in its name.</summary>
    Sha256Prefix,

    /// <summary>GluonCV and PyTorch-Encoding: the full SHA-1 of the file inside the .zip.</summary>
    Sha1,
}
