namespace SegNets.Evaluation;

/// <summary>
/// How <see cref="SegmentationEvaluator"/> turns an image into class scores. With <see cref="BaseSize"/> and
/// <see cref="PadHeight"/> null the image goes through the network once as it is ("plain", torchvision's reference
/// evaluation); with <see cref="BaseSize"/> set, the image is resized, padded and tiled exactly as GluonCV's
/// <c>MultiEvalModel</c> does; with <see cref="PadHeight"/>/<see cref="PadWidth"/> set, it is padded at the bottom and
/// right to at least that size with a fixed pixel, as TF DeepLab's evaluation and ChainerCV's DeepLab do; with
/// <see cref="TileHeight"/>/<see cref="TileWidth"/> set, it is cut into centred overlapping tiles (or centred in one)
/// whose softmax is averaged with that of their mirror image, as ChainerCV's PSPNet does (see
/// <see cref="SegmentationEvaluator"/>).
/// </summary>
public sealed record EvaluationOptions
{
    /// <summary>GluonCV's multi-scale set (dmlc/gluon-cv@567775619f3b97d47e7c360748912a4fd883ff52
    /// gluoncv/model_zoo/segbase.py, <c>MultiEvalModel.__init__</c> default <c>scales</c>).</summary>
    public static IReadOnlyList<double> GluonCVScales { get; } = [0.5, 0.75, 1.0, 1.25, 1.5, 1.75];

    /// <summary>Long side the image is resized to at scale 1 (GluonCV <c>base_size</c>, 520 for VOC/ADE/COCO);
    /// null = plain mode, the image as it is.</summary>
    public int? BaseSize { get; init; }

    /// <summary>Network input size: pieces are padded to, and tiles cut at, CropSize x CropSize (GluonCV
    /// <c>crop_size</c>, 480). Required with <see cref="BaseSize"/>; must be null in plain mode.</summary>
    public int? CropSize { get; init; }

    /// <summary>Padded protocol: the image is padded at the bottom to at least this height (TF DeepLab
    /// <c>eval_crop_size</c>, ChainerCV <c>min_input_size</c>); set together with <see cref="PadWidth"/>.</summary>
    public int? PadHeight { get; init; }

    /// <summary>Padded protocol: the image is padded at the right to at least this width.</summary>
    public int? PadWidth { get; init; }

    /// <summary>Padded protocol: the raw RGB value (0..255, all three channels) of the padding, before normalisation:
    /// TF DeepLab's and ChainerCV's mean pixel 127.5, which their normalisation x / 127.5 - 1 turns into 0.</summary>
    public double PadPixel { get; init; } = 127.5;

    /// <summary>ChainerCV PSPNet protocol: the network's input height (PSPNet <c>input_size</c>: 713 Cityscapes, 473
    /// ADE20K); set together with <see cref="TileWidth"/> and <see cref="Flip"/>.</summary>
    public int? TileHeight { get; init; }

    /// <summary>ChainerCV PSPNet protocol: the network's input width.</summary>
    public int? TileWidth { get; init; }

    /// <summary>Scales of <see cref="BaseSize"/>; the class scores of all scales are summed. Plain mode allows only [1.0].</summary>
    public double[] Scales { get; init; } = [1.0];

    /// <summary>Also run the horizontally flipped input and add its flipped-back logits (GluonCV <c>flip_inference</c>).</summary>
    public bool Flip { get; init; }

    /// <summary>Tile stride as a fraction of <see cref="CropSize"/>: stride = int(CropSize * StrideRate) (GluonCV 2/3).</summary>
    public double StrideRate { get; init; } = 2.0 / 3;

    /// <summary>How many tiles of one image go through the network together (memory vs speed; the result is the
    /// same up to float rounding, the network being in eval mode).</summary>
    public int BatchSize { get; init; } = 4;

    /// <summary>If set, <see cref="SegmentationEvaluator.Evaluate"/> writes each predicted class map there as
    /// <c>ID.png</c>, coloured with the dataset's palette.</summary>
    public string? PredictionDirectory { get; init; }

    /// <summary>If set, <see cref="SegmentationEvaluator.Evaluate"/> writes each image with its prediction painted over
    /// it there as <c>ID.png</c> (<see cref="Imaging.ImageFile.WriteOverlayPng"/>), from the same prediction.</summary>
    public string? OverlayDirectory { get; init; }

    /// <summary>A single forward of the image as it is (torchvision's reference evaluation).</summary>
    public static EvaluationOptions Plain { get; } = new();

    /// <summary>TF DeepLab's evaluation (and ChainerCV's DeepLabV3+ predict): the image padded at the bottom and right
    /// with the raw pixel <paramref name="pixel"/> to at least <paramref name="height"/> x <paramref name="width"/>, one
    /// forward, the logits cut back to the image.</summary>
    public static EvaluationOptions PaddedTo(int height, int width, double pixel = 127.5) =>
        new() { PadHeight = height, PadWidth = width, PadPixel = pixel };

    /// <summary>ChainerCV's PSPNet <c>predict</c> (one scale): an image longer than the tile is cut into centred tiles
    /// <paramref name="height"/> x <paramref name="width"/> at a stride of ceil(2/3 tile), a smaller one is centred in
    /// one tile; the softmax of each tile and of its mirror image are averaged.</summary>
    public static EvaluationOptions ChainerCVTiles(int height, int width) =>
        new() { TileHeight = height, TileWidth = width, Flip = true };

    /// <summary>GluonCV at one scale without flipping (long side resized to <paramref name="baseSize"/>, padded or tiled
    /// at <paramref name="cropSize"/>).</summary>
    public static EvaluationOptions GluonCVSingleScale(int baseSize = 520, int cropSize = 480) =>
        new() { BaseSize = baseSize, CropSize = cropSize };

    /// <summary>GluonCV's MultiEvalModel defaults: scales 0.5-1.75 and flipping.</summary>
    public static EvaluationOptions GluonCVMultiScale(int baseSize = 520, int cropSize = 480) =>
        new() { BaseSize = baseSize, CropSize = cropSize, Scales = [.. GluonCVScales], Flip = true };

    /// <summary>Throws if the options contradict each other, naming the value.</summary>
    public void Validate()
    {
        if (Scales is null || Scales.Length == 0) throw new ArgumentException("Scales must hold at least one scale", nameof(Scales));
        if (BatchSize < 1) throw new ArgumentException($"BatchSize must be at least 1, got {BatchSize}", nameof(BatchSize));
        if (TileHeight is not null || TileWidth is not null)
        {
            if (TileHeight is not int th || TileWidth is not int tw || th < 1 || tw < 1)
                throw new ArgumentException($"the ChainerCV tile protocol needs a positive TileHeight and TileWidth, got {TileHeight?.ToString() ?? "null"} x {TileWidth?.ToString() ?? "null"}", nameof(TileHeight));
            if (BaseSize is not null || CropSize is not null || PadHeight is not null || PadWidth is not null)
                throw new ArgumentException("TileHeight/TileWidth (ChainerCV tile protocol) exclude BaseSize/CropSize (GluonCV) and PadHeight/PadWidth (padded)", nameof(TileHeight));
            if (!Flip)
                throw new ArgumentException("the ChainerCV tile protocol averages every tile with its mirror image; Flip must be true (EvaluationOptions.ChainerCVTiles sets it)", nameof(Flip));
            if (Scales is not [1.0])
                throw new ArgumentException($"the ChainerCV tile protocol is implemented for one scale; Scales must be [1.0], got [{string.Join(", ", Scales)}]", nameof(Scales));
            return;
        }
        if (PadHeight is not null || PadWidth is not null)
        {
            if (PadHeight is not int ph || PadWidth is not int pw || ph < 1 || pw < 1)
                throw new ArgumentException($"the padded protocol needs a positive PadHeight and PadWidth, got {PadHeight?.ToString() ?? "null"} x {PadWidth?.ToString() ?? "null"}", nameof(PadHeight));
            if (BaseSize is not null || CropSize is not null)
                throw new ArgumentException($"PadHeight/PadWidth (padded protocol) and BaseSize/CropSize (GluonCV protocol) exclude each other; got BaseSize {BaseSize?.ToString() ?? "null"}, CropSize {CropSize?.ToString() ?? "null"}", nameof(BaseSize));
            if (Scales is not [1.0])
                throw new ArgumentException($"the padded protocol evaluates at the image's own scale; Scales must be [1.0], got [{string.Join(", ", Scales)}]", nameof(Scales));
            if (!double.IsFinite(PadPixel))
                throw new ArgumentException($"PadPixel must be a finite raw pixel value, got {PadPixel}", nameof(PadPixel));
            return;
        }
        if (BaseSize is null)
        {
            if (CropSize is not null)
                throw new ArgumentException($"CropSize {CropSize} is set but BaseSize is null; set both (GluonCV protocol) or neither (plain)", nameof(CropSize));
            if (Scales is not [1.0])
                throw new ArgumentException($"plain mode (BaseSize null) evaluates the image as it is; Scales must be [1.0], got [{string.Join(", ", Scales)}]", nameof(Scales));
            return;
        }
        if (BaseSize < 1) throw new ArgumentException($"BaseSize must be positive, got {BaseSize}", nameof(BaseSize));
        if (CropSize is not int crop || crop < 1)
            throw new ArgumentException($"BaseSize {BaseSize} needs a positive CropSize, got {CropSize?.ToString() ?? "null"}", nameof(CropSize));
        foreach (var s in Scales)
            if (!(s > 0) || double.IsInfinity(s)) throw new ArgumentException($"scales must be positive and finite, got {s}", nameof(Scales));
        if (!(StrideRate > 0) || (int)(crop * StrideRate) < 1)
            throw new ArgumentException($"StrideRate {StrideRate} gives a tile stride of {(int)(crop * StrideRate)} pixels at CropSize {crop}; it must be at least 1", nameof(StrideRate));
    }
}
