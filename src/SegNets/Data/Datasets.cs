using System.Collections.ObjectModel;
using SegNets.Imaging;

namespace SegNets.Data;

/// <summary>
/// The label sets of the datasets the zoo's models were trained on. Names, colours and ignore labels are transcribed
/// from the original code (each property cites repository@commit:path), so a model's output channel i can be named and
/// coloured exactly as its authors did.
/// </summary>
public static class Datasets
{
    private const string GluonCv = "dmlc/gluon-cv@567775619f3b97d47e7c360748912a4fd883ff52";
    private const string ChainerCV = "chainer/chainercv@7159616642e0be7c5b3ef380b848e16b7e99355b";
    private const string CityscapesScripts = "mcordts/cityscapesScripts@0bcc4a72549590fd80d71d8465be3a0c4b1c06e8";
    private const string EdgeAIBenchmark = "TexasInstruments/edgeai-benchmark@b712c5e1489cabf378d7b4de58d53de06e3db290";
    private const string SceneParsing = "CSAILVision/sceneparsing@4ce20bd9115d415d545b26eaa0387a0740838ba5";
    private const string MmSeg = "open-mmlab/mmsegmentation@a5acc11c92bb6878f12345886378473f2c0fa1da";

    // --- Pascal VOC --------------------------------------------------------------------------------------------

    // The VOC devkit's spelling (VOCcode/VOCinit.m), which torchvision keeps in torchvision/models/_meta.py
    // _VOC_CATEGORIES (there with "__background__"). GluonCV's VOCSegmentation.CLASSES respells four of them
    // ("airplane", "motorcycle", "potted-plant", "tv"; same order) - the indices are the same.
    private const string VocNames =
        "background|aeroplane|bicycle|bird|boat|bottle|bus|car|cat|chair|cow|diningtable|dog|horse|motorbike|person|"
        + "pottedplant|sheep|sofa|train|tvmonitor";

    // The devkit colour map (VOClabelcolormap.m): the label's bits, taken three at a time from the lowest, set bits
    // 7, 6, 5, ... of R, G and B.
    // Same values as GluonCV gluoncv/utils/viz/segmentation.py _getvocpallete.
    private static readonly byte[] VocColors =
    [
        0, 0, 0, 128, 0, 0, 0, 128, 0, 128, 128, 0, 0, 0, 128, 128, 0, 128, 0, 128, 128, 128, 128, 128,
        64, 0, 0, 192, 0, 0, 64, 128, 0, 192, 128, 0, 64, 0, 128, 192, 0, 128, 64, 128, 128, 192, 128, 128,
        0, 64, 0, 128, 64, 0, 0, 192, 0, 128, 192, 0, 0, 64, 128,
    ];

    /// <summary>
    /// Pascal VOC 2012 segmentation: background + 20 classes, the standard VOC colour map (class 15 person is
    /// (192,128,128)), ignore label 255 (object
    /// borders and unlabelled regions in the PNGs).
    /// </summary>
    /// <remarks>
    /// Names: the VOC devkit / torchvision spelling, torchvision/models/_meta.py <c>_VOC_CATEGORIES</c> (with
    /// "background" for "__background__"); GluonCV (gluon-cv@5677756:gluoncv/data/pascal_voc/segmentation.py
    /// <c>CLASSES</c>) spells "airplane", "motorcycle", "potted-plant", "tv" but has the same order.
    /// Palette: the devkit's bit-interleaving colour map, as gluon-cv@5677756:gluoncv/utils/viz/segmentation.py
    /// <c>_getvocpallete</c>. Ignore: torchvision trains with ignore_index 255; GluonCV's <c>_mask_transform</c>
    /// rewrites 255 to -1 and ignores -1, which is the same pixels.
    /// </remarks>
    public static DatasetInfo Voc { get; } = new(
        "voc", Names(VocNames), Colors(VocColors), 255,
        "names: VOC devkit / pytorch/vision:torchvision/models/_meta.py _VOC_CATEGORIES; "
        + $"palette: {GluonCv}:gluoncv/utils/viz/segmentation.py _getvocpallete");

    // --- COCO, VOC's 20 categories -----------------------------------------------------------------------------

    /// <summary>
    /// The 21-class COCO subset the torchvision and GluonCV COCO segmentation models were trained on: VOC's classes
    /// (same names, order and palette as <see cref="Voc"/>), cut out of COCO by <see cref="CocoVocCategoryIds"/>;
    /// ignore label 255.
    /// </summary>
    /// <remarks>
    /// gluon-cv@5677756:gluoncv/data/mscoco/segmentation.py <c>CAT_LIST</c>/<c>CLASSES</c> (torchvision's
    /// references/segmentation/coco_utils.py uses the same CAT_LIST). Pixels covered by other COCO categories are
    /// background (0). torchvision marks pixels where two instance masks overlap 255 and ignores them.
    /// </remarks>
    public static DatasetInfo CocoVoc { get; } = new(
        "coco-voc", Voc.Classes, Voc.Palette, 255,
        $"{GluonCv}:gluoncv/data/mscoco/segmentation.py CAT_LIST/CLASSES; palette as voc");

    /// <summary>
    /// For each <see cref="CocoVoc"/> class index, the COCO category id it is made of (0 for background), from
    /// gluon-cv@5677756:gluoncv/data/mscoco/segmentation.py <c>CAT_LIST</c>: e.g. index 15 person is COCO id 1.
    /// </summary>
    public static IReadOnlyList<int> CocoVocCategoryIds { get; } =
        Array.AsReadOnly(new[] { 0, 5, 2, 16, 9, 44, 6, 3, 17, 62, 21, 67, 18, 19, 4, 1, 64, 20, 63, 7, 72 });

    // --- ADE20K ------------------------------------------------------------------------------------------------

    // gluoncv/data/ade20k/segmentation.py CLASSES, verbatim (the Name column of the SceneParsing objectInfo150.txt,
    // trailing spaces trimmed; GluonCV orders the synonyms of index 89 "television receiver, television, ..." its own
    // way). Names hold commas, so '|' separates them.
    private const string Ade20kNames =
        "wall|building, edifice|sky|floor, flooring|tree|ceiling|road, route|bed|windowpane, window|"
        + "grass|cabinet|sidewalk, pavement|person, individual, someone, somebody, mortal, soul|"
        + "earth, ground|door, double door|table|mountain, mount|plant, flora, plant life|"
        + "curtain, drape, drapery, mantle, pall|chair|car, auto, automobile, machine, motorcar|water|"
        + "painting, picture|sofa, couch, lounge|shelf|house|sea|mirror|rug, carpet, carpeting|field|"
        + "armchair|seat|fence, fencing|desk|rock, stone|wardrobe, closet, press|lamp|"
        + "bathtub, bathing tub, bath, tub|railing, rail|cushion|base, pedestal, stand|box|column, pillar|"
        + "signboard, sign|chest of drawers, chest, bureau, dresser|counter|sand|sink|skyscraper|"
        + "fireplace, hearth, open fireplace|refrigerator, icebox|grandstand, covered stand|path|"
        + "stairs, steps|runway|case, display case, showcase, vitrine|"
        + "pool table, billiard table, snooker table|pillow|screen door, screen|stairway, staircase|river|"
        + "bridge, span|bookcase|blind, screen|coffee table, cocktail table|"
        + "toilet, can, commode, crapper, pot, potty, stool, throne|flower|book|hill|bench|countertop|"
        + "stove, kitchen stove, range, kitchen range, cooking stove|palm, palm tree|kitchen island|"
        + "computer, computing machine, computing device, data processor, electronic computer, information processing system|"
        + "swivel chair|boat|bar|arcade machine|hovel, hut, hutch, shack, shanty|"
        + "bus, autobus, coach, charabanc, double-decker, jitney, motorbus, motorcoach, omnibus, passenger vehicle|"
        + "towel|light, light source|truck, motortruck|tower|chandelier, pendant, pendent|"
        + "awning, sunshade, sunblind|streetlight, street lamp|booth, cubicle, stall, kiosk|"
        + "television receiver, television, television set, tv, tv set, idiot box, boob tube, telly, goggle box|"
        + "airplane, aeroplane, plane|dirt track|apparel, wearing apparel, dress, clothes|pole|"
        + "land, ground, soil|bannister, banister, balustrade, balusters, handrail|"
        + "escalator, moving staircase, moving stairway|ottoman, pouf, pouffe, puff, hassock|bottle|"
        + "buffet, counter, sideboard|poster, posting, placard, notice, bill, card|stage|van|ship|fountain|"
        + "conveyer belt, conveyor belt, conveyer, conveyor, transporter|canopy|"
        + "washer, automatic washer, washing machine|plaything, toy|"
        + "swimming pool, swimming bath, natatorium|stool|barrel, cask|basket, handbasket|waterfall, falls|"
        + "tent, collapsible shelter|bag|minibike, motorbike|cradle|oven|ball|food, solid food|step, stair|"
        + "tank, storage tank|trade name, brand name, brand, marque|microwave, microwave oven|"
        + "pot, flowerpot|animal, animate being, beast, brute, creature, fauna|bicycle, bike, wheel, cycle|"
        + "lake|dishwasher, dish washer, dishwashing machine|screen, silver screen, projection screen|"
        + "blanket, cover|sculpture|hood, exhaust hood|sconce|vase|"
        + "traffic light, traffic signal, stoplight|tray|"
        + "ashcan, trash can, garbage can, wastebin, ash bin, ash-bin, ashbin, dustbin, trash barrel, trash bin|"
        + "fan|pier, wharf, wharfage, dock|crt screen|plate|monitor, monitoring device|"
        + "bulletin board, notice board|shower|radiator|glass, drinking glass|clock|flag";

    // gluoncv/utils/viz/segmentation.py adepallete without its first entry: that (0,0,0) colours label 0 "other"
    // after GluonCV adds 1 back to the prediction. It is the SceneParsing color150 table; checked equal, all 150
    // colours, to open-mmlab/mmsegmentation@088894bd6167bf55031e4d05475d22504035b3e6:mmseg/datasets/ade.py
    // ADE20KDataset palette (which, like color150, repeats (140,140,140) for road and skyscraper).
    private static readonly byte[] Ade20kColors =
    [
        120, 120, 120, 180, 120, 120, 6, 230, 230, 80, 50, 50, 4, 200, 3, 120, 120, 80, 140, 140, 140, 204, 5, 255,
        230, 230, 230, 4, 250, 7, 224, 5, 255, 235, 255, 7, 150, 5, 61, 120, 120, 70, 8, 255, 51, 255, 6, 82,
        143, 255, 140, 204, 255, 4, 255, 51, 7, 204, 70, 3, 0, 102, 200, 61, 230, 250, 255, 6, 51, 11, 102, 255,
        255, 7, 71, 255, 9, 224, 9, 7, 230, 220, 220, 220, 255, 9, 92, 112, 9, 255, 8, 255, 214, 7, 255, 224,
        255, 184, 6, 10, 255, 71, 255, 41, 10, 7, 255, 255, 224, 255, 8, 102, 8, 255, 255, 61, 6, 255, 194, 7,
        255, 122, 8, 0, 255, 20, 255, 8, 41, 255, 5, 153, 6, 51, 255, 235, 12, 255, 160, 150, 20, 0, 163, 255,
        140, 140, 140, 250, 10, 15, 20, 255, 0, 31, 255, 0, 255, 31, 0, 255, 224, 0, 153, 255, 0, 0, 0, 255,
        255, 71, 0, 0, 235, 255, 0, 173, 255, 31, 0, 255, 11, 200, 200, 255, 82, 0, 0, 255, 245, 0, 61, 255,
        0, 255, 112, 0, 255, 133, 255, 0, 0, 255, 163, 0, 255, 102, 0, 194, 255, 0, 0, 143, 255, 51, 255, 0,
        0, 82, 255, 0, 255, 41, 0, 255, 173, 10, 0, 255, 173, 255, 0, 0, 255, 153, 255, 92, 0, 255, 0, 255,
        255, 0, 245, 255, 0, 102, 255, 173, 0, 255, 0, 20, 255, 184, 184, 0, 31, 255, 0, 255, 61, 0, 71, 255,
        255, 0, 204, 0, 255, 194, 0, 255, 82, 0, 10, 255, 0, 112, 255, 51, 0, 255, 0, 194, 255, 0, 122, 255,
        0, 255, 163, 255, 153, 0, 0, 255, 10, 255, 112, 0, 143, 255, 0, 82, 0, 255, 163, 255, 0, 255, 235, 0,
        8, 184, 170, 133, 0, 255, 0, 255, 92, 184, 0, 255, 255, 0, 31, 0, 184, 255, 0, 214, 255, 255, 0, 112,
        92, 255, 0, 0, 224, 255, 112, 224, 255, 70, 184, 160, 163, 0, 255, 153, 0, 255, 71, 255, 0, 255, 0, 163,
        255, 204, 0, 255, 0, 143, 0, 255, 235, 133, 255, 0, 255, 0, 235, 245, 0, 255, 255, 0, 122, 255, 245, 0,
        10, 190, 212, 214, 255, 0, 0, 204, 255, 20, 0, 255, 255, 255, 0, 0, 153, 255, 0, 41, 255, 0, 255, 204,
        41, 0, 255, 41, 255, 0, 173, 0, 255, 0, 245, 255, 71, 0, 255, 122, 0, 255, 0, 255, 184, 0, 92, 255,
        184, 255, 0, 0, 133, 255, 255, 214, 0, 25, 194, 194, 102, 255, 0, 92, 0, 255,
    ];

    /// <summary>
    /// ADE20K SceneParsing (ADEChallengeData2016), 150 classes ("wall", "building, edifice", "sky", ...), the
    /// color150 palette, ignore label 255.
    /// </summary>
    /// <remarks>
    /// Names: gluon-cv@5677756:gluoncv/data/ade20k/segmentation.py <c>CLASSES</c>. Palette:
    /// gluon-cv@5677756:gluoncv/utils/viz/segmentation.py <c>adepallete</c> entries 1..150.
    /// Ignore: the annotation PNGs hold 0 for "other objects" and 1..150 for the classes. GluonCV's
    /// <c>_mask_transform</c> subtracts 1 (as int32), so "other" becomes -1, which its loss and metric skip, and
    /// class k is channel k-1 (<c>pred_offset</c> 1). Done in 8 bits, as mmsegmentation's <c>reduce_zero_label</c>
    /// does, the same shift sends 0 to 255 - the value recorded here.
    /// </remarks>
    public static DatasetInfo Ade20k { get; } = new(
        "ade20k", Names(Ade20kNames), Colors(Ade20kColors), 255,
        $"names: {GluonCv}:gluoncv/data/ade20k/segmentation.py CLASSES; "
        + $"palette: {GluonCv}:gluoncv/utils/viz/segmentation.py adepallete[1..150]");

    // --- Cityscapes --------------------------------------------------------------------------------------------

    // cityscapesscripts/helpers/labels.py, the labels with trainId 0..18 in trainId order, with their colours.
    private const string CityscapesNames =
        "road|sidewalk|building|wall|fence|pole|traffic light|traffic sign|vegetation|terrain|sky|person|rider|car|"
        + "truck|bus|train|motorcycle|bicycle";

    private static readonly byte[] CityscapesColors =
    [
        128, 64, 128, 244, 35, 232, 70, 70, 70, 102, 102, 156, 190, 153, 153, 153, 153, 153, 250, 170, 30, 220, 220, 0,
        107, 142, 35, 152, 251, 152, 70, 130, 180, 220, 20, 60, 255, 0, 0, 0, 0, 142, 0, 0, 70, 0, 60, 100,
        0, 80, 100, 0, 0, 230, 119, 11, 32,
    ];

    /// <summary>
    /// Cityscapes, the 19 evaluated train classes with the official colours; ignore label 255 (trainId of every
    /// void or unevaluated label). Car is index 13, (0,0,142).
    /// </summary>
    /// <remarks>
    /// cityscapesScripts@0bcc4a7:cityscapesscripts/helpers/labels.py <c>labels</c>. GluonCV's <c>cityspallete</c>
    /// (gluoncv/utils/viz/segmentation.py) has the same colours except sky, which it gives as (0,130,180) instead of
    /// the official (70,130,180).
    /// </remarks>
    public static DatasetInfo Cityscapes { get; } = new(
        "cityscapes", Names(CityscapesNames), Colors(CityscapesColors), 255,
        $"{CityscapesScripts}:cityscapesscripts/helpers/labels.py");

    // labelId 0..33 -> trainId, from the same labels.py; -1 (license plate) and ids past 33 do not occur in the
    // *_labelIds.png files and map to 255 as well.
    private static readonly byte[] CityscapesTrainIdsTable = BuildCityscapesTrainIds(
    [
        255, 255, 255, 255, 255, 255, 255, 0, 1, 255, 255, 2, 3, 4, 255, 255, 255,
        5, 255, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 255, 255, 16, 17, 18,
    ]);

    /// <summary>
    /// 256 entries: the Cityscapes labelId (the value in a <c>*_gtFine_labelIds.png</c>) → trainId 0..18, or 255 for
    /// the labels that are not trained on (cityscapesScripts labels.py <c>trainId</c>). E.g. 26 car → 13, 7 road → 0.
    /// </summary>
    public static IReadOnlyList<byte> CityscapesTrainIds { get; } = Array.AsReadOnly(CityscapesTrainIdsTable);

    // --- CamVid ------------------------------------------------------------------------------------------------

    private const string CamVidNames = "Sky|Building|Pole|Road|Pavement|Tree|SignSymbol|Fence|Car|Pedestrian|Bicyclist";

    private static readonly byte[] CamVidColors =
    [
        128, 128, 128, 128, 0, 0, 192, 192, 128, 128, 64, 128, 60, 40, 222, 128, 128, 0,
        192, 128, 128, 64, 64, 128, 64, 0, 128, 64, 64, 0, 0, 128, 192,
    ];

    /// <summary>
    /// CamVid as ChainerCV uses it (the SegNet 11-class version), ignore label -1.
    /// </summary>
    /// <remarks>
    /// chainercv@7159616:chainercv/datasets/camvid/camvid_dataset.py <c>camvid_label_names</c> and
    /// <c>camvid_label_colors</c>. The label PNGs hold 11 for "Unlabeled" (colour <c>camvid_ignore_label_color</c>
    /// (0,0,0)); <c>CamVidDataset._get_label</c> rewrites it to -1, which ChainerCV's losses and evaluators skip.
    /// </remarks>
    public static DatasetInfo CamVid { get; } = new(
        "camvid", Names(CamVidNames), Colors(CamVidColors), -1,
        $"{ChainerCV}:chainercv/datasets/camvid/camvid_dataset.py camvid_label_names/camvid_label_colors");

    // --- TI's ADE20K, 32 classes -------------------------------------------------------------------------------

    // TI reads names 1..31 from the dataset's objectInfo150.txt Name column (load_classes); these are those names,
    // trailing spaces trimmed, which equal the first 31 of Ade20kNames. Label 0 is the class TI's code calls the
    // "background class" (edgeai-torchvision ade20k.py class weights): ADE's "other" plus classes 32..150.
    private const string Ade20k32Names =
        "background|"
        + "wall|building, edifice|sky|floor, flooring|tree|ceiling|road, route|bed|windowpane, window|"
        + "grass|cabinet|sidewalk, pavement|person, individual, someone, somebody, mortal, soul|"
        + "earth, ground|door, double door|table|mountain, mount|plant, flora, plant life|"
        + "curtain, drape, drapery, mantle, pall|chair|car, auto, automobile, machine, motorcar|water|"
        + "painting, picture|sofa, couch, lounge|shelf|house|sea|mirror|rug, carpet, carpeting|field|"
        + "armchair";

    // edgeai_benchmark/utils/image_utils.py get_color_palette(32): (r, g, b) over 0, 63, ..., 252 with b varying
    // fastest, first 32 entries.
    private static readonly byte[] Ade20k32Colors =
    [
        0, 0, 0, 0, 0, 63, 0, 0, 126, 0, 0, 189, 0, 0, 252, 0, 63, 0, 0, 63, 63, 0, 63, 126,
        0, 63, 189, 0, 63, 252, 0, 126, 0, 0, 126, 63, 0, 126, 126, 0, 126, 189, 0, 126, 252, 0, 189, 0,
        0, 189, 63, 0, 189, 126, 0, 189, 189, 0, 189, 252, 0, 252, 0, 0, 252, 63, 0, 252, 126, 0, 252, 189,
        0, 252, 252, 63, 0, 0, 63, 0, 63, 63, 0, 126, 63, 0, 189, 63, 0, 252, 63, 63, 0, 63, 63, 63,
    ];

    /// <summary>
    /// TI edgeai's 32-class ADE20K (the "ade20k32" models of edgeai-torchvision / edgeai-modelzoo, and MLPerf's
    /// ADE20K-32 DeepLabV3-MobileNetV2): 0 "background" plus ADE20K classes 1..31 ("wall" ... "armchair").
    /// </summary>
    /// <remarks>
    /// edgeai-benchmark@b712c5e:edgeai_benchmark/datasets/ade20k.py <c>ADE20KSegmentation</c> with
    /// <c>num_classes=32</c> (edgeai_benchmark/datasets/__init__.py, dataset 'ade20k32'; edgeai-torchvision's
    /// <c>ade20k_seg_class32</c> is the same): <c>encode_segmap</c> keeps annotation values 0..31 and sets every
    /// value ≥ 32 to 0. Names: CSAILVision/sceneparsing@4ce20bd:objectInfo150.txt, which that code reads; palette:
    /// edgeai_benchmark/utils/image_utils.py <c>get_color_palette(32)</c>. TI passes no ignore label and remaps even
    /// 255 to 0, so no pixel is ignored; 255 is recorded for uniformity. See <see cref="Ade20k32FromAde20k"/>.
    /// </remarks>
    public static DatasetInfo Ade20k32 { get; } = new(
        "ade20k32", Names(Ade20k32Names), Colors(Ade20k32Colors), 255,
        $"{EdgeAIBenchmark}:edgeai_benchmark/datasets/ade20k.py (num_classes=32); "
        + $"names: {SceneParsing}:objectInfo150.txt 1..31; "
        + $"palette: {EdgeAIBenchmark}:edgeai_benchmark/utils/image_utils.py get_color_palette(32)");

    /// <summary>
    /// 150 entries: <see cref="Ade20k"/> class index (0 "wall" ... 149 "flag") → <see cref="Ade20k32"/> class index.
    /// Classes 0..30 become 1..31; 31..149 become 0 "background", as TI's <c>encode_segmap</c> does on the raw
    /// annotation (raw value v &lt; 32 stays v, else 0; raw 0 "other" is 0 too).
    /// </summary>
    public static IReadOnlyList<byte> Ade20k32FromAde20k { get; } =
        Array.AsReadOnly(Enumerable.Range(0, 150).Select(i => (byte)(i < 31 ? i + 1 : 0)).ToArray());

    // --- fashion-scenes (SegNets' embedded sample) ------------------------------------------------------------

    /// <summary>
    /// The sample dataset shipped in samples/data/fashion-scenes: 128x128 scenes of Fashion-MNIST items on random
    /// backgrounds, background + the 10 Fashion-MNIST classes ("T-shirt/top" ... "Ankle boot", Fashion-MNIST label
    /// + 1), the VOC colour map (same first 11 colours as <see cref="Voc"/>), ignore label 255 (which does not occur).
    /// </summary>
    /// <remarks>
    /// Generated by tools/make_fashion_scenes.py (seeded; rerunning it writes byte-identical files) from Debian's
    /// package dataset-fashion-mnist (0.0~git20200523.55506a9). Class names: the "Labels" table of
    /// zalandoresearch/fashion-mnist@55506a9:README.md. Fashion-MNIST is Zalando SE's, MIT licence.
    /// </remarks>
    public static DatasetInfo FashionScenes { get; } = new(
        "fashion-scenes",
        Names("background|T-shirt/top|Trouser|Pullover|Dress|Coat|Sandal|Shirt|Sneaker|Bag|Ankle boot"),
        Colors(VocColors[..(11 * 3)]), 255,
        "names: Debian dataset-fashion-mnist 0.0~git20200523.55506a9, zalandoresearch/fashion-mnist@55506a9:README.md "
        + "Labels; scenes: tools/make_fashion_scenes.py; palette as voc");

    // --- Pascal Context ---------------------------------------------------------------------------------------

    // mmseg/datasets/pascal_context.py PascalContextDataset59 classes, verbatim. The order is the order of the values
    // in the converted label PNGs: the converter (tools/dataset_converters/pascal_context.py) numbers the Detail
    // category ids of the 59 classes in increasing order (np.sort(_mapping) + np.digitize), and those ids are the line
    // numbers of the full set's labels.txt, which is alphabetical (aeroplane 2, bag 9, ..., wood 458). The official
    // 59_labels.txt lists the same names in another order (VOC's 20 first); naming the PNG values by that list (as
    // open-mmlab/mmsegmentation@0999c55's PascalContextDataset did, before it changed to this one) names most channels
    // wrongly.
    private const string PascalContextNames =
        "aeroplane|bag|bed|bedclothes|bench|bicycle|bird|boat|book|bottle|building|bus|cabinet|car|cat|ceiling|chair|"
        + "cloth|computer|cow|cup|curtain|dog|door|fence|floor|flower|food|grass|ground|horse|keyboard|light|motorbike|"
        + "mountain|mouse|person|plate|platform|pottedplant|road|rock|sheep|shelves|sidewalk|sign|sky|snow|sofa|table|"
        + "track|train|tree|truck|tvmonitor|wall|water|window|wood";

    // mmseg/datasets/pascal_context.py PascalContextDataset palette (60 entries, background first); the 59-class
    // palette there is entries 1..59 of it. These are the first 60 colours of ADE20K's color150 (Ade20kColors).
    private static readonly byte[] PascalContextColors =
    [
        120, 120, 120, 180, 120, 120, 6, 230, 230, 80, 50, 50, 4, 200, 3, 120, 120, 80, 140, 140, 140, 204, 5, 255,
        230, 230, 230, 4, 250, 7, 224, 5, 255, 235, 255, 7, 150, 5, 61, 120, 120, 70, 8, 255, 51, 255, 6, 82,
        143, 255, 140, 204, 255, 4, 255, 51, 7, 204, 70, 3, 0, 102, 200, 61, 230, 250, 255, 6, 51, 11, 102, 255,
        255, 7, 71, 255, 9, 224, 9, 7, 230, 220, 220, 220, 255, 9, 92, 112, 9, 255, 8, 255, 214, 7, 255, 224,
        255, 184, 6, 10, 255, 71, 255, 41, 10, 7, 255, 255, 224, 255, 8, 102, 8, 255, 255, 61, 6, 255, 194, 7,
        255, 122, 8, 0, 255, 20, 255, 8, 41, 255, 5, 153, 6, 51, 255, 235, 12, 255, 160, 150, 20, 0, 163, 255,
        140, 140, 140, 250, 10, 15, 20, 255, 0, 31, 255, 0, 255, 31, 0, 255, 224, 0, 153, 255, 0, 0, 0, 255,
        255, 71, 0, 0, 235, 255, 0, 173, 255, 31, 0, 255,
    ];

    /// <summary>
    /// Pascal Context, the 59 frequent classes with background ignored ("aeroplane", "bag", "bed", ... "wood";
    /// alphabetical), ignore label 255. The convention of PyTorch-Encoding's reported Pascal Context numbers (EncNet,
    /// ResNeSt) and of mmsegmentation's <c>PascalContextDataset59</c>; read with <see cref="PascalContextSegmentation"/>
    /// (the default <see cref="PascalContextClasses.Classes59"/>).
    /// </summary>
    /// <remarks>
    /// Names and palette: mmsegmentation@a5acc11:mmseg/datasets/pascal_context.py <c>PascalContextDataset59</c>.
    /// Stored label 0 (background: everything outside the 59) becomes 255 and k becomes class k-1: PyTorch-Encoding
    /// (zhanghang1989/PyTorch-Encoding@ac74841:encoding/datasets/pcontext.py <c>_mask_transform</c>: target - 1, its
    /// loss ignores -1, which is 255 here) and mmsegmentation (<c>reduce_zero_label=True</c>: 0 → 255, k → k-1) agree.
    /// See <see cref="PascalContext60"/> for the variant that keeps background as a class.
    /// </remarks>
    public static DatasetInfo PascalContext { get; } = new(
        "pascal-context", Names(PascalContextNames), Colors(PascalContextColors[3..]), 255,
        $"names and palette: {MmSeg}:mmseg/datasets/pascal_context.py PascalContextDataset59 "
        + "(order of tools/dataset_converters/pascal_context.py's sorted Detail ids)");

    /// <summary>
    /// Pascal Context with background as class 0 and the 59 classes as 1..59 (60 outputs), ignore label 255 (which
    /// the converted annotations do not hold): mmsegmentation's <c>PascalContextDataset</c> (60 classes). Read with
    /// <see cref="PascalContextSegmentation"/> and <see cref="PascalContextClasses.Classes60"/>.
    /// </summary>
    /// <remarks>
    /// mmsegmentation@a5acc11:mmseg/datasets/pascal_context.py <c>PascalContextDataset</c> (classes "background" +
    /// those of <see cref="PascalContext"/>, its palette; <c>reduce_zero_label=False</c>, so the stored values are the
    /// classes). Numbers reported on 60 classes are lower than on 59 and are not comparable to them.
    /// </remarks>
    public static DatasetInfo PascalContext60 { get; } = new(
        "pascal-context-60", Names("background|" + PascalContextNames), Colors(PascalContextColors), 255,
        $"names and palette: {MmSeg}:mmseg/datasets/pascal_context.py PascalContextDataset");

    // --- lookup ------------------------------------------------------------------------------------------------

    // --- MHP-V1 ----------------------------------------------------------------------------------------------------

    /// <summary>
    /// Multi-Human Parsing V1 (LV-MHP-v1): background and 18 human parts, as GluonCV's MHPV1Segmentation
    /// (gluon-cv@5677756:gluoncv/data/mhp.py <c>CLASSES</c>). No label is ignored (GluonCV asserts values 0..18);
    /// GluonCV has no palette for it, so the VOC colour map's first 19 colours are used.
    /// </summary>
    public static DatasetInfo MhpV1 { get; } = new(
        "mhp-v1",
        Names("background|hat|hair|sunglasses|upper clothes|skirt|pants|dress|belt|left shoe|right shoe|face|left leg|"
            + "right leg|left arm|right arm|bag|scarf|torso skin"),
        Array.AsReadOnly(Voc.Palette.Take(19).ToArray()), 255,
        $"{GluonCv}:gluoncv/data/mhp.py CLASSES; palette: the VOC colour map");

    /// <summary>Every dataset above, in declaration order.</summary>
    public static IReadOnlyList<DatasetInfo> All { get; } =
        Array.AsReadOnly(new[] { Voc, CocoVoc, Ade20k, Cityscapes, CamVid, Ade20k32, MhpV1, PascalContext, PascalContext60, FashionScenes });

    /// <summary>The dataset whose <see cref="DatasetInfo.Name"/> is <paramref name="name"/> (case-insensitive).</summary>
    /// <exception cref="ArgumentException">No such dataset; the message lists the known names.</exception>
    public static DatasetInfo Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        foreach (var info in All)
        {
            if (string.Equals(info.Name, name.Trim(), StringComparison.OrdinalIgnoreCase))
                return info;
        }
        throw new ArgumentException(
            $"Unknown dataset '{name}'; known datasets: {string.Join(", ", All.Select(d => d.Name))}.", nameof(name));
    }

    private static ReadOnlyCollection<string> Names(string joined) => Array.AsReadOnly(joined.Split('|'));

    private static ReadOnlyCollection<Rgb> Colors(byte[] rgb)
    {
        var colors = new Rgb[rgb.Length / 3];
        for (var i = 0; i < colors.Length; i++)
            colors[i] = new Rgb(rgb[3 * i], rgb[3 * i + 1], rgb[3 * i + 2]);
        return Array.AsReadOnly(colors);
    }

    private static byte[] BuildCityscapesTrainIds(byte[] firstIds)
    {
        var table = new byte[256];
        Array.Fill(table, (byte)255);
        firstIds.CopyTo(table, 0);
        return table;
    }
}
