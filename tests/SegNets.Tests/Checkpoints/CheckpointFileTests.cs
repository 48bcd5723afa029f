using FluentAssertions;
using SegNets.Checkpoints;
using SegNets.Checkpoints.Converters;
using SegNets.Models;
using SegNets.Tests.Support;
using static TorchSharp.torch;

namespace SegNets.Tests.Checkpoints;

/// <summary>One entry point for every format: recognised from the bytes, read, converted, loaded.</summary>
public class CheckpointFileTests
{
    [Fact]
    public void RecognisesEachFormatByItsBytesNotItsName()
    {
        using var tmp = new TempDir();
        string Copy(string source, string name)
        {
            var target = tmp.File(name);
            File.Copy(source, target);
            return target;
        }
        var pth = PythonReference.Run("torchvision_segmentation.py", "lraspp_mobilenet_v3_large");
        var safetensors = PythonReference.Run("safetensors_files.py", "write");
        var mxnet = PythonReference.Run("mxnet_params_writer.py");
        var tf = PythonReference.Run("tf_bundle_writer.py");
        CheckpointFile.Detect(Copy(Path.Combine(pth, "weights.pth"), "a.bin")).Should().Be(CheckpointFile.Format.PyTorch);
        CheckpointFile.Detect(Copy(Path.Combine(safetensors, "mixed.safetensors"), "b.bin")).Should().Be(CheckpointFile.Format.SafeTensors);
        CheckpointFile.Detect(Copy(Path.Combine(mxnet, "dict.params"), "c.bin")).Should().Be(CheckpointFile.Format.MxNetParams);
        CheckpointFile.Detect(Path.Combine(tf, "dtypes", "model.ckpt")).Should().Be(CheckpointFile.Format.TensorFlow);
        var numpy = PythonReference.Run("numpy_fixtures.py");
        CheckpointFile.Detect(Copy(Path.Combine(numpy, "compressed.npz"), "d.bin")).Should().Be(CheckpointFile.Format.NumpyArchive);
        CheckpointFile.Detect(Copy(Path.Combine(numpy, "stored.npz"), "e.bin")).Should().Be(CheckpointFile.Format.NumpyArchive);
        var onnx = Path.Combine(PythonReference.Run("onnx_fixtures.py"), "export.onnx");
        CheckpointFile.Detect(onnx).Should().Be(CheckpointFile.Format.Onnx);
        CheckpointFile.Read(onnx).Should().NotBeEmpty();
        CheckpointFile.Read(Path.Combine(tf, "dtypes", "model.ckpt.index")).Should().ContainKey("global_step");
        File.WriteAllText(tmp.File("notes.txt"), "hello, not weights");
        FluentActions.Invoking(() => CheckpointFile.Detect(tmp.File("notes.txt"))).Should().Throw<InvalidDataException>()
            .WithMessage($"{tmp.File("notes.txt")}: not a checkpoint format SegNets recognises*");
    }

    [Fact]
    public void LoadsAGluonCVModelStoreZipIntoTheGluonCVModel()
    {
        var dir = PythonReference.Run("gluoncv_segmentation.py", "psp", "params");
        var zip = Directory.GetFiles(dir, "*.zip").Single();
        var reference = PyTorchCheckpoint.LoadStateDict(Path.Combine(dir, "outputs.pth"));
        using var scope = NewDisposeScope();
        var net = GluonCVModels.PspNet("resnet50", 5);
        CheckpointFile.Detect(zip).Should().Be(CheckpointFile.Format.GluonModelStoreZip);
        var report = CheckpointFile.LoadInto(net, zip, GluonCVConverter.Create());
        report.IsComplete.Should().BeTrue();
        net.eval();
        using var _ = no_grad();
        Parity.AssertClose(net.forward(reference["input"]).Main, reference["main"], "psp from its .params");
        // Without the conversion table the names do not fit, and the strict loader says which.
        FluentActions.Invoking(() => CheckpointFile.LoadInto(GluonCVModels.PspNet("resnet50", 5), zip)).Should().Throw<InvalidDataException>()
            .WithMessage($"{zip} does not fit*missing (backbone.conv1.0.weight*");
    }
}
