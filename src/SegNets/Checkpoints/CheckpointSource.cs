using SegNets.Checkpoints.Converters;

namespace SegNets.Checkpoints;

/// <summary>
/// Where the original weights of a zoo entry are published, how to check them and which rename table puts them onto
/// the SegNets model.
/// </summary>
/// <param name="Url">The original download URL.</param>
/// <param name="Format">What the publisher ships. The file itself is recognised by its bytes
/// (<see cref="CheckpointFile.Detect"/>); the format says how to reach the hashed file inside an archive.</param>
/// <param name="HashAlgorithm">How the publisher states the file's hash, or null where it gives none.</param>
/// <param name="Hash">The expected hash (hex) for <paramref name="HashAlgorithm"/>.</param>
/// <param name="Converter">The family's rename table (<see cref="CheckpointConverter.Identity"/> where the file's keys
/// and layouts are already SegNets', as torchvision's and Hugging Face's are).</param>
public sealed record CheckpointSource(string Url, PublishedFormat Format, PublishedHash? HashAlgorithm, string? Hash, CheckpointConverter Converter);
