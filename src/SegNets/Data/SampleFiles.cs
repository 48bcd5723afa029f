namespace SegNets.Data;

/// <summary>The files of one sample of a file-based dataset.</summary>
/// <param name="Id">The sample's id (e.g. "2007_000032").</param>
/// <param name="ImagePath">The RGB image.</param>
/// <param name="LabelPath">The label map (PNG of indices / grey values, or SBD's .mat).</param>
/// <param name="ListedIn">The split file or folder that listed the sample, for error messages.</param>
public sealed record SampleFiles(string Id, string ImagePath, string LabelPath, string ListedIn);
