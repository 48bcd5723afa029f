using SegNets.Layers;
using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Sources.ChainerCV;

/// <summary>
/// ChainerCV PSPNet's head on the extractor's res5 (stage c5) (chainercv experimental/links/model/pspnet/pspnet.py,
/// PSPNet.forward): <c>ppm</c> (<see cref="PyramidPoolingModule"/>, 2048 → 4096 ch), <c>head_conv1</c> 3x3
/// Conv2DBNActiv 4096→512, <c>head_conv2</c> 1x1 conv with bias → classes. Names are ChainerCV's.
/// </summary>
public sealed class PspNetHead : nn.Module<Dictionary<string, Tensor>, Tensor>
{
#pragma warning disable IDE1006 // state-dict names
    readonly PyramidPoolingModule ppm;
    readonly ConvBnAct head_conv1;
    readonly Conv2d head_conv2;
#pragma warning restore IDE1006

    /// <param name="numClasses">Output channels.</param>
    /// <param name="inputHeight">Configured input height (ChainerCV's input_size[0]); fixes the pyramid kernels.</param>
    /// <param name="inputWidth">Configured input width.</param>
    /// <param name="norm">Chainer BatchNormalization (eps 2e-5).</param>
    public PspNetHead(int numClasses, int inputHeight, int inputWidth, NormLayer norm) : base(nameof(PspNetHead))
    {
        // pspnet.py: pyramids = [6, 3, 2, 1]; feat_size = (input_size[0] // 8, input_size[1] // 8)
        ppm = new PyramidPoolingModule(2048, inputHeight / 8, inputWidth / 8, [6, 3, 2, 1], norm);
        head_conv1 = new ConvBnAct(4096, 512, 3, norm);
        head_conv2 = nn.Conv2d(512, numClasses, 1, bias: true);
        RegisterComponents();
    }

    public PyramidPoolingModule Ppm => ppm;

    public override Tensor forward(Dictionary<string, Tensor> features)
    {
        using var scope = NewDisposeScope();
        return head_conv2.forward(head_conv1.forward(ppm.forward(features["c5"]))).MoveToOuterDisposeScope();
    }
}
