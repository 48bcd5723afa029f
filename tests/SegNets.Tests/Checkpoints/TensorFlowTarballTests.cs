using FluentAssertions;
using SegNets.Checkpoints;
using SegNets.Tests.Support;
using SegNets.Zoo;
using static TorchSharp.torch;

namespace SegNets.Tests.Checkpoints;

/// <summary>
/// TF model-zoo tarballs: a checkpoint bundle written as TF's BundleWriter does (tools/reference/tf_deeplab_mobilenet.py,
/// random weights of TF DeepLab's MobileNetV2 dm 0.5 under TF's names) packed by Python's tarfile in the model zoo's
/// layout (tools/reference/tf_tarball.py), served over HTTP as a zoo entry's checkpoint; and broken tarballs.
/// </summary>
public class TensorFlowTarballTests(ITestOutputHelper output)
{
    static string Bundle => Path.Combine(PythonReference.Run("tf_deeplab_mobilenet.py"), "dm05", "model.ckpt");

    static string Tarballs => PythonReference.Run("tf_tarball.py", Bundle);

    [Fact]
    public void PretrainedTfEntriesReadTheCheckpointInsideTheTarball()
    {
        var reference = PyTorchCheckpoint.LoadStateDict(Path.Combine(PythonReference.Run("tf_deeplab_mobilenet.py"), "outputs.pth"));
        var good = Path.Combine(Tarballs, "good.tar.gz");
        CheckpointFile.Detect(good).Should().Be(CheckpointFile.Format.TensorFlowTarball);
        using var server = new LocalHttpServer();
        using var home = new TempDir();
        var published = ModelZoo.Info("mobilenetv2_dm05_coco_voc_trainaug");
        published.Checkpoint!.Format.Should().Be(PublishedFormat.TfTarGz);
        var name = $"test_tf_{Guid.NewGuid():N}";
        var uri = server.Serve("models/deeplabv3_mnv2_dm05_pascal_trainaug_2018_10_01.tar.gz", File.ReadAllBytes(good));
        ModelZoo.Register(published with { Name = name, NumClasses = 5, Labels = null, Checkpoint = published.Checkpoint with { Url = uri.ToString() } });

        using var scope = NewDisposeScope();
        var (net, report) = ModelZoo.GetPretrained(name, cache: new WeightsCache(home.Path, offline: false));
        report.IsComplete.Should().BeTrue();
        net.eval();
        using (no_grad())
        {
            var diff = Parity.AssertClose(net.forward(reference["dm05_os16.a.input"]).Main, reference["dm05_os16.a.logits"], "TF MobileNetV2 dm 0.5 from the tarball");
            output.WriteLine($"dm05 OS16 from {Path.GetFileName(uri.LocalPath)}: max |diff| {diff:E1}");
        }
        Directory.EnumerateDirectories(Path.GetTempPath(), "segnets-tf-*").Should().BeEmpty("the extracted checkpoint is deleted after reading");
    }

    [Fact]
    public void MembersPointingOutsideTheArchiveAreRefusedAndNothingIsWritten()
    {
        var path = Path.Combine(Tarballs, "escape.tar.gz");
        var act = () => CheckpointFile.Read(path);
        act.Should().Throw<InvalidDataException>().WithMessage("*escape.tar.gz: member '../../segnets-escape-test/model.ckpt.index' points outside*");
        foreach (var root in new[] { Path.GetTempPath(), Path.GetDirectoryName(Path.GetTempPath().TrimEnd('/'))!, Directory.GetCurrentDirectory(), "/" })
            Directory.Exists(Path.Combine(root, "segnets-escape-test")).Should().BeFalse(root);
    }

    [Theory]
    [InlineData("no_index.tar.gz", "*no_index.tar.gz: has data shards of 'deeplabv3_mnv2_pascal_train_aug/model.ckpt-30000' but no*.index*")]
    [InlineData("two.tar.gz", "*two.tar.gz: holds more than one checkpoint*model.ckpt-10*model.ckpt-30000*")]
    [InlineData("symlink.tar.gz", "*symlink.tar.gz: member 'deeplabv3_mnv2_pascal_train_aug/model.ckpt-30000.index' is a SymbolicLink*")]
    [InlineData("truncated.tar.gz", "*truncated.tar.gz: *")]
    public void BrokenTarballsAreRefusedNamingTheArchiveAndMember(string file, string message)
    {
        var path = Path.Combine(Tarballs, file);
        var act = () => CheckpointFile.Read(path);
        act.Should().Throw<InvalidDataException>().WithMessage(message);
        Directory.EnumerateDirectories(Path.GetTempPath(), "segnets-tf-*").Should().BeEmpty("a failed extraction leaves nothing behind");
    }

    [Fact]
    public void AnArchiveWithoutACheckpointSaysWhatItExpected()
    {
        using var tmp = new TempDir();
        var path = tmp.File("graph-only.tar.gz");
        using (var file = File.Create(path))
        using (var gzip = new System.IO.Compression.GZipStream(file, System.IO.Compression.CompressionLevel.Fastest))
        using (var tar = new System.Formats.Tar.TarWriter(gzip))
        {
            var entry = new System.Formats.Tar.PaxTarEntry(System.Formats.Tar.TarEntryType.RegularFile, "model/frozen_inference_graph.pb")
            {
                DataStream = new MemoryStream([1, 2, 3]),
            };
            tar.WriteEntry(entry);
        }
        var act = () => CheckpointFile.Read(path);
        act.Should().Throw<InvalidDataException>().WithMessage("*graph-only.tar.gz: holds no TensorFlow checkpoint (no *.index member)*");
    }
}
