using SegNets.Backbones;
using SegNets.Checkpoints;
using SegNets.Data;
using SegNets.Models;
using SegNets.Sources.EdgeAI;
using SegNets.Sources;

namespace SegNets.Sources.TfDeepLab;

/// <summary>
/// TF DeepLab's model zoo (tensorflow/models research/deeplab/g3doc/model_zoo.md @d318246c) as the seed tables cite it
/// (the semantic-segmentation results table's "DeepLab_v3-Xception-65" rows and TI edgeai's
/// "Tensorflow DeepLab Models" table). Names are the model zoo's checkpoint names; TI's rows are named as
/// <see cref="EdgeAIZoo"/> names TI rows (table model, dataset, input size) and point to the same tarballs.
/// </summary>
static partial class TfDeepLabZoo
{
    // The seed tables link http://; the same paths are served over https, which SegNets downloads from.
    const string Base = "https://download.tensorflow.org/models/";
    const string NoHash = "TF publishes no checksum for its model-zoo tarballs.";

    // g3doc/model_zoo.md: the tarballs hold model.ckpt.{index,data-00000-of-00001} and frozen_inference_graph.pb.
    static CheckpointSource Tarball(string file, bool ade20k = false) =>
        new(Base + file, PublishedFormat.TfTarGz, null, null, ade20k ? TfDeepLabSource.Xception65Ade20kConverter : TfDeepLabSource.Xception65Converter);

    // eval.py: images padded (input_preprocess.py, with the mean pixel 127.5 = 0 after normalisation; labels with the
    // ignore label) to eval_crop_size; pascal.md / cityscapes.md give --eval_crop_size 513,513 / 1025,2049.
    static EvaluationSetting Eval(int height, int width, string protocol) => new(null, height, width,
        $"TF DeepLab eval.py: image padded bottom/right with 127.5 (0 after x/127.5 - 1) to {height}x{width} (eval_crop_size); {protocol}. " +
        "Evaluation.Protocol pads the same way at one scale; the multi-scale variant is not implemented")
    {
        Protocol = Evaluation.EvaluationOptions.PaddedTo(height, width),
    };

    const string Voc16 = "output stride 16 with atrous rates 6/12/18: single scale, no flip; output stride 8 with rates 12/24/36: scales 0.5:0.25:1.75 averaged with left-right flips";

    static ZooEntry Xception(string name, DatasetInfo labels, string dataset, CheckpointSource checkpoint, EvaluationSetting evaluation,
        IReadOnlyList<ReportedMetric> reported, long parameters, string notes, int outputStride = 8) => new()
    {
        Name = name, Architecture = "DeepLabV3+", Backbone = $"Xception65 (OS{outputStride}, decoder OS4)",
        Dataset = dataset, NumClasses = labels.Classes.Count, Labels = labels, Normalization = InputNormalization.TfDeepLab,
        Evaluation = evaluation, Reported = reported, Checkpoint = checkpoint, ParameterCount = parameters,
        Notes = $"{NoHash} {notes}", Builder = n => TfDeepLabModels.Xception65(n, outputStride),
    };

    /// <summary>The Xception-65 DeepLabV3+ rows.</summary>
    public static IEnumerable<ZooEntry> XceptionEntries()
    {
        // Parameter counts: the transcription's (tools/reference/tf_deeplab.py: 41,051,301 at 5 classes) + 257 per class.
        const long Voc = 41_055_413, Citys = 41_054_899, Ade = 41_088_566;
        var vocTrainAug = Tarball("deeplabv3_pascal_train_aug_2018_01_04.tar.gz");
        var citys = Tarball("deeplabv3_cityscapes_train_2018_02_06.tar.gz");
        const string osChoice = "Built at output stride 8 with rates 12/24/36 (the multi-scale protocol's); TfDeepLabModels.Xception65(n, 16) " +
            "builds the output-stride-16 variant the same weights were also evaluated with.";

        yield return Xception("xception65_coco_voc_trainaug", Datasets.Voc, "VOC", vocTrainAug, Eval(513, 513, Voc16),
            [new("mIoU", 82.20, "VOC 2012 val (OS16, single scale)"), new("mIoU", 83.58, "VOC 2012 val (OS8, multi-scale + flip)")],
            Voc, "Pretrained on ImageNet and MS-COCO, trained on VOC 2012 train_aug. " + osChoice);
        yield return Xception("xception65_coco_voc_trainval", Datasets.Voc, "VOC", Tarball("deeplabv3_pascal_trainval_2018_01_04.tar.gz"),
            Eval(513, 513, "output stride 8 with rates 12/24/36, scales 0.5:0.25:1.75 averaged with left-right flips"),
            [new("mIoU", 87.80, "VOC 2012 test (OS8, multi-scale + flip)")], Voc,
            "Pretrained on ImageNet and MS-COCO, trained on VOC 2012 train_aug + trainval (for the test server).");
        yield return Xception("xception65_cityscapes_trainfine", Datasets.Cityscapes, "Cityscapes", citys,
            Eval(1025, 2049, "output stride 16 with rates 6/12/18: single scale, no flip; output stride 8 with rates 12/24/36: scales 0.75:0.25:1.25 averaged with left-right flips"),
            [new("mIoU", 78.79, "Cityscapes val (OS16, single scale)"), new("mIoU", 80.42, "Cityscapes val (OS8, multi-scale + flip)")],
            Citys, "Pretrained on ImageNet, trained on Cityscapes train_fine. " + osChoice);
        yield return Xception("xception65_ade20k_train", Datasets.Ade20k, "ADE20K", Tarball("deeplabv3_xception_ade20k_train_2018_05_29.tar.gz", ade20k: true),
            Eval(513, 513, "images resized so that the longer side is 513 (model_zoo.md: 'Input size 513x513'; ade20k.md: min/max_resize_value 513), " +
                "output stride 8 with rates 12/24/36, scales 0.5:0.25:1.75 averaged with left-right flips"),
            [new("mIoU", 45.65, "ADE20K val (OS8, multi-scale + flip)"), new("pixAcc", 82.52, "ADE20K val (OS8, multi-scale + flip)"),
             new("score", 64.08, "ADE20K val: mean of pixAcc and mIoU, as the seed table reports it")],
            Ade, "Pretrained on ImageNet, trained on ADE20K train. TF's checkpoint has 151 logits, 0 being 'other' (its ignore label, never " +
            "trained); the converter drops it, as ChainerCV's does, so the model has ADE20K's 150 classes.");

        // TI edgeai's "Tensorflow DeepLab Models" rows (footnote [10]: the TF DeepLab model zoo).
        yield return Xception("deeplabv3_xception_VOC2012_512x512", Datasets.Voc, "VOC", vocTrainAug,
            new(null, 512, 512, "TI edgeai: 512x512 input; TI's protocol is not given beyond the table's input size"),
            [new("mIoU", 81.74, "VOC 2012 (TI table, 512x512)")], Voc,
            "TI lists this row under 'Our modified models' with no model available; the weights here are TF DeepLab's " +
            "xception65_coco_voc_trainaug checkpoint, which TI's footnote cites — whether TI's 81.74 was measured with exactly it is unverified.") with { ListedIn = EdgeAISource.Instance };
        yield return Xception("Xception65+DeepLab_Cityscapes_769x769", Datasets.Cityscapes, "Cityscapes", citys,
            new(null, 769, 769, "TI edgeai: 769x769 input (the training crop); the number is the model zoo's OS16 single-scale val mIoU"),
            [new("mIoU", 78.79, "Cityscapes val (TI table; = model zoo OS16 single scale)")], Citys,
            "TI's 'Original DeepLab models' row: TF DeepLab's xception65_cityscapes_trainfine checkpoint (418.64 GMACs and 78.79 are the " +
            "model zoo's OS16 single-scale figures), built at output stride 16.", outputStride: 16) with { ListedIn = EdgeAISource.Instance };
    }
}
