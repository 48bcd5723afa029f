using FluentAssertions;
using SegNets.Data;
using static TorchSharp.torch;

namespace SegNets.Tests.Data;

public class TensorSegmentationDatasetTests
{
    [Fact]
    public void OwnsItsCopiesBeyondTheScopeItWasMadeIn()
    {
        TensorSegmentationDataset dataset;
        using (NewDisposeScope())
        {
            var image = full([3, 4, 5], 7, ScalarType.Byte);
            var mask = full([4, 5], 2, ScalarType.Int64);
            dataset = new TensorSegmentationDataset(Datasets.Voc, [new SegmentationSample("a", image, mask)]);
        }
        using (dataset)
        using (var sample = dataset.Get(0))
        {
            sample.Image.sum().item<long>().Should().Be(7 * 3 * 4 * 5);
            sample.Mask.sum().item<long>().Should().Be(2 * 4 * 5);
        }
    }

    [Fact]
    public void AMaskOfAnotherSizeIsNamed()
    {
        using var scope = NewDisposeScope();
        var act = () => new TensorSegmentationDataset(Datasets.Voc,
            [new SegmentationSample("b", zeros([3, 4, 5], ScalarType.Byte), zeros([4, 6], ScalarType.Int64))]);
        act.Should().Throw<ArgumentException>().WithMessage("*'b'*[4, 6]*[3, 4, 5]*");
    }
}
