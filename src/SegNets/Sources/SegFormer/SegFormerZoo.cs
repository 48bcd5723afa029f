using SegNets.Backbones;
using SegNets.Checkpoints.Converters;
using SegNets.Checkpoints;
using SegNets.Data;
using SegNets.Models;
using SegNets.Sources.EdgeAI;
using SegNets.Sources;

namespace SegNets.Sources.SegFormer;

/// <summary>
/// The EdgeAI-HF-Transformers rows of TI edgeai's segmentation table (TexasInstruments/edgeai-modelzoo docs): NVIDIA's
/// SegFormer checkpoints on the Hugging Face hub, which TI evaluates through its fork of transformers. Names are the
/// table's (the hub repository ids). The hub's pytorch_model.bin files hold SegformerForSemanticSegmentation's state
/// dict, whose keys <see cref="SegFormer"/> uses as they are ("identity" conversion).
/// </summary>
static class SegFormerZoo
{
    // What was and was not verified; see tools/reference/segformer.py for the sources and commits.
    const string Common =
        "Network: HF transformers' SegformerForSemanticSegmentation (modeling_segformer.py @ba30cbf8), whose LayerNorms all use eps 1e-5 " +
        "(NVlabs' original uses 1e-6 in the blocks and stage norms; the checkpoints were converted, not retrained). HF returns logits at " +
        "1/4 of the input; SegNets' forward resizes them to the input (bilinear, align_corners=False) as HF's post-processing does. " +
        "Classes: HF's ADE20K id2label (first name of each SceneParsing class, 0 = wall), checked equal in order to Datasets.Ade20k from a " +
        "copy of the hub config's id2label (the hub's config.json itself was not readable here); labels are ADE20K's minus 1 " +
        "(do_reduce_labels: 0 becomes 255, ignored). The table publishes no hash, so the download is not verified. " +
        "Network config from HF's conversion script (and configs of models fine-tuned from this checkpoint), not from the hub's config.json.";

    static ZooEntry Entry(string name, string mit, int size, double mIoU, long parameters, Func<int, SegmentationModel> builder) => new()
    {
        Name = name, ListedIn = EdgeAISource.Instance, Architecture = "SegFormer", Backbone = mit, Dataset = "ADE20K",
        NumClasses = 150, Labels = Datasets.Ade20k,
        // SegformerImageProcessor (image_processing_segformer.py @06053b84): rescale 1/255, IMAGENET_DEFAULT_MEAN/STD.
        Normalization = InputNormalization.ImageNet,
        Evaluation = new(null, size, size,
            $"TI's table: input {size}x{size}. HF's SegformerImageProcessor resizes every image to {size}x{size} (PIL bilinear, aspect " +
            "ratio not kept), rescales by 1/255 and normalises with the ImageNet mean/std; the logits (1/4 size) are resized bilinearly " +
            "(align_corners=False) to the image's size (post_process_semantic_segmentation). TI's evaluation script " +
            "(edgeai-tensorlab@e0792da4 edgeai-hf-transformers/run_semantic_segmentation_test.sh, written for B0: --size 512 " +
            "--crop_size 512; examples/pytorch/semantic-segmentation/run_semantic_segmentation.py @152d51f2) instead resizes the " +
            "short side to the size and centre-crops a square, normalises with mean 123.675/116.28/103.53 and scale " +
            "0.017125/0.017507/0.017429 on 0..255 (= the ImageNet mean/std) and upsamples the logits to the cropped label. That the " +
            $"checkpoint's preprocessor_config sets size {size}, and which protocol produced the table's mIoU, are unverified."),
        Reported = [new("mIoU", mIoU, "ADE20K val (TI edgeai table)")],
        Checkpoint = new CheckpointSource($"https://huggingface.co/{name}/resolve/main/pytorch_model.bin", PublishedFormat.Pth, null, null, CheckpointConverter.Identity),
        ParameterCount = parameters,
        Notes = Common,
        Builder = builder,
    };

    public static IEnumerable<ZooEntry> Entries()
    {
        // Parameter counts: tools/reference/segformer.py at 150 classes (the SegFormer paper: 3.8 M and 84.7 M).
        yield return Entry("nvidia/segformer-b0-finetuned-ade-512-512", "mit_b0", 512, 37.4, 3_752_694, SegFormer.B0);
        yield return Entry("nvidia/segformer-b5-finetuned-ade-640-640", "mit_b5", 640, 51.1, 84_708_694, SegFormer.B5);
    }
}
