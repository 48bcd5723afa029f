using System.Diagnostics;
using SegNets.Data.Transforms;
using SegNets.Data;
using SegNets.Imaging;
using SegNets.Layers;
using SegNets.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Evaluation;

/// <summary>
/// Runs a segmentation model over images and datasets the way the zoos evaluate: either one plain forward of the image
/// as it is, or GluonCV's multi-scale, flipped, sliding-window inference (<see cref="EvaluationOptions"/>).
/// </summary>
/// <remarks>
/// <para>The GluonCV protocol reproduces dmlc/gluon-cv@567775619f3b97d47e7c360748912a4fd883ff52
/// gluoncv/model_zoo/segbase.py, <c>MultiEvalModel.__call__</c> / <c>flip_inference</c> and the helpers
/// <c>_resize_image</c>, <c>_pad_image</c>, <c>_crop_image</c>, <c>_flip_image</c>. For an image of H x W and each
/// scale s:</para>
/// <list type="number">
/// <item>long = ceil(base_size * s); the long side becomes long and the short one int(short * long / long_side + 0.5)
/// (height when H &gt; W, else width, so a square image is scaled by its width). The NORMALISED image is resized with
/// bilinear interpolation, align_corners = true (<c>mx.nd.contrib.BilinearResize2D</c>, whose align_corners defaults to
/// true: apache/mxnet@b84609d3 src/operator/contrib/bilinear_resize-inl.h).</item>
/// <item>If long &lt;= crop_size the resized image is padded at the bottom and right to crop_size x crop_size, run
/// through <c>flip_inference</c> and cut back to its size.</item>
/// <item>Otherwise it is padded only if its short side is below crop_size, then tiled: stride = int(crop_size *
/// stride_rate), stride_rate = 2/3; rows = ceil((padded_h - crop_size) / stride) + 1, columns likewise; tile (i, j)
/// covers [i*stride, min(i*stride + crop_size, padded_h)) and the same in width, is padded to crop_size, run through
/// <c>flip_inference</c>, cut back, and added into an output map; a count map counts the tiles over each pixel and the
/// output is divided by it, then cut to the resized size.</item>
/// <item>That output is resized to H x W (bilinear, align_corners = true) and added to the total over scales; the class
/// map is the argmax.</item>
/// </list>
/// <para><c>flip_inference</c> adds the RAW logits of the flipped input, flipped back, to those of the input and returns
/// <c>exp</c> of the sum: GluonCV sums neither logits nor softmax probabilities over tiles and scales but
/// exp(logits + flipped logits), unnormalised. <see cref="PredictLogits"/> returns exactly that sum, so its values can be
/// large (and overflow float32 to infinity past logits of about 88, as GluonCV's would).</para>
/// <para>Padding: GluonCV pads the normalised image with -mean/std of ImageNet, i.e. black. Here the pad value is the
/// model's <see cref="SegmentationModel.Normalization"/> applied to a black pixel, which is the same for the ImageNet
/// normalisation every GluonCV model uses, and still black for other models.</para>
/// <para>Which GluonCV numbers used this: <c>scripts/segmentation/test.py</c> built <c>MultiEvalModel(model, nclass,
/// ctx_list)</c>, i.e. flip = true and scales 0.5-1.75, until commit 7c1bb35e (Fast-SCNN, May 2020) changed the
/// condition to <c>if 'icnet' or 'fastscnn' in args.model</c>, which is always true, so from then on the script
/// evaluates every model with one plain forward (<c>SegEvalModel(use_predict=True)</c>) of the testval image as it is —
/// that is <see cref="EvaluationOptions.Plain"/> here.</para>
/// <para>The padded protocol (<see cref="EvaluationOptions.PaddedTo"/>) is TF DeepLab's evaluation
/// (tensorflow/models@0250304c research/deeplab/input_preprocess.py <c>preprocess_image_and_label</c> with
/// is_training false: the raw image padded at the bottom and right with the model variant's mean pixel, 127.5, to
/// target = size + max(eval_crop_size - size, 0), the label with the ignore value; model.py <c>predict_labels</c> resizes
/// the logits to the padded input, bilinear with align_corners = true, before the argmax). Cutting the prediction back
/// to the image equals ignoring the padded labels. ChainerCV's DeepLabV3+ <c>predict</c> pads the same way
/// (chainer/chainercv@71596166 deeplab_v3_plus.py <c>prepare</c>, mean 127.5, to min_input_size) but takes the softmax
/// before resizing the head's output, which can move the argmax of a pixel between two nearly equal classes.</para>
/// <para>The ChainerCV tile protocol (<see cref="EvaluationOptions.ChainerCVTiles"/>) is PSPNet's <c>predict</c> with one
/// scale (chainer/chainercv@7159616642e0 experimental/links/model/pspnet/pspnet.py <c>_tile_predict</c>, transforms.py
/// <c>convolution_crop</c>, transforms/image/resize_contain.py): on the mean-subtracted image, if its long side exceeds the
/// tile's, rows = ceil((H - th) / sh) + 1 tiles of th at stride sh = ceil(2/3 th) start at floor(-(th + sh (rows - 1) - H) / 2)
/// (centred, reaching past both edges), likewise for columns; each tile is zero outside the image, and the softmax of it
/// and of its mirror image (flipped back) are added over the pixels it covers and divided by twice the count. Otherwise
/// the image is centred in one zero tile (resize_contain never enlarges; offsets (th - H) / 2 rounded down) and the
/// average of the two softmaxes is cut back. "Zero" is in the normalised space, as ChainerCV pads after subtracting its
/// mean. The result is probabilities (they sum to 1 per pixel).</para>
/// <para>Plain mode returns the logits of one forward (plus the flipped-back logits of the flipped image when
/// <see cref="EvaluationOptions.Flip"/> is set), without exp.</para>
/// </remarks>
public sealed class SegmentationEvaluator
{
    public SegmentationEvaluator(SegmentationModel model, EvaluationOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Model = model;
        Options = options;
    }

    public SegmentationModel Model { get; }

    public EvaluationOptions Options { get; }

    /// <summary>The model's device (that of its first parameter; CPU without parameters).</summary>
    public Device Device => Model.parameters().FirstOrDefault()?.device ?? CPU;

    /// <summary>
    /// Summed class scores (C, H, W) float32 of one raw RGB image (3, H, W) with values 0..255 (uint8 or float), at
    /// the image's size, on the model's device: GluonCV's exp-of-logits sum in its protocol, logits in plain mode
    /// (see the class remarks). The model runs in eval mode without gradients; its mode is restored.
    /// </summary>
    public Tensor PredictLogits(Tensor image)
    {
        CheckImage(image);
        bool wasTraining = Model.training;
        Model.eval();
        try
        {
            using var _ = no_grad();
            using var scope = NewDisposeScope();
            var x = Model.Normalization.Apply(image.to(Device)).unsqueeze(0);
            var scores = Options.BaseSize is not null ? MultiScale(x)
                : Options.PadHeight is not null ? Padded(x)
                : Options.TileHeight is not null ? ChainerCVTiles(x)
                : Plain(x);
            return scores.squeeze(0).MoveToOuterDisposeScope();
        }
        finally
        {
            Model.train(wasTraining);
        }
    }

    /// <summary>The class map (H, W) int64 of one raw RGB image (3, H, W): the argmax of <see cref="PredictLogits"/>.</summary>
    public Tensor Predict(Tensor image)
    {
        using var scope = NewDisposeScope();
        return PredictLogits(image).argmax(0).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Predicts every image of <paramref name="dataset"/> and scores it against its mask (ignore 255). The dataset's
    /// classes must be the model's. <paramref name="progress"/> gets the number of images done after each one.
    /// </summary>
    public EvaluationResult Evaluate(ISegmentationDataset dataset, IProgress<int>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        if (dataset.Labels.NumClasses != Model.NumClasses)
            throw new ArgumentException($"the dataset '{dataset.Labels.Name}' has {dataset.Labels.NumClasses} classes but the model predicts {Model.NumClasses}", nameof(dataset));
        if (Options.PredictionDirectory is { } outDir) Directory.CreateDirectory(outDir);
        if (Options.OverlayDirectory is { } overlayDir) Directory.CreateDirectory(overlayDir);
        var watch = Stopwatch.StartNew();
        var device = Device;
        using var matrix = new ConfusionMatrix(Model.NumClasses, SegmentationSample.IgnoreIndex, device)
        {
            ClassNames = dataset.Labels.Classes,
        };
        bool wasTraining = Model.training;
        Model.eval();
        try
        {
            for (int i = 0; i < dataset.Count; i++)
            {
                ct.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                using var sample = dataset.Get(i);
                var prediction = Predict(sample.Image);
                try
                {
                    matrix.Update(prediction, sample.Mask.to(device));
                }
                catch (ArgumentException e)
                {
                    throw new ArgumentException($"sample {sample.Id} (index {i}): {e.Message}", e);
                }
                if (Options.PredictionDirectory is { } dir)
                    ImageFile.WriteColoredPng(prediction, dataset.Labels, Path.Combine(dir, FileNameOf(sample.Id) + ".png"));
                if (Options.OverlayDirectory is { } overlays)
                    ImageFile.WriteOverlayPng(sample.Image, prediction, dataset.Labels, Path.Combine(overlays, FileNameOf(sample.Id) + ".png"));
                progress?.Report(i + 1);
            }
        }
        finally
        {
            Model.train(wasTraining);
        }
        var metrics = matrix.Compute();
        return new EvaluationResult(metrics, dataset.Count, watch.Elapsed);
    }

    private static void CheckImage(Tensor image)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.dim() != 3 || image.shape[0] != 3)
            throw new ArgumentException($"expected one RGB image (3, H, W) with values 0..255, got shape [{string.Join(", ", image.shape)}]", nameof(image));
        if (image.shape[1] < 1 || image.shape[2] < 1)
            throw new ArgumentException($"the image is empty: shape [{string.Join(", ", image.shape)}]", nameof(image));
    }

    /// <summary>One forward of the image as it is, plus the flipped image's flipped-back logits if asked.</summary>
    private Tensor Plain(Tensor x)
    {
        var logits = Model.MainLogits(x);
        if (Options.Flip) logits = logits + Model.MainLogits(x.flip(3)).flip(3);
        return logits;
    }

    /// <summary>TF DeepLab eval: pad bottom/right with the normalised pad pixel to at least PadHeight x PadWidth, one
    /// forward (plus flip if asked), the logits cut back to the image.</summary>
    private Tensor Padded(Tensor x)
    {
        long h = x.shape[2], w = x.shape[3];
        long ph = Math.Max(h, Options.PadHeight!.Value), pw = Math.Max(w, Options.PadWidth!.Value);
        if (ph == h && pw == w) return Plain(x);
        using var pixel = full(3, 1, 1, Options.PadPixel, ScalarType.Float32, x.device);
        var padded = Model.Normalization.Apply(pixel).view(1, 3, 1, 1).expand(1, 3, ph, pw).clone();
        Crop(padded, 0, h, 0, w).copy_(x);
        return Crop(Plain(padded), 0, h, 0, w);
    }

    /// <summary>ChainerCV PSPNet._tile_predict for one normalised image (1, 3, H, W); see the class remarks.</summary>
    private Tensor ChainerCVTiles(Tensor x)
    {
        long h = x.shape[2], w = x.shape[3];
        int th = Options.TileHeight!.Value, tw = Options.TileWidth!.Value;
        Tensor MirroredSoftmax(Tensor batch) =>
            Model.MainLogits(batch).softmax(1) + Model.MainLogits(batch.flip(3)).softmax(1).flip(3);
        if (Math.Max(h, w) <= Math.Max(th, tw))
        {
            if (h > th || w > tw)
                throw new NotSupportedException($"a {h}x{w} image with a {th}x{tw} tile: ChainerCV would shrink it first (resize_contain), which SegNets does not reproduce");
            long y0 = (th - h) / 2, x0 = (tw - w) / 2;
            var tile = zeros([1, 3, th, tw], ScalarType.Float32, x.device);
            Crop(tile, y0, y0 + h, x0, x0 + w).copy_(x);
            return Crop(MirroredSoftmax(tile), y0, y0 + h, x0, x0 + w) / 2;
        }
        long sh = (long)Math.Ceiling(th * 2.0 / 3), sw = (long)Math.Ceiling(tw * 2.0 / 3);
        long rows = (long)Math.Ceiling((double)(h - th) / sh) + 1, columns = (long)Math.Ceiling((double)(w - tw) / sw) + 1;
        long startY = (long)Math.Floor(-(th + sh * (rows - 1) - h) / 2.0), startX = (long)Math.Floor(-(tw + sw * (columns - 1) - w) / 2.0);
        var scores = zeros([1, Model.NumClasses, h, w], ScalarType.Float32, x.device);
        var counts = zeros([1, 1, h, w], ScalarType.Float32, x.device);
        var tiles = new List<(long Y, long X)>();
        for (long r = 0; r < rows; r++)
        for (long c = 0; c < columns; c++)
            tiles.Add((r * sh + startY, c * sw + startX));
        foreach (var chunk in tiles.Chunk(Options.BatchSize))
        {
            using var tileScope = NewDisposeScope();
            var batch = zeros([chunk.Length, 3, th, tw], ScalarType.Float32, x.device);
            for (int k = 0; k < chunk.Length; k++)
            {
                var (y0, x0, y1, x1) = Clip(chunk[k]);
                Crop(batch.narrow(0, k, 1), y0 - chunk[k].Y, y1 - chunk[k].Y, x0 - chunk[k].X, x1 - chunk[k].X).copy_(Crop(x, y0, y1, x0, x1));
            }
            var probabilities = MirroredSoftmax(batch);
            for (int k = 0; k < chunk.Length; k++)
            {
                var (y0, x0, y1, x1) = Clip(chunk[k]);
                Crop(scores, y0, y1, x0, x1).add_(Crop(probabilities.narrow(0, k, 1), y0 - chunk[k].Y, y1 - chunk[k].Y, x0 - chunk[k].X, x1 - chunk[k].X));
                Crop(counts, y0, y1, x0, x1).add_(2);
            }
        }
        return scores / counts;

        (long Y0, long X0, long Y1, long X1) Clip((long Y, long X) tile) =>
            (Math.Max(tile.Y, 0), Math.Max(tile.X, 0), Math.Min(tile.Y + th, h), Math.Min(tile.X + tw, w));
    }

    /// <summary>GluonCV MultiEvalModel.__call__ (segbase.py @5677756), for one normalised image (1, 3, H, W).</summary>
    private Tensor MultiScale(Tensor x)
    {
        long h = x.shape[2], w = x.shape[3];
        int baseSize = Options.BaseSize!.Value, crop = Options.CropSize!.Value;
        int stride = (int)(crop * Options.StrideRate);
        // _pad_image fills with -mean/std: the normalisation of a black pixel.
        using var black = zeros(3, 1, 1, device: x.device);
        var padValue = Model.Normalization.Apply(black).view(1, 3, 1, 1);
        var scores = zeros([1, Model.NumClasses, h, w], ScalarType.Float32, x.device);
        foreach (var scale in Options.Scales)
        {
            using var scope = NewDisposeScope();
            long longSize = (long)Math.Ceiling(baseSize * scale);
            long height, width, shortSize;
            if (h > w)
            {
                height = longSize;
                width = (long)(1.0 * w * longSize / h + 0.5);
                shortSize = width;
            }
            else
            {
                width = longSize;
                height = (long)(1.0 * h * longSize / w + 0.5);
                shortSize = height;
            }
            if (height < 1 || width < 1)
                throw new ArgumentException($"scale {scale} of base size {baseSize} resizes the {h}x{w} image to {height}x{width}; use a larger scale or base size");
            var current = Resize(x, height, width);
            Tensor outputs;
            if (longSize <= crop)
            {
                outputs = FlipInference(Pad(current, crop, padValue)).narrow(2, 0, height).narrow(3, 0, width);
            }
            else
            {
                var padded = shortSize < crop ? Pad(current, crop, padValue) : current;
                long ph = padded.shape[2], pw = padded.shape[3];
                int hGrids = (int)Math.Ceiling(1.0 * (ph - crop) / stride) + 1;
                int wGrids = (int)Math.Ceiling(1.0 * (pw - crop) / stride) + 1;
                outputs = zeros([1, Model.NumClasses, ph, pw], ScalarType.Float32, x.device);
                var count = zeros([1, 1, ph, pw], ScalarType.Float32, x.device);
                var tiles = new List<(long H0, long H1, long W0, long W1)>();
                for (int i = 0; i < hGrids; i++)
                for (int j = 0; j < wGrids; j++)
                {
                    long h0 = (long)i * stride, w0 = (long)j * stride;
                    tiles.Add((h0, Math.Min(h0 + crop, ph), w0, Math.Min(w0 + crop, pw)));
                }
                foreach (var chunk in tiles.Chunk(Options.BatchSize))
                {
                    using var tileScope = NewDisposeScope();
                    var batch = cat(chunk.Select(t => Pad(Crop(padded, t.H0, t.H1, t.W0, t.W1), crop, padValue)).ToArray(), 0);
                    var result = FlipInference(batch);
                    for (int k = 0; k < chunk.Length; k++)
                    {
                        var (h0, h1, w0, w1) = chunk[k];
                        Crop(outputs, h0, h1, w0, w1).add_(Crop(result.narrow(0, k, 1), 0, h1 - h0, 0, w1 - w0));
                        Crop(count, h0, h1, w0, w1).add_(1);
                    }
                }
                outputs = (outputs / count).narrow(2, 0, height).narrow(3, 0, width);
            }
            scores.add_(Resize(outputs, h, w));
        }
        return scores;
    }

    /// <summary>GluonCV flip_inference: exp(logits(x) + flip(logits(flip(x)))) — or exp(logits(x)) without flipping.</summary>
    private Tensor FlipInference(Tensor batch)
    {
        var output = Model.MainLogits(batch);
        if (Options.Flip) output = output + Model.MainLogits(batch.flip(3)).flip(3);
        return output.exp();
    }

    /// <summary>_resize_image: BilinearResize2D, align_corners = true.</summary>
    private static Tensor Resize(Tensor x, long height, long width) =>
        x.shape[2] == height && x.shape[3] == width
            ? x
            : nn.functional.interpolate(x, [height, width], mode: InterpolationMode.Bilinear, align_corners: true);

    /// <summary>_pad_image: bottom/right padding up to crop x crop (never cropping) with the per-channel pad value.</summary>
    private static Tensor Pad(Tensor x, long crop, Tensor padValue)
    {
        long h = x.shape[2], w = x.shape[3];
        if (h >= crop && w >= crop) return x;
        var padded = padValue.expand(x.shape[0], 3, Math.Max(h, crop), Math.Max(w, crop)).clone();
        Crop(padded, 0, h, 0, w).copy_(x);
        return padded;
    }

    /// <summary>_crop_image: img[:, :, h0:h1, w0:w1] (a view).</summary>
    private static Tensor Crop(Tensor x, long h0, long h1, long w0, long w1) => x.narrow(2, h0, h1 - h0).narrow(3, w0, w1 - w0);

    private static string FileNameOf(string id)
    {
        var invalid = Path.GetInvalidFileNameChars();
        var chars = id.Select(ch => ch == '/' || ch == '\\' || invalid.Contains(ch) ? '_' : ch).ToArray();
        var name = new string(chars);
        return name is "" or "." or ".." ? "_" + name : name;
    }
}
