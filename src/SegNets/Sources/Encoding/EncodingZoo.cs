using SegNets.Backbones;
using SegNets.Checkpoints;
using SegNets.Data;
using SegNets.Models;
using SegNets.Sources;

namespace SegNets.Sources.Encoding;

/// <summary>
/// PyTorch-Encoding's EncNet (zhanghang1989/PyTorch-Encoding): the rows of the seed table (the CVPR 2018
/// paper's numbers) and the EncNet files of the model store they link, which is encoding/models/model_store.py at
/// b05334f ("V045", 2018-06-26): encnet_resnet101_pcontext 6f7c3722, encnet_resnet50_ade 558e8904, encnet_resnet50_pcontext
/// 7846a2f0, under https://hangzh.s3.amazonaws.com/encoding/models/{name}-{sha1[:8]}.zip. v0.5.0 (f891919) replaced
/// all three with new files (other hashes) for a changed Encoding layer; those are not these.
/// </summary>
static class EncodingZoo
{
    const string Repo = "https://hangzh.s3.amazonaws.com/encoding/models/";

    // model_store.py @b05334f _model_sha1: the SHA-1 of the .pth inside each zip.
    static readonly Dictionary<string, string> Sha1 = new(StringComparer.Ordinal)
    {
        ["encnet_resnet101_pcontext"] = "6f7c372259988bc2b6d7fc0007182e7835c31a11",
        ["encnet_resnet50_ade"] = "558e8904e123813f23dc0347acba85224650fe5f",
        ["encnet_resnet50_pcontext"] = "7846a2f065e90ce70d268ba8ada1a92251587734",
    };

    // encoding/models/base.py @b05334f: BaseNet(base_size=576, crop_size=608), which get_model(name, pretrained=True)
    // keeps (experiments/segmentation/test.py --model-zoo), and MultiEvalModule.
    static readonly EvaluationSetting Evaluation = new(576, 608, 608,
        "PyTorch-Encoding test.py --eval with MultiEvalModule (encoding/models/base.py @b05334f): long side resized to " +
        "ceil(576 x scale) for scales 0.5, 0.75, 1.0, 1.25, 1.5, 1.75, each with a horizontal flip (the logits of image and " +
        "flipped image are added, then exponentiated), up to 608 padded with the normalised zero (-mean/std), larger sizes " +
        "tiled with 608x608 crops at stride 2/3 crop and averaged, the scales' scores resized to the image and summed. " +
        "Single-scale numbers are the paper's; the script has no single-scale mode.");

    const string Adescore = "(pixAcc+mIoU)/2";

    static ZooEntry Entry(string name, string backbone, string dataset, DatasetInfo labels, bool lateral, EncodingSoftmax softmax,
        IReadOnlyList<ReportedMetric> reported, long parameters, string notes) => new()
        {
            Name = name, Architecture = "EncNet", Backbone = $"{backbone} (torchvision layout, dilated, OS8)",
            Dataset = dataset, NumClasses = labels.Classes.Count, Labels = labels, Normalization = InputNormalization.ImageNet,
            Evaluation = Evaluation, Reported = reported,
            Checkpoint = Sha1.TryGetValue(name, out var sha1) ? new($"{Repo}{name}-{sha1[..8]}.zip", PublishedFormat.EncodingZip, PublishedHash.Sha1, sha1, EncodingSource.Converter) : null,
            ParameterCount = parameters, Notes = notes,
            Builder = n => EncNet.Build(backbone, n, lateral, softmax),
        };

    const string Released =
        "The 2018 release (model_store @b05334f): its Encoding layer normalises the assignment over the positions (softmax dim=1 of " +
        "(B, N, K), encoding/nn/encoding.py, as from 8425bd8 of 2017-11-20 until v0.5.0), not over the codewords as the paper writes it " +
        "and v0.5.0+ compute it; SegNets builds it the way the weights were trained. " +
        "Parameter count includes the backbone's 1000-class fc, which the state dict carries but the network does not use.";

    static string Unreleased(string why) =>
        $"No weights: {why}. Built as PyTorch-Encoding's code of the paper's time builds it " +
        "(@b05334f: 7x7-stem ResNet, assignment softmax over the positions); EncNet.Build takes the other axis for the paper's formula. " +
        "Parameter count includes the backbone's unused 1000-class fc, as PyTorch-Encoding's network has it.";

    /// <summary>The seed's EncNet rows (numbers from the CVPR 2018 paper, as the seed table gives them), then the store's
    /// other EncNet file of that version.</summary>
    public static IEnumerable<ZooEntry> Entries()
    {
        const string docs = "PyTorch-Encoding docs/source/experiments/segmentation.rst @b05334f, this file, multi-scale";
        yield return Entry("encnet_resnet101_pcontext", "resnet101", "PASCAL Context", Datasets.PascalContext, lateral: true, EncodingSoftmax.OverPositions,
            [
                new("mIoU", 52.60, "PASCAL Context val (59 classes, background ignored), multi-scale (+ MS; the MS evaluation of test.py also flips)"),
                new("mIoU", 51.70, "PASCAL Context val (59 classes, background ignored), single-scale (the seed row without + MS)"),
                new("pixAcc", 80.3, docs), new("mIoU", 53.2, docs),
            ], 64_832_569, Released + " EncHead fuses stages 2 and 3 (lateral, get_encnet sets it for pcontext).");
        yield return Entry("encnet_resnet50_ade", "resnet50", "ADE20K", Datasets.Ade20k, lateral: false, EncodingSoftmax.OverPositions,
            [
                new(Adescore, 60.42, "ADE20K val, scales not stated (no + MS in the seed row); the seed's ADE20K score is the mean of pixel accuracy and mIoU"),
                new("pixAcc", 79.9, docs), new("mIoU", 41.2, docs),
            ], 38_089_802, Released + " The docs' training command names '--model encnetv2', which no file of that commit defines; " +
                "get_encnet_resnet50_ade loads the file strictly into EncNet (no lateral), so that is its architecture.");
        yield return Entry("encnet_resnet101_ade", "resnet101", "ADE20K", Datasets.Ade20k, lateral: false, EncodingSoftmax.OverPositions,
            [
                new(Adescore, 63.17, "ADE20K val, scales not stated (no + MS in the seed row); the seed's ADE20K score is the mean of pixel accuracy and mIoU"),
                new(Adescore, 55.67, "ADE20K test (challenge server), multi-scale; mean of pixel accuracy and mIoU"),
            ], 57_081_930, Unreleased("the model store of the version the seed links never had this file (the encnet_resnet101_ade of " +
                "v0.5.0+ is another network: deep-stem ResNet, assignment over the codewords)"));
        yield return Entry("encnet_resnet101_voc", "resnet101", "VOC", Datasets.Voc, lateral: false, EncodingSoftmax.OverPositions,
            [
                new("mIoU", 85.90, "VOC 2012 test (evaluation server), pre-trained on COCO (scales not stated in the seed row)"),
                new("mIoU", 82.90, "VOC 2012 test (evaluation server), multi-scale, without COCO pre-training (no + COCO in the seed row)"),
            ], 56_916_423, Unreleased("no version of the model store has an EncNet VOC file (later versions, up to 2020, list only the COCO " +
                "pre-training, encnet_resnet101_coco)") + " The two numbers are two different trainings (with and without COCO).");
        yield return Entry("encnet_resnet50_pcontext", "resnet50", "PASCAL Context", Datasets.PascalContext, lateral: true, EncodingSoftmax.OverPositions,
            [new("pixAcc", 78.9, docs), new("mIoU", 50.6, docs)], 45_840_441,
            "In the model store of the version the seed links, not a seed row; numbers from that version's docs. " + Released);
    }
}
