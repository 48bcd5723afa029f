namespace SegNets.Zoo;

/// <summary>
/// Where the original weights of a zoo entry are published and how to read them.
/// </summary>
/// <param name="Url">The original download URL.</param>
/// <param name="Format">"pth" (PyTorch), "gluon-params-zip" (GluonCV model store: a .zip holding a .params file),
/// "chainer-npz" (ChainerCV), "onnx", "encoding-zip" (PyTorch-Encoding model store: a .zip holding a .pth), "tf-tar-gz"
/// (TF model zoo: a .tar.gz holding a V2 checkpoint). The file itself is recognised by its bytes
/// (<see cref="Checkpoints.CheckpointFile.Detect"/>); this names what the publisher ships.</param>
/// <param name="HashAlgorithm">"sha256-prefix" (torch.hub: the file's SHA-256 starts with the hash in its name),
/// "sha1" (GluonCV: the full SHA-1 of the extracted .params), or null where the publisher gives none.</param>
/// <param name="Hash">The expected hash (hex) for <paramref name="HashAlgorithm"/>.</param>
/// <param name="Converter">The key mapping that puts the file's tensors onto the SegNets model: "identity"
/// (torchvision: keys and layouts are already SegNets'), "gluoncv", "chainercv", "edgeai",
/// "tfdeeplab-xception65" (and "-ade20k", which drops TF's 'other' logit).</param>
public sealed record CheckpointSource(string Url, string Format, string? HashAlgorithm, string? Hash, string Converter);
