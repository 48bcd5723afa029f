using SegNets.Data;
using static TorchSharp.torch;

namespace SegNets.Tests.Data.Doubles;

/// <summary>
/// Pads to at least the crop size (image 0, mask ignore), takes a random crop, flips horizontally with probability
/// 1/2 and optionally scales the image to float [0, 1] — the usual training augmentation, reduced to what the loader
/// tests need: every random choice comes from the Random it is given.
/// </summary>
internal sealed class RandomCropFlip(int height, int width, bool toFloat = false) : IJointTransform
{
    public SegmentationSample Apply(SegmentationSample sample, Random random)
    {
        var image = sample.Image;
        var mask = sample.Mask;
        long h = image.shape[1], w = image.shape[2];
        if (h < height || w < width)
        {
            long padH = Math.Max(0, height - h), padW = Math.Max(0, width - w);
            image = nn.functional.pad(image, [0, padW, 0, padH], value: 0);
            mask = nn.functional.pad(mask, [0, padW, 0, padH], value: SegmentationSample.IgnoreIndex);
            h += padH;
            w += padW;
        }
        var top = random.Next((int)(h - height + 1));
        var left = random.Next((int)(w - width + 1));
        image = image[.., top..(top + height), left..(left + width)];
        mask = mask[top..(top + height), left..(left + width)];
        if (random.Next(2) == 1)
        {
            image = image.flip(-1);
            mask = mask.flip(-1);
        }
        if (toFloat) image = image.to_type(ScalarType.Float32).div_(255);
        return new SegmentationSample(sample.Id, image.contiguous(), mask.contiguous());
    }
}
