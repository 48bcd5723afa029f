using FluentAssertions;
using SegNets.Data;

namespace SegNets.Tests.Data;

public class DatasetsTests
{
    public static TheoryData<string, int> Counts => new()
    {
        { "voc", 21 }, { "coco-voc", 21 }, { "ade20k", 150 }, { "cityscapes", 19 }, { "camvid", 11 }, { "ade20k32", 32 }, { "fashion-scenes", 11 },
        { "pascal-context", 59 }, { "pascal-context-60", 60 },
    };

    [Theory]
    [MemberData(nameof(Counts))]
    public void EachDatasetHasItsClassCountAndOneColourPerClass(string name, int classes)
    {
        var info = Datasets.Get(name);
        info.Name.Should().Be(name);
        info.Classes.Should().HaveCount(classes);
        info.NumClasses.Should().Be(classes);
        info.Palette.Should().HaveCount(classes);
        info.Classes.Should().OnlyHaveUniqueItems();
        info.Classes.Should().OnlyContain(c => c.Length > 0 && c == c.Trim() && !c.Contains('|'));
        info.Source.Should().Contain("@").And.Contain(".py");
        info.IgnoreLabel.Should().NotBeInRange(0, classes - 1, "the ignore label is never a class index");
    }

    [Fact]
    public void AllListsEveryDatasetOnce()
    {
        Datasets.All.Select(d => d.Name).Should().Equal(
            "voc", "coco-voc", "ade20k", "cityscapes", "camvid", "ade20k32", "mhp-v1", "pascal-context", "pascal-context-60",
            "fashion-scenes");
    }

    [Fact]
    public void VocPaletteIsTheDevkitBitInterleavingColourMap()
    {
        var expected = Enumerable.Range(0, 21).Select(label =>
        {
            int r = 0, g = 0, b = 0;
            for (int lab = label, bit = 7; lab > 0; lab >>= 3, bit--)
            {
                r |= (lab & 1) << bit;
                g |= ((lab >> 1) & 1) << bit;
                b |= ((lab >> 2) & 1) << bit;
            }
            return new Rgb((byte)r, (byte)g, (byte)b);
        });
        Datasets.Voc.Palette.Should().Equal(expected);
        Datasets.CocoVoc.Palette.Should().Equal(Datasets.Voc.Palette);
    }

    [Fact]
    public void VocAndCocoVocKnownEntries()
    {
        var voc = Datasets.Voc;
        voc.Classes[0].Should().Be("background");
        voc.Classes[15].Should().Be("person");
        voc.Palette[15].Should().Be(new Rgb(192, 128, 128));
        voc.Classes.Should().Contain(["aeroplane", "diningtable", "pottedplant", "tvmonitor"]);
        voc.Classes[20].Should().Be("tvmonitor");
        voc.IgnoreLabel.Should().Be(255);

        Datasets.CocoVoc.Classes.Should().Equal(voc.Classes);
        Datasets.CocoVoc.IgnoreLabel.Should().Be(255);
        Datasets.CocoVocCategoryIds.Should().HaveCount(21).And.OnlyHaveUniqueItems();
        Datasets.CocoVocCategoryIds[0].Should().Be(0);
        Datasets.CocoVocCategoryIds[15].Should().Be(1, "COCO category 1 is person");
        Datasets.CocoVocCategoryIds[7].Should().Be(3, "COCO category 3 is car");
        Datasets.CocoVocCategoryIds[20].Should().Be(72, "COCO category 72 is tv");
    }

    [Fact]
    public void Ade20kKnownEntries()
    {
        var ade = Datasets.Ade20k;
        ade.Classes.Take(5).Should().Equal("wall", "building, edifice", "sky", "floor, flooring", "tree");
        ade.Classes[12].Should().Be("person, individual, someone, somebody, mortal, soul");
        ade.Classes[149].Should().Be("flag");
        ade.Palette[0].Should().Be(new Rgb(120, 120, 120));
        ade.Palette[1].Should().Be(new Rgb(180, 120, 120));
        ade.Palette[2].Should().Be(new Rgb(6, 230, 230));
        ade.Palette[149].Should().Be(new Rgb(92, 0, 255));
        // color150 repeats one colour: road (6) and skyscraper (48) are both (140,140,140)
        ade.Palette[6].Should().Be(new Rgb(140, 140, 140)).And.Be(ade.Palette[48]);
        ade.Palette.Distinct().Should().HaveCount(149);
        ade.IgnoreLabel.Should().Be(255);
    }

    [Fact]
    public void CityscapesKnownEntriesAndTrainIds()
    {
        var city = Datasets.Cityscapes;
        city.Classes.Should().Equal(
            "road", "sidewalk", "building", "wall", "fence", "pole", "traffic light", "traffic sign", "vegetation",
            "terrain", "sky", "person", "rider", "car", "truck", "bus", "train", "motorcycle", "bicycle");
        city.Palette[0].Should().Be(new Rgb(128, 64, 128));
        city.Palette[10].Should().Be(new Rgb(70, 130, 180), "labels.py's sky, not GluonCV's (0,130,180)");
        city.Palette[13].Should().Be(new Rgb(0, 0, 142));
        city.Palette[18].Should().Be(new Rgb(119, 11, 32));
        city.IgnoreLabel.Should().Be(255);

        var ids = Datasets.CityscapesTrainIds;
        ids.Should().HaveCount(256);
        ids[7].Should().Be(0);    // road
        ids[26].Should().Be(13);  // car
        ids[33].Should().Be(18);  // bicycle
        ids[0].Should().Be(255);  // unlabeled
        ids[9].Should().Be(255);  // parking
        ids[29].Should().Be(255); // caravan
        ids[34].Should().Be(255);
        ids[255].Should().Be(255);
        ids.Where(t => t != 255).Should().Equal(Enumerable.Range(0, 19).Select(i => (byte)i),
            "each trainId comes from exactly one labelId, in increasing order");
    }

    [Fact]
    public void CamVidIsChainerCVs()
    {
        var camvid = Datasets.CamVid;
        camvid.Classes.Should().Equal(
            "Sky", "Building", "Pole", "Road", "Pavement", "Tree", "SignSymbol", "Fence", "Car", "Pedestrian", "Bicyclist");
        camvid.Palette[0].Should().Be(new Rgb(128, 128, 128));
        camvid.Palette[4].Should().Be(new Rgb(60, 40, 222));
        camvid.Palette[10].Should().Be(new Rgb(0, 128, 192));
        camvid.IgnoreLabel.Should().Be(-1);
    }

    [Fact]
    public void Ade20k32IsBackgroundPlusTheFirst31AdeClasses()
    {
        var ti = Datasets.Ade20k32;
        ti.Classes[0].Should().Be("background");
        ti.Classes.Skip(1).Should().Equal(Datasets.Ade20k.Classes.Take(31));
        ti.Classes[31].Should().Be("armchair");

        // edgeai_benchmark get_color_palette(32): [(r, g, b) for r, g, b in range(0, 256, 63)], first 32
        var steps = Enumerable.Range(0, 5).Select(i => (byte)(63 * i)).ToArray();
        var expected = steps.SelectMany(r => steps.SelectMany(g => steps.Select(b => new Rgb(r, g, b)))).Take(32);
        ti.Palette.Should().Equal(expected);

        var map = Datasets.Ade20k32FromAde20k;
        map.Should().HaveCount(150);
        for (var i = 0; i < 150; i++)
        {
            var j = map[i];
            if (i < 31)
                ti.Classes[j].Should().Be(Datasets.Ade20k.Classes[i]);
            else
                j.Should().Be(0);
        }
    }

    [Fact]
    public void GetIsCaseInsensitiveAndNamesTheKnownDatasetsOnError()
    {
        Datasets.Get("VOC").Should().BeSameAs(Datasets.Voc);
        Datasets.Get("Cityscapes").Should().BeSameAs(Datasets.Cityscapes);
        var bad = () => Datasets.Get("kitti");
        bad.Should().Throw<ArgumentException>()
            .WithMessage("*'kitti'*voc*coco-voc*ade20k*cityscapes*camvid*ade20k32*pascal-context*pascal-context-60*")
            .And.ParamName.Should().Be("name");
    }
}
