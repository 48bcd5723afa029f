using System.IO.Compression;
using static TorchSharp.torch;

namespace SegNets.Checkpoints;

/// <summary>
/// PyTorch-Encoding's model-store downloads: NAME-SHORT.zip holding NAME-SHORT.pth, a torch.save'd state_dict
/// (zhanghang1989/PyTorch-Encoding@b05334f encoding/models/model_store.py get_model_file: the zip is extracted and the
/// SHA-1 of the .pth is checked against _model_sha1, whose first 8 hex digits are SHORT).
/// </summary>
public static class EncodingModelStoreZip
{
    /// <summary>Whether a zip archive is laid out like a model-store download: a .pth member and no torch.save records.</summary>
    public static bool Recognises(ZipArchive zip) =>
        zip.Entries.Any(e => e.FullName.EndsWith(".pth", StringComparison.Ordinal)) && !zip.Entries.Any(e => e.FullName.EndsWith("data.pkl", StringComparison.Ordinal));

    /// <summary>The one .pth member (NAME-SHORT.pth for NAME-SHORT.zip, or the only .pth), opened for reading.</summary>
    public static ZipArchiveEntry Member(ZipArchive zip, string zipPath)
    {
        var candidates = zip.Entries.Where(e => e.FullName.EndsWith(".pth", StringComparison.Ordinal)).ToList();
        var expected = Path.GetFileNameWithoutExtension(zipPath) + ".pth";
        return candidates.FirstOrDefault(e => Path.GetFileName(e.FullName) == expected)
            ?? (candidates.Count == 1 ? candidates[0] : null)
            ?? throw new InvalidDataException(
                $"{zipPath}: expected one .pth member ({expected}, as PyTorch-Encoding's model store packs it); the archive holds " +
                (zip.Entries.Count == 0 ? "nothing" : string.Join(", ", zip.Entries.Select(e => e.FullName))));
    }

    /// <summary>The state dict of the .pth inside <paramref name="zipPath"/> (see <see cref="PyTorchCheckpoint.LoadStateDict"/>).</summary>
    public static Dictionary<string, Tensor> Load(string zipPath)
    {
        // PyTorchCheckpoint reads files (legacy torch.save streams are read sequentially with seeks in zip records),
        // so the member is extracted next to the download and removed again.
        string extracted;
        try
        {
            using var zip = ZipFile.OpenRead(zipPath);
            var member = Member(zip, zipPath);
            extracted = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(zipPath))!, $".{Path.GetFileName(member.FullName)}.{Guid.NewGuid():N}.tmp");
            member.ExtractToFile(extracted);
        }
        catch (InvalidDataException e) when (e.Message.StartsWith(zipPath, StringComparison.Ordinal) is false)
        {
            throw new InvalidDataException($"{zipPath}: not a readable zip archive (truncated download?): {e.Message}", e);
        }
        try
        {
            return PyTorchCheckpoint.LoadStateDict(extracted);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{zipPath}: its .pth member: {e.Message}", e);
        }
        finally
        {
            File.Delete(extracted);
        }
    }
}
