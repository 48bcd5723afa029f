using SegNets.Imaging;

namespace SegNets.Backbones;

/// <summary>
/// Strides and dilations of the four stages of a ResNet-style network (stem at stride 4) for an output stride: past the
/// output stride a stage's stride becomes dilation (torchvision _make_layer with replace_stride_with_dilation; GluonCV
/// and ResNeSt dilated=True / dilation=2), and its first block keeps the previous dilation.
/// </summary>
/// <param name="Stride">The first block's stride (1 for layer1 and for dilated stages).</param>
/// <param name="Dilation">Dilation of the stage's blocks after the first.</param>
/// <param name="FirstDilation">Dilation of the first block.</param>
/// <param name="OutputStride">Total stride after this stage.</param>
public readonly record struct StageSchedule(long Stride, long Dilation, long FirstDilation, int OutputStride)
{
    public static StageSchedule[] For(int outputStride)
    {
        var stages = new StageSchedule[4];
        long dilation = 1;
        int stride = 4;
        for (int i = 0; i < 4; i++)
        {
            long stageStride = i == 0 ? 1 : 2;
            long previous = dilation;
            if (i > 0 && stride * 2 > outputStride)
            {
                dilation *= stageStride;
                stageStride = 1;
            }
            stride *= (int)stageStride;
            stages[i] = new StageSchedule(stageStride, dilation, previous, stride);
        }
        return stages;
    }
}
