using SegNets.Data;
using static TorchSharp.torch;

namespace SegNets.Benchmarks.Loader;

/// <summary>The peer's augmentation: pad right/bottom to the crop size (image 0, mask 255), random crop, horizontal flip
/// with probability 1/2, image to float32 in [0, 1].</summary>
internal sealed class CropFlipToFloat(int size) : IJointTransform
{
    public SegmentationSample Apply(SegmentationSample sample, Random random)
    {
        Tensor image = sample.Image, mask = sample.Mask;
        long h = image.shape[1], w = image.shape[2];
        if (h < size || w < size)
        {
            long padH = Math.Max(0, size - h), padW = Math.Max(0, size - w);
            image = nn.functional.pad(image, [0, padW, 0, padH], value: 0);
            mask = nn.functional.pad(mask, [0, padW, 0, padH], value: SegmentationSample.IgnoreIndex);
            h += padH;
            w += padW;
        }
        int top = random.Next((int)(h - size + 1)), left = random.Next((int)(w - size + 1));
        image = image[.., top..(top + size), left..(left + size)];
        mask = mask[top..(top + size), left..(left + size)];
        if (random.Next(2) == 1)
        {
            image = image.flip(-1);
            mask = mask.flip(-1);
        }
        return new SegmentationSample(sample.Id, image.to_type(ScalarType.Float32).div_(255), mask.contiguous());
    }
}
