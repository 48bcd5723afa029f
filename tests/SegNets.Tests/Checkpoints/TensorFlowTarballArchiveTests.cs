using System.Formats.Tar;
using System.IO.Compression;
using FluentAssertions;
using SegNets.Checkpoints;
using SegNets.Tests.Models;
using SegNets.Tests.Support;
using SegNets.Zoo;
using static TorchSharp.torch;

namespace SegNets.Tests.Checkpoints;

/// <summary>
/// TF model-zoo tarballs ("tf-tar-gz"): the checkpoint inside a .tar.gz written by Python's tarfile
/// (tools/reference/tf_deeplab.py, the model zoo's layout: folder/model.ckpt.{index,data-00000-of-00001} +
/// frozen_inference_graph.pb) downloaded from a local HTTP server through ModelZoo.GetPretrained, and broken archives.
/// </summary>
public class TensorFlowTarballArchiveTests(ITestOutputHelper output)
{
    [Fact]
    public void PretrainedTfDeepLabEntriesDownloadTheTarballAndMatchTheTfTranscription()
    {
        var dir = TfDeepLabXceptionParityTests.ReferenceDir;
        var reference = TfDeepLabXceptionParityTests.Reference();
        var tarball = Path.Combine(dir, "deeplabv3_test_2018_01_04.tar.gz");
        using var server = new LocalHttpServer();
        using var home = new TempDir();
        var name = $"test_tfdeeplab_{Guid.NewGuid():N}";
        var uri = server.Serve("models/deeplabv3_test_2018_01_04.tar.gz", File.ReadAllBytes(tarball));
        var entry = ModelZoo.Info("xception65_coco_voc_trainaug");
        entry.Checkpoint!.Format.Should().Be(PublishedFormat.TfTarGz);
        ModelZoo.Register(entry with { Name = name, NumClasses = 5, Labels = null, Checkpoint = entry.Checkpoint with { Url = uri.ToString() } });

        using var scope = NewDisposeScope();
        var before = TempFolders();
        var (net, report) = ModelZoo.GetPretrained(name, cache: new WeightsCache(home.Path, offline: false));
        report.IsComplete.Should().BeTrue();
        TempFolders().Should().BeSubsetOf(before, "the extracted checkpoint is deleted after conversion");
        using (no_grad())
        {
            // the entry is built at output stride 8 with rates 12/24/36
            var diff = Parity.AssertClose(net.forward(net.Normalization.Apply(reference["input"])).Main,
                reference["os8.output"], "pretrained TF DeepLab from the tarball");
            output.WriteLine($"tarball -> GetPretrained -> logits max|diff| {diff:E1}");
        }
        server.Requests.Should().ContainSingle();
    }

    static string[] TempFolders() => Directory.GetDirectories(Path.GetTempPath(), "segnets-tf-*");

    // A small real bundle (tf_bundle_writer.py's 'dtypes' fixture) packed by .NET's TarWriter, as the broken cases need.
    static string Bundle => Path.Combine(PythonReference.Run("tf_bundle_writer.py"), "dtypes");

    static void WriteArchive(string path, params (string Name, TarEntryType Type, string? File)[] members)
    {
        using var stream = File.Create(path);
        using var gzip = new GZipStream(stream, CompressionLevel.Fastest);
        using var tar = new TarWriter(gzip, TarEntryFormat.Pax);
        foreach (var (name, type, file) in members)
        {
            var entry = new PaxTarEntry(type, name);
            if (type == TarEntryType.SymbolicLink) entry.LinkName = "/etc/passwd";
            if (file is not null) entry.DataStream = File.OpenRead(file);
            tar.WriteEntry(entry);
            entry.DataStream?.Dispose();
        }
    }

    static (string, TarEntryType, string?) Member(string name, string file) => (name, TarEntryType.RegularFile, Path.Combine(Bundle, file));

    [Fact]
    public void ReadsTheCheckpointOfAValidArchiveOnly()
    {
        using var tmp = new TempDir();
        var path = tmp.File("ok.tar.gz");
        WriteArchive(path, ("dl/frozen_inference_graph.pb", TarEntryType.RegularFile, Path.Combine(Bundle, "expected.json")),
            Member("dl/model.ckpt.index", "model.ckpt.index"), Member("dl/model.ckpt.data-00000-of-00001", "model.ckpt.data-00000-of-00001"));
        using var scope = NewDisposeScope();
        var tensors = TensorFlowTarball.Load(path);
        tensors.Keys.Should().BeEquivalentTo(TensorFlowCheckpoint.Load(Path.Combine(Bundle, "model.ckpt")).Keys);
        tensors["global_step"].item<long>().Should().Be(30000);
        CheckpointFile.Detect(path).Should().Be(CheckpointFile.Format.TensorFlowTarball, "gzip's magic bytes");
        CheckpointFile.Read(path).Keys.Should().BeEquivalentTo(tensors.Keys);
    }

    [Fact]
    public void RefusesBrokenArchivesWithTheArchiveAndMemberNamed()
    {
        using var tmp = new TempDir();
        var before = TempFolders();
        var noIndex = tmp.File("noindex.tar.gz");
        WriteArchive(noIndex, Member("dl/model.ckpt.data-00000-of-00001", "model.ckpt.data-00000-of-00001"));
        FluentActions.Invoking(() => TensorFlowTarball.Load(noIndex)).Should().Throw<InvalidDataException>()
            .WithMessage($"{noIndex}: has data shards of 'dl/model.ckpt' but no 'dl/model.ckpt.index'");

        var noData = tmp.File("nodata.tar.gz");
        WriteArchive(noData, Member("dl/model.ckpt.index", "model.ckpt.index"));
        FluentActions.Invoking(() => TensorFlowTarball.Load(noData)).Should().Throw<InvalidDataException>()
            .WithMessage("*nodata.tar.gz: 'dl/model.ckpt.index' has no 'dl/model.ckpt.data-NNNNN-of-NNNNN' member*");

        var traversal = tmp.File("traversal.tar.gz");
        WriteArchive(traversal, Member("dl/../../evil.index", "model.ckpt.index"), Member("dl/model.ckpt.data-00000-of-00001", "model.ckpt.data-00000-of-00001"));
        FluentActions.Invoking(() => TensorFlowTarball.Load(traversal)).Should().Throw<InvalidDataException>()
            .WithMessage("*traversal.tar.gz: member 'dl/../../evil.index' points outside*");

        var link = tmp.File("link.tar.gz");
        WriteArchive(link, ("dl/model.ckpt.index", TarEntryType.SymbolicLink, null));
        FluentActions.Invoking(() => TensorFlowTarball.Load(link)).Should().Throw<InvalidDataException>()
            .WithMessage("*link.tar.gz: member 'dl/model.ckpt.index' is a SymbolicLink, not a regular file*");

        var good = tmp.File("good.tar.gz");
        WriteArchive(good, Member("dl/model.ckpt.index", "model.ckpt.index"), Member("dl/model.ckpt.data-00000-of-00001", "model.ckpt.data-00000-of-00001"));
        var bytes = File.ReadAllBytes(good);
        var truncated = tmp.File("truncated.tar.gz");
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);
        FluentActions.Invoking(() => TensorFlowTarball.Load(truncated)).Should().Throw<InvalidDataException>()
            .WithMessage("*truncated.tar.gz*");
        var garbage = tmp.File("garbage.tar.gz");
        File.WriteAllBytes(garbage, [.. bytes[..20], .. new byte[200]]);
        FluentActions.Invoking(() => TensorFlowTarball.Load(garbage)).Should().Throw<InvalidDataException>()
            .WithMessage("*garbage.tar.gz*");
        TempFolders().Should().BeSubsetOf(before, "every failed extraction removes its folder");
    }
}
