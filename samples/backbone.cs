#:project ../src/SegNets/SegNets.csproj
#:property SegNetsNeedsBackend=true
// A dilated ResNet-50 backbone: its stages, and a forward at output stride 8.
//   dotnet run samples/backbone.cs
using SegNets.Backbones;
using TorchSharp;
using static TorchSharp.torch;

var net = new ResNetV1b(ResNetConfig.Get("resnet50"), outputStride: 8, numClasses: 0);
foreach (var f in net.Features) Console.WriteLine(f);
net.eval();
using (no_grad())
{
    var maps = net.forward(randn(1, 3, 224, 224));
    Console.WriteLine(string.Join(" ", maps["c5"].shape));
}
