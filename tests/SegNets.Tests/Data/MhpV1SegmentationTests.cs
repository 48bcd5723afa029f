using FluentAssertions;
using SegNets.Checkpoints;
using SegNets.Data;
using SegNets.Tests.Support;

namespace SegNets.Tests.Data;

/// <summary>MHP-V1 in its layout (tools/reference/mhp_layout.py, PIL files), merged as GluonCV's _get_mask does.</summary>
public class MhpV1SegmentationTests
{
    [Fact]
    public void MergesEachPersonsMapAsGluonCVDoes()
    {
        var dir = PythonReference.Run("mhp_layout.py");
        var expected = PyTorchCheckpoint.LoadStateDict(Path.Combine(dir, "expected.pth"));
        var train = new MhpV1Segmentation(dir, "train");
        train.Count.Should().Be(3);
        Enumerable.Range(0, 3).Select(train.IdOf).Should().Equal("1", "10", "2");
        train.PersonLabelsOf(0).Select(Path.GetFileName).Should().Equal("1_03_01.png", "1_03_02.png", "1_03_03.png");
        for (int i = 0; i < train.Count; i++)
        {
            using var sample = train.Get(i);
            sample.Mask.shape.Should().Equal(expected[sample.Id].shape);
            sample.Mask.eq(expected[sample.Id]).all().item<bool>().Should().BeTrue($"sample {sample.Id}");
            sample.Image.shape[0].Should().Be(3);
        }
        var test = new MhpV1Segmentation(Path.Combine(dir, "LV-MHP-v1"), "test");
        using (var seven = test.Get(0)) seven.Mask.eq(expected["7"]).all().item<bool>().Should().BeTrue();
        new MhpV1Segmentation(dir, "val").Count.Should().Be(0, "val starts at entry 3001");
        FluentActions.Invoking(() => new MhpV1Segmentation(dir, "trainval")).Should().Throw<ArgumentException>().WithMessage("*train, val and test*");
        Datasets.Get("mhp-v1").Classes.Should().HaveCount(19);
    }
}
