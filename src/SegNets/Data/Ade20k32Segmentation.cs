namespace SegNets.Data;

/// <summary>
/// TI edgeai's 32-class ADE20K (<see cref="Datasets.Ade20k32"/>) read from the same ADEChallengeData2016 files as
/// <see cref="Ade20kSegmentation"/>: ADE20K class k (stored k+1) becomes <see cref="Datasets.Ade20k32FromAde20k"/>[k],
/// i.e. stored values 1..31 stay, 32..150 become 0 "background", and stored 0 "other" is background too (not ignored).
/// </summary>
/// <remarks>
/// TexasInstruments/edgeai-benchmark@b712c5e:edgeai_benchmark/datasets/ade20k.py <c>encode_segmap</c> with
/// <c>num_classes=32</c>: values &lt; 32 are kept, all others set to 0. TI has no ignore pixels.
/// </remarks>
public sealed class Ade20k32Segmentation : Ade20kSegmentation
{
    /// <param name="root">ADEChallengeData2016 or its parent.</param>
    /// <param name="split">"train" or "val".</param>
    /// <param name="options">Bad-sample handling.</param>
    public Ade20k32Segmentation(string root, string split, DatasetOptions? options = null)
        : base(root, split, options, Datasets.Ade20k32, Table())
    {
    }

    private static int[] Table()
    {
        var table = new int[151];
        table[0] = 0;
        for (int v = 1; v <= 150; v++) table[v] = Datasets.Ade20k32FromAde20k[v - 1];
        return table;
    }
}
