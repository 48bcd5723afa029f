using System.IO.Compression;
using SegNets.Checkpoints.Converters;
using SegNets.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Checkpoints;

/// <summary>
/// Reads any checkpoint format SegNets knows, recognised by its bytes (not its name), and loads it into a module
/// through a family's conversion table: <c>CheckpointFile.LoadInto(model, "deeplab_resnet101_voc-311ed22c.zip", "gluoncv")</c>.
/// </summary>
public static class CheckpointFile
{
    /// <summary>The formats <see cref="Read"/> recognises.</summary>
    public enum Format { PyTorch, SafeTensors, MxNetParams, GluonModelStoreZip, TensorFlow, TensorFlowTarball, NumpyArchive, Onnx, EncodingModelStoreZip }

    /// <summary>Which format <paramref name="path"/> is in, from its first bytes (and, for zips, their members).</summary>
    public static Format Detect(string path)
    {
        // A TF V2 checkpoint is a prefix naming an .index and its data shards, not one file.
        if (path.EndsWith(".index", StringComparison.Ordinal) || (!File.Exists(path) && File.Exists(path + ".index"))) return Format.TensorFlow;
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        Span<byte> head = stackalloc byte[16];
        int read = file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        head = head[..read];
        if (read >= 4 && head[..4].SequenceEqual("PK\u0003\u0004"u8))
        {
            file.Position = 0;
            using var zip = new ZipArchive(file, ZipArchiveMode.Read, leaveOpen: true);
            if (zip.Entries.Any(e => e.FullName == "data.pkl" || e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal))) return Format.PyTorch;
            if (zip.Entries.Any(e => e.FullName.EndsWith(".params", StringComparison.Ordinal))) return Format.GluonModelStoreZip;
            if (zip.Entries.Count > 0 && zip.Entries.All(e => e.FullName.EndsWith(".npy", StringComparison.Ordinal))) return Format.NumpyArchive;
            if (EncodingModelStoreZip.Recognises(zip)) return Format.EncodingModelStoreZip;
            throw new InvalidDataException($"{path}: a zip archive, but not one SegNets reads (neither torch.save's data.pkl, a GluonCV .params nor a PyTorch-Encoding .pth)");
        }
        // gzip: the only gzipped checkpoints SegNets reads are TF model-zoo tarballs (.tar.gz).
        if (TensorFlowTarball.LooksLikeGzip(head)) return Format.TensorFlowTarball;
        if (read >= 2 && head[0] == 0x80 && head[1] == 0x02) return Format.PyTorch; // legacy torch.save: a pickle first
        if (read >= 8 && BitConverter.ToUInt64(head[..8]) == 0x112) return Format.MxNetParams; // ndarray.cc kMXAPINDArrayListMagic
        // ONNX is a bare protobuf with no magic: ModelProto starts with ir_version (field 1, varint) = byte 0x08.
        if (path.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase) && read >= 1 && head[0] == 0x08) return Format.Onnx;
        if (read >= 9 && BitConverter.ToUInt64(head[..8]) is > 1 and < 100_000_000 && head[8] == (byte)'{') return Format.SafeTensors;
        throw new InvalidDataException($"{path}: not a checkpoint format SegNets recognises (starts with {Convert.ToHexString(head)}); " +
            "it reads torch.save files, safetensors, MXNet .params (and GluonCV's zips of them), " +
            "PyTorch-Encoding model-store zips, numpy .npz (Chainer), ONNX (.onnx) and TensorFlow V2 checkpoints (also inside TF's .tar.gz)");
    }

    /// <summary>Every tensor of the file, under the file's own names.</summary>
    public static Dictionary<string, Tensor> Read(string path) => Detect(path) switch
    {
        Format.PyTorch => PyTorchCheckpoint.LoadStateDict(path),
        Format.SafeTensors => SafeTensors.Load(path).Tensors,
        Format.MxNetParams => MxNetParams.Load(path),
        Format.GluonModelStoreZip => MxNetParams.LoadGluonModelStoreZip(path),
        Format.EncodingModelStoreZip => EncodingModelStoreZip.Load(path),
        Format.NumpyArchive => NumpyArchive.LoadNpz(path),
        Format.Onnx => OnnxInitializers.Load(path),
        Format.TensorFlow => TensorFlowCheckpoint.Load(path.EndsWith(".index", StringComparison.Ordinal) ? path[..^".index".Length] : path),
        Format.TensorFlowTarball => TensorFlowTarball.Load(path),
        var f => throw new NotSupportedException($"{path}: {f} files are not readable yet"),
    };

    /// <summary>
    /// Reads <paramref name="path"/>, maps it with <paramref name="converter"/> (null: names are already SegNets') and
    /// loads it: strictly by default, naming every missing, unexpected or mis-shaped key; non-strict loads what fits
    /// and reports the rest (e.g. a classifier of another class count).
    /// </summary>
    public static LoadReport LoadInto(nn.Module module, string path, CheckpointConverter? converter = null, bool strict = true)
    {
        var tensors = Read(path);
        var mapped = converter is null ? tensors : converter.Convert(tensors, path);
        try
        {
            return StateDictLoader.Load(module, mapped, strict, source: path);
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
            foreach (var t in mapped.Values) t.Dispose();
        }
    }
}
