#:project ../src/SegNets/SegNets.csproj
#:property SegNetsNeedsBackend=true
// Which libtorch SegNets runs on here, and a convolution on the default device (CUDA when present).
//   dotnet run samples/backend.cs
using SegNets.Runtime;
using TorchSharp;
using static TorchSharp.torch;

Console.WriteLine(TorchBackend.Describe());
var device = TorchBackend.DefaultDevice;
using var scope = NewDisposeScope();
var conv = nn.Conv2d(3, 8, 3, padding: 1).to(device);
var y = conv.forward(randn(1, 3, 64, 64, device: device));
Console.WriteLine($"conv on {device}: [{string.Join(", ", y.shape)}]");
