using System.Text.Json;
using FluentAssertions;
using SegNets.Data;
using SegNets.Data.Transforms;
using SegNets.Models;
using SegNets.Tests.Support;
using static TorchSharp.torch;

namespace SegNets.Tests.Data;

/// <summary>
/// The joint transforms against Debian's Pillow 9.4 / torchvision 0.14 (tools/reference/pil_transforms.py), and their
/// geometry pixel by pixel on synthetic samples whose labels differ at every pixel, so that any wrong index shows.
/// </summary>
public class TransformsTests(ITestOutputHelper output)
{
    static JsonElement Reference() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(PythonReference.Run("pil_transforms.py"), "reference.json"))).RootElement;

    static long[] Longs(JsonElement e) => e.EnumerateArray().Select(v => v.GetInt64()).ToArray();

    static Tensor Bytes(JsonElement e, params long[] shape) =>
        tensor(e.EnumerateArray().Select(v => (byte)v.GetInt32()).ToArray()).reshape(shape);

    /// <summary>Image (3,H,W) with distinct-ish values and mask (H,W) with label = row-major index (all distinct).</summary>
    static SegmentationSample Synthetic(int h, int w, string id = "s")
    {
        var mask = arange(h * w, dtype: ScalarType.Int64).reshape(h, w);
        var image = stack([mask % 256, (mask * 7) % 256, (mask / 3) % 256]).to_type(ScalarType.Byte);
        return new SegmentationSample(id, image, mask);
    }

    static long[,] MaskArray(Tensor mask)
    {
        var data = mask.to_type(ScalarType.Int64).data<long>().ToArray();
        var result = new long[mask.shape[0], mask.shape[1]];
        Buffer.BlockCopy(data, 0, result, 0, data.Length * sizeof(long));
        return result;
    }

    static void SameTensor(Tensor actual, Tensor expected, string what)
    {
        actual.dtype.Should().Be(expected.dtype, what);
        actual.shape.Should().Equal(expected.shape, what);
        actual.eq(expected).all().item<bool>().Should().BeTrue($"{what} must equal the expected values exactly");
    }

    // --- PIL NEAREST --------------------------------------------------------------------------------------------

    [Fact]
    public void NearestIndicesAreExactlyPilNearest()
    {
        var table = Reference().GetProperty("nearest");
        var checkedPairs = 0;
        foreach (var pair in table.EnumerateObject())
        {
            var parts = pair.Name.Split(',').Select(int.Parse).ToArray();
            PilOps.NearestIndices(parts[0], parts[1]).Should().Equal(Longs(pair.Value), $"PIL NEAREST {pair.Name}");
            checkedPairs++;
        }
        checkedPairs.Should().BeGreaterThan(1600);
        // The rule is floor((i + 0.5) * in / out), not torch 'nearest''s floor(i * in / out): 10 -> 3 takes 1, 5, 8.
        PilOps.NearestIndices(10, 3).Should().Equal(1, 5, 8);
        PilOps.NearestIndices(3, 10).Should().Equal(0, 0, 0, 1, 1, 1, 1, 2, 2, 2);
    }

    [Fact]
    public void TorchNearestModesPickOtherPixelsThanPil()
    {
        // Why a table: torch's 'nearest' floors i * in / out; 'nearest-exact' uses PIL's rule with a float32 scale.
        using var scope = NewDisposeScope();
        var row = arange(10, dtype: ScalarType.Float32).reshape(1, 1, 1, 10);
        var nearest = nn.functional.interpolate(row, [1, 3], mode: InterpolationMode.Nearest).reshape(-1).to_type(ScalarType.Int64);
        nearest.data<long>().ToArray().Should().Equal(0, 3, 6);
        // nearest-exact is PIL's rule; count where its float arithmetic lands on another pixel than Pillow's.
        var (pairs, differing) = (0, 0);
        foreach (var pair in Reference().GetProperty("nearest").EnumerateObject())
        {
            var parts = pair.Name.Split(',').Select(int.Parse).ToArray();
            var line = arange(parts[0], dtype: ScalarType.Float32).reshape(1, 1, 1, parts[0]);
            var exact = nn.functional.interpolate(line, [1, parts[1]], mode: InterpolationMode.NearestExact).reshape(-1).to_type(ScalarType.Int64);
            pairs++;
            differing += exact.data<long>().ToArray().SequenceEqual(Longs(pair.Value)) ? 0 : 1;
        }
        output.WriteLine($"torch nearest-exact differs from PIL NEAREST in {differing} of {pairs} (in, out) pairs");
        differing.Should().BeGreaterThan(0, "libtorch's float32 scale picks other pixels than Pillow's double arithmetic");
    }

    [Fact]
    public void MaskResizeTakesPilsSourcePixelsAndKeepsInt64AndIgnore()
    {
        using var scope = NewDisposeScope();
        using var sample = Synthetic(7, 10);
        sample.Mask[3, 4] = tensor(SegmentationSample.IgnoreIndex);
        var resized = new Resize(5, 23).Apply(sample, new Random(0));
        resized.Mask.dtype.Should().Be(ScalarType.Int64);
        resized.Mask.shape.Should().Equal(5, 23);
        var rows = PilOps.NearestIndices(7, 5);
        var cols = PilOps.NearestIndices(10, 23);
        var source = MaskArray(sample.Mask);
        var actual = MaskArray(resized.Mask);
        for (var i = 0; i < 5; i++)
        {
            for (var j = 0; j < 23; j++)
                actual[i, j].Should().Be(source[rows[i], cols[j]], $"pixel ({i},{j})");
        }
        resized.Mask.eq(SegmentationSample.IgnoreIndex).any().item<bool>().Should().BeTrue("the ignore label survives nearest resizing");
        resized.Image.dtype.Should().Be(ScalarType.Byte);
        resized.Image.shape.Should().Equal(3, 5, 23);
    }

    // --- PIL BILINEAR, GaussianBlur, GluonCV val ------------------------------------------------------------------

    [Fact]
    public void BilinearResizeIsWithinOneOrTwoGreyLevelsOfPil()
    {
        var bilinear = Reference().GetProperty("bilinear");
        using var scope = NewDisposeScope();
        var input = Bytes(bilinear.GetProperty("input"), 3, 37, 53);
        foreach (var o in bilinear.GetProperty("outputs").EnumerateArray())
        {
            int h = o.GetProperty("height").GetInt32(), w = o.GetProperty("width").GetInt32();
            var expected = Bytes(o.GetProperty("data"), 3, h, w).to_type(ScalarType.Int32);
            var actual = PilOps.ResizeBilinear(input, h, w);
            actual.dtype.Should().Be(ScalarType.Byte);
            var diff = (actual.to_type(ScalarType.Int32) - expected).abs();
            var max = diff.max().item<int>();
            var mean = diff.to_type(ScalarType.Float32).mean().item<float>();
            var exact = diff.eq(0).to_type(ScalarType.Float32).mean().item<float>();
            output.WriteLine($"37x53 -> {h}x{w}: max |ours - PIL| {max}, mean {mean:F3}, equal {exact:P1}");
            max.Should().BeLessThanOrEqualTo(2, $"{h}x{w}: torch's antialiased bilinear is PIL's filter up to fixed-point rounding");
            if (h == 37 && w == 53)
                max.Should().Be(0, "same size is the identity, as in PIL");
        }
    }

    [Fact]
    public void GaussianBlurIsBitExactPil()
    {
        var blur = Reference().GetProperty("blur");
        using var scope = NewDisposeScope();
        var input = Bytes(blur.GetProperty("input"), 3, 23, 31);
        foreach (var o in blur.GetProperty("outputs").EnumerateArray())
        {
            var radius = o.GetProperty("radius").GetDouble();
            var expected = Bytes(o.GetProperty("data"), 3, 23, 31);
            SameTensor(PilOps.GaussianBlur(input, (float)radius), expected, $"GaussianBlur(radius={radius})");
        }
    }

    [Fact]
    public void GluonCVValMatchesSegbaseValSyncTransform()
    {
        using var scope = NewDisposeScope();
        foreach (var c in Reference().GetProperty("val").EnumerateArray())
        {
            int h = c.GetProperty("height").GetInt32(), w = c.GetProperty("width").GetInt32(), crop = c.GetProperty("crop").GetInt32();
            var mask = tensor(Longs(c.GetProperty("mask"))).reshape(h, w);
            using var sample = new SegmentationSample("v", Bytes(c.GetProperty("image"), 3, h, w), mask);
            using var result = SegmentationPresets.GluonCVVal(crop).Apply(sample, new Random(1));
            SameTensor(result.Mask, tensor(Longs(c.GetProperty("out_mask"))).reshape(crop, crop), $"val mask {h}x{w} crop {crop}");
            var expected = Bytes(c.GetProperty("out_image"), 3, crop, crop).to_type(ScalarType.Int32);
            var max = (result.Image.to_type(ScalarType.Int32) - expected).abs().max().item<int>();
            output.WriteLine($"val {h}x{w} crop {crop}: image max |ours - GluonCV/PIL| {max}");
            max.Should().BeLessThanOrEqualTo(2);
        }
    }

    [Fact]
    public void ColorJitterAdjustmentsEqualTorchvision()
    {
        var jitter = Reference().GetProperty("jitter");
        using var scope = NewDisposeScope();
        var input = Bytes(jitter.GetProperty("input"), 3, 11, 13);
        foreach (var o in jitter.GetProperty("outputs").EnumerateArray())
        {
            var name = o.GetProperty("name").GetString();
            var factor = o.GetProperty("factor").GetDouble();
            var expected = Bytes(o.GetProperty("data"), 3, 11, 13);
            var actual = name switch
            {
                "brightness" => ColorJitter.AdjustBrightness(input, factor),
                "contrast" => ColorJitter.AdjustContrast(input, factor),
                "saturation" => ColorJitter.AdjustSaturation(input, factor),
                _ => ColorJitter.AdjustHue(input, factor),
            };
            var max = (actual.to_type(ScalarType.Int32) - expected.to_type(ScalarType.Int32)).abs().max().item<int>();
            output.WriteLine($"{name} {factor}: max |ours - torchvision| {max}");
            SameTensor(actual, expected, $"adjust_{name}({factor})");
        }
    }

    [Fact]
    public void ColorJitterLeavesTheMaskAndIsReproducible()
    {
        using var scope = NewDisposeScope();
        using var sample = Synthetic(9, 12);
        var jitter = new ColorJitter(0.4, 0.4, 0.4, 0.1);
        using var a = jitter.Apply(sample, new Random(5));
        using var b = jitter.Apply(sample, new Random(5));
        SameTensor(a.Image, b.Image, "same seed");
        SameTensor(a.Mask, sample.Mask, "mask");
        a.Image.eq(sample.Image).all().item<bool>().Should().BeFalse();
        using var none = new ColorJitter().Apply(sample, new Random(5));
        SameTensor(none.Image, sample.Image, "no jitter");
    }

    // --- geometry -----------------------------------------------------------------------------------------------

    [Fact]
    public void HorizontalFlipMirrorsImageAndMaskTogether()
    {
        using var scope = NewDisposeScope();
        using var sample = Synthetic(4, 5);
        using var flipped = new HorizontalFlip(1).Apply(sample, new Random(0));
        var m = MaskArray(flipped.Mask);
        for (var i = 0; i < 4; i++)
        {
            for (var j = 0; j < 5; j++)
                m[i, j].Should().Be(i * 5 + (4 - j));
        }
        SameTensor(flipped.Image, sample.Image.flip(-1), "image");
        using var kept = new HorizontalFlip(0).Apply(sample, new Random(0));
        SameTensor(kept.Mask, sample.Mask, "p = 0");
    }

    [Theory]
    [InlineData(8, 9, 5, 5, 2, 2)] // surplus 3 and 4: round(1.5) = 2, round(2.0) = 2
    [InlineData(6, 7, 5, 5, 0, 1)] // surplus 1 and 2: round(0.5) = 0 (half to even), round(1.0) = 1
    [InlineData(10, 10, 5, 5, 2, 2)] // surplus 5: round(2.5) = 2
    [InlineData(4, 4, 6, 6, -1, -1)] // larger than the input: round(-1.0) = -1, filled outside
    public void CenterCropUsesPythonRoundingAndFillsOutside(int h, int w, int ch, int cw, int top, int left)
    {
        using var scope = NewDisposeScope();
        using var sample = Synthetic(h, w);
        using var cropped = new CenterCrop(ch, cw, maskFill: SegmentationSample.IgnoreIndex).Apply(sample, new Random(0));
        cropped.Mask.shape.Should().Equal(ch, cw);
        var m = MaskArray(cropped.Mask);
        var source = MaskArray(sample.Mask);
        for (var i = 0; i < ch; i++)
        {
            for (var j = 0; j < cw; j++)
            {
                int si = top + i, sj = left + j;
                var inside = si >= 0 && si < h && sj >= 0 && sj < w;
                m[i, j].Should().Be(inside ? source[si, sj] : SegmentationSample.IgnoreIndex, $"({i},{j})");
                var pixel = cropped.Image[.., i, j];
                if (!inside)
                    pixel.eq(0).all().item<bool>().Should().BeTrue();
                else
                    pixel.eq(sample.Image[.., si, sj]).all().item<bool>().Should().BeTrue();
            }
        }
    }

    [Fact]
    public void PadExtendsRightAndBottomWithTheFills()
    {
        using var scope = NewDisposeScope();
        using var sample = Synthetic(3, 6);
        using var padded = new Pad(5, 4, imageFill: 7).Apply(sample, new Random(0));
        padded.Image.shape.Should().Equal(new long[] { 3, 5, 6 }, "only the height is below the minimum");
        padded.Mask.dtype.Should().Be(ScalarType.Int64);
        SameTensor(padded.Mask[..3, ..], sample.Mask, "original part");
        SameTensor(padded.Image[.., ..3, ..], sample.Image, "original image");
        padded.Mask[3.., ..].eq(255).all().item<bool>().Should().BeTrue("torchvision pads the target with 255");
        padded.Image[.., 3.., ..].eq(7).all().item<bool>().Should().BeTrue();
        using var gluon = new Pad(4, 8, maskFill: 0).Apply(sample, new Random(0));
        gluon.Mask[3.., ..].eq(0).all().item<bool>().Should().BeTrue();
        gluon.Mask[..3, 6..].eq(0).all().item<bool>().Should().BeTrue();
    }

    [Fact]
    public void RandomCropWindowsAreExactSlicesAndCoverAllOffsets()
    {
        using var scope = NewDisposeScope();
        using var sample = Synthetic(6, 9);
        var crop = new RandomCrop(4, 5);
        var random = new Random(11);
        var seen = new HashSet<(long, long)>();
        for (var n = 0; n < 300; n++)
        {
            using var c = crop.Apply(sample, random);
            c.Mask.shape.Should().Equal(4, 5);
            var first = c.Mask[0, 0].item<long>();
            long top = first / 9, left = first % 9;
            SameTensor(c.Mask, sample.Mask[(int)top..(int)(top + 4), (int)left..(int)(left + 5)], "window");
            SameTensor(c.Image, sample.Image[.., (int)top..(int)(top + 4), (int)left..(int)(left + 5)], "image window");
            seen.Add((top, left));
        }
        seen.Should().HaveCount(3 * 5, "every offset 0..h-crop x 0..w-crop is drawn");
        using var small = Synthetic(2, 3);
        using var padded = crop.Apply(small, new Random(0));
        SameTensor(padded.Mask[..2, ..3], small.Mask, "a smaller input is padded, not moved");
        padded.Mask[2.., ..].eq(255).all().item<bool>().Should().BeTrue();
    }

    [Fact]
    public void ResizeToShortSideTruncatesTheLongSide()
    {
        Resize.ToShortSide(480).OutputSize(375, 500).Should().Be((480, 640));
        Resize.ToShortSide(520).OutputSize(500, 333).Should().Be((780, 520)); // 520 * 500 / 333 = 780.78
        Resize.ToShortSide(7).OutputSize(10, 10).Should().Be((7, 7));
        new Resize(3, 4).OutputSize(100, 50).Should().Be((3, 4));
    }

    // --- GluonCV _sync_transform ------------------------------------------------------------------------------

    /// <summary>Records every draw so that a test can rebuild what the transform must have done.</summary>
    sealed class RecordingRandom(int seed) : Random(seed)
    {
        public List<double> Draws { get; } = [];

        public override double NextDouble()
        {
            var v = base.NextDouble();
            Draws.Add(v);
            return v;
        }

        public override int Next(int minValue, int maxValue)
        {
            var v = base.Next(minValue, maxValue);
            Draws.Add(v);
            return v;
        }
    }

    [Fact]
    public void RandomScaleCropFlipFollowsGluonCVStepByStep()
    {
        using var scope = NewDisposeScope();
        const int baseSize = 20, crop = 16;
        var transform = new RandomScaleCropFlip(baseSize, crop);
        transform.MinLongSide.Should().Be(10);
        transform.MaxLongSide.Should().Be(40);
        var longSides = new List<int>();
        var (flips, blurs, pads) = (0, 0, 0);
        for (var seed = 0; seed < 200; seed++)
        {
            var h = 9 + seed % 13;
            var w = 7 + seed % 17;
            using var sample = Synthetic(h, w, $"s{seed}");
            sample.Mask[0, 0] = tensor(SegmentationSample.IgnoreIndex);
            var random = new RecordingRandom(seed);
            using var result = transform.Apply(sample, random);
            result.Image.shape.Should().Equal(3, crop, crop);
            result.Image.dtype.Should().Be(ScalarType.Byte);
            result.Mask.shape.Should().Equal(crop, crop);
            result.Mask.dtype.Should().Be(ScalarType.Int64);

            // Rebuild the mask from the recorded draws: flip, long side, x1, y1 (blur touches the image only).
            var d = random.Draws;
            var flip = d[0] < 0.5;
            var longSize = (int)d[1];
            int x1 = (int)d[2], y1 = (int)d[3];
            longSize.Should().BeInRange(10, 40);
            longSides.Add(longSize);
            var (oh, ow) = RandomScaleCropFlip.ScaledSize(h, w, longSize);
            Math.Max(oh, ow).Should().Be(longSize, "GluonCV sets the LONG side to the drawn size");
            x1.Should().BeInRange(0, Math.Max(ow, crop) - crop);
            y1.Should().BeInRange(0, Math.Max(oh, crop) - crop);
            var rows = PilOps.NearestIndices(h, oh);
            var cols = PilOps.NearestIndices(w, ow);
            var source = MaskArray(sample.Mask);
            var actual = MaskArray(result.Mask);
            for (var i = 0; i < crop; i++)
            {
                for (var j = 0; j < crop; j++)
                {
                    int yi = y1 + i, xj = x1 + j;
                    long expected = yi < oh && xj < ow ? source[rows[yi], flip ? w - 1 - cols[xj] : cols[xj]] : 0;
                    actual[i, j].Should().Be(expected, $"seed {seed}: mask ({i},{j}), flip {flip}, long {longSize}, x1 {x1}, y1 {y1}");
                }
            }
            flips += flip ? 1 : 0;
            pads += oh < crop || ow < crop ? 1 : 0;
            var blurred = d.Count == 6 && d[4] < 0.5;
            (d.Count == 6).Should().Be(d[4] < 0.5, "a blur radius is drawn exactly when the blur runs");
            blurs += blurred ? 1 : 0;
            if (blurred)
                d[5].Should().BeInRange(0, 1);
        }
        longSides.Min().Should().BeLessThan(14);
        longSides.Max().Should().BeGreaterThan(36);
        flips.Should().BeInRange(70, 130);
        blurs.Should().BeInRange(70, 130);
        pads.Should().BeGreaterThan(20, "small scales pad with GluonCV's mask fill 0");
        output.WriteLine($"200 draws: long side {longSides.Min()}..{longSides.Max()}, {flips} flips, {blurs} blurs, {pads} padded");
    }

    [Fact]
    public void RandomScaleCropFlipImageIsFlipResizePadCropBlurOfTheInput()
    {
        using var scope = NewDisposeScope();
        var transform = new RandomScaleCropFlip(24, 20);
        for (var seed = 0; seed < 30; seed++)
        {
            using var sample = Synthetic(13, 18);
            var random = new RecordingRandom(seed);
            using var result = transform.Apply(sample, random);
            var d = random.Draws;
            var image = d[0] < 0.5 ? sample.Image.flip(-1) : sample.Image;
            var (oh, ow) = RandomScaleCropFlip.ScaledSize(13, 18, (int)d[1]);
            image = PilOps.ResizeBilinear(image, oh, ow);
            image = PilOps.CropOrFill(image, (int)d[3], (int)d[2], 20, 20, 0);
            if (d[4] < 0.5)
                image = PilOps.GaussianBlur(image, (float)d[5]);
            SameTensor(result.Image, image, $"seed {seed}");
        }
    }

    [Fact]
    public void SameSeedSameSampleDifferentSeedDifferentSample()
    {
        using var scope = NewDisposeScope();
        using var sample = Synthetic(30, 41);
        var pipeline = SegmentationPresets.GluonCVTrain(40, 24, InputNormalization.ImageNet);
        using var a = pipeline.Apply(sample, new Random(123));
        using var b = pipeline.Apply(sample, new Random(123));
        using var c = pipeline.Apply(sample, new Random(124));
        SameTensor(a.Image, b.Image, "image, same seed");
        SameTensor(a.Mask, b.Mask, "mask, same seed");
        (a.Mask.eq(c.Mask).all().item<bool>() && a.Image.eq(c.Image).all().item<bool>()).Should().BeFalse();
        a.Image.dtype.Should().Be(ScalarType.Float32);
        sample.Mask.shape.Should().Equal(new long[] { 30, 41 }, "the input is left alone");
    }

    // --- Normalize, Compose, presets ------------------------------------------------------------------------------

    [Fact]
    public void NormalizeEqualsInputNormalizationAndKeepsTheMask()
    {
        using var scope = NewDisposeScope();
        using var sample = Synthetic(5, 6);
        sample.Mask[1, 1] = tensor(SegmentationSample.IgnoreIndex);
        foreach (var norm in new[] { InputNormalization.ImageNet, InputNormalization.ChainerCVPspNet, InputNormalization.TfDeepLab, new InputNormalization(1, [1, 2, 3], [4, 5, 6], Bgr: true) })
        {
            using var normalized = new Normalize(norm).Apply(sample, new Random(0));
            normalized.Image.dtype.Should().Be(ScalarType.Float32);
            SameTensor(normalized.Image, norm.Apply(sample.Image), $"{norm}");
            SameTensor(normalized.Mask, sample.Mask, "mask");
        }
    }

    [Fact]
    public void ComposeRunsInOrderAndEmptyComposeIsTestVal()
    {
        using var scope = NewDisposeScope();
        using var sample = Synthetic(6, 8);
        using var composed = new Compose(new HorizontalFlip(1), new CenterCrop(4, 4), new HorizontalFlip(1)).Apply(sample, new Random(0));
        SameTensor(composed.Mask, sample.Mask[1..5, 2..6], "flip, centre crop, flip back");
        using var testVal = SegmentationPresets.GluonCVTestVal().Apply(sample, new Random(0));
        SameTensor(testVal.Mask, sample.Mask, "testval mask");
        SameTensor(testVal.Image, sample.Image, "testval image");
    }

    [Fact]
    public void EvaluationPresetsHaveTheOriginalsSizes()
    {
        using var scope = NewDisposeScope();
        using var sample = Synthetic(15, 20);
        using var tv = SegmentationPresets.TorchvisionEval(12).Apply(sample, new Random(0));
        tv.Mask.shape.Should().Equal(12, 16);
        using var gluon = SegmentationPresets.GluonCVVal(10).Apply(sample, new Random(0));
        gluon.Mask.shape.Should().Equal(10, 10);
        var random = new Random(3);
        for (var n = 0; n < 50; n++)
        {
            using var t = SegmentationPresets.TorchvisionTrain(12, 9).Apply(sample, random);
            t.Mask.shape.Should().Equal(9, 9);
            t.Mask.dtype.Should().Be(ScalarType.Int64);
        }
    }
}
