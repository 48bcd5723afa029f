#:project ../src/SegNets/SegNets.csproj
#:property SegNetsNeedsBackend=true
// The model zoo: look a model up by its table name, build it, segment an image, save the coloured class map.
//   dotnet run samples/zoo.cs -- lraspp_mobilenet_v3_large photo.jpg [weights.pth]
// Without weights the network is untrained (its map is noise); with a torchvision .pth (e.g.
// lraspp_mobilenet_v3_large-d234d4ea.pth from download.pytorch.org) it is the published model.
using SegNets.Checkpoints;
using SegNets.Imaging;
using SegNets.Zoo;
using TorchSharp;

if (args.Length < 2)
{
    Console.Error.WriteLine("usage: dotnet run samples/zoo.cs -- MODEL IMAGE [WEIGHTS.pth]");
    Console.Error.WriteLine($"models: {string.Join(", ", ModelZoo.List().Take(8))}, ... ({ModelZoo.List().Count} in all)");
    return 2;
}
var (name, imagePath) = (args[0], args[1]);
var info = ModelZoo.Info(name);
Console.WriteLine($"{info.Name}: {info.Source} {info.Architecture} on {info.Backbone}, {info.NumClasses} {info.Dataset} classes");
foreach (var metric in info.Reported) Console.WriteLine($"  reported {metric.Metric} {metric.Value} ({metric.Split})");
if (info.Checkpoint is { } c) Console.WriteLine($"  original weights: {c.Url}");

using var net = ModelZoo.Get(name);
if (args.Length > 2)
{
    var report = StateDictLoader.Load(net, PyTorchCheckpoint.LoadStateDict(args[2]), source: args[2]);
    Console.WriteLine($"  loaded {report.Loaded.Count} tensors from {args[2]}");
}
using var scope = torch.NewDisposeScope();
var image = ImageFile.ReadRgb(imagePath);
var classes = net.Predict(image);
var output = Path.ChangeExtension(imagePath, ".classes.png");
ImageFile.WriteColoredPng(classes, info.Labels!, output);
Console.WriteLine($"{imagePath}: {image.shape[2]}x{image.shape[1]} -> {output}");
var counts = torch.bincount(classes.flatten(), minlength: info.NumClasses).data<long>().ToArray();
foreach (var (count, index) in counts.Select((n, i) => (n, i)).Where(x => x.n > 0).OrderByDescending(x => x.n).Take(3))
    Console.WriteLine($"  {info.Labels!.Classes[index]}: {100.0 * count / classes.numel():F1}% of pixels");
return 0;
