using System.IO.Compression;
using SegNets.Layers;
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
        ZipArchive zip;
        try
        {
            zip = ZipFile.OpenRead(zipPath);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{zipPath}: not a readable zip archive (truncated download?): {e.Message}", e);
        }
        // PyTorchCheckpoint reads files (it seeks), so the member is extracted to a temporary file and removed again.
        string extracted, memberName;
        using (zip)
        {
            var member = Member(zip, zipPath);
            memberName = member.FullName;
            extracted = Path.Combine(Path.GetTempPath(), $"segnets-{Guid.NewGuid():N}-{Path.GetFileName(member.FullName)}");
            member.ExtractToFile(extracted);
        }
        try
        {
            return PyTorchCheckpoint.LoadStateDict(extracted);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{zipPath}: its member {memberName}: {e.Message}", e);
        }
        finally
        {
            File.Delete(extracted);
        }
    }
}
