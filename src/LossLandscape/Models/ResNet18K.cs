using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace LossLandscape.Models;

/// <summary>
/// The pre-activation ResNet-18 of width k used in the deep double descent paper (Nakkiran et al. 2019):
/// a 3x3 stem conv to k channels, four stages of two pre-activation basic blocks with k, 2k, 4k, 8k
/// channels (stride 2 at the start of stages 2-4), a final BatchNorm-ReLU, global average pooling and a
/// linear head. Convolutions carry no bias (BatchNorm supplies it), as in the paper's code.
/// State names: stem.weight, layer{s}.{b}.bn1.*, layer{s}.{b}.conv1.weight, layer{s}.{b}.bn2.*,
/// layer{s}.{b}.conv2.weight, layer{s}.0.shortcut.weight (stages 2-4), bn.*, head.weight, head.bias;
/// stages are numbered 1-4 and blocks 0-1, as in torchvision.
/// </summary>
public sealed class ResNet18K : LandscapeModel
{
    public const int Stages = 4;
    public const int BlocksPerStage = 2;

    readonly Conv2d stem;
    readonly List<ModuleList<PreActBlock>> stages = new();
    readonly BatchNorm2d bn;
    readonly Linear head;

    public ResNet18K(ModelSpec spec) : base(nameof(ResNet18K), spec)
    {
        int k = spec.Width;
        if (k < 1) throw new LandscapeException($"resnet18 width k must be at least 1, got {k}");
        stem = Conv2d(spec.InputChannels, k, kernel_size: 3, padding: 1, bias: false);
        long channels = k;
        for (int s = 1; s <= Stages; s++)
        {
            long width = StageWidth(k, s);
            var stage = new ModuleList<PreActBlock>();
            for (int b = 0; b < BlocksPerStage; b++)
            {
                stage.Add(new PreActBlock(BlockName(s, b), channels, width, stride: HasShortcut(s, b) ? 2 : 1));
                channels = width;
            }
            stages.Add(stage);
        }
        bn = BatchNorm2d(channels);
        head = Linear(channels, spec.Classes);
        // Registered by hand, in forward order, so that the stages get torchvision's names (layer1.0.conv1, ...).
        register_module("stem", stem);
        for (int s = 1; s <= Stages; s++) register_module($"layer{s}", stages[s - 1]);
        register_module("bn", bn);
        register_module("head", head);
    }

    /// <summary>Channels of stage s (1-4): k, 2k, 4k, 8k.</summary>
    public static long StageWidth(int k, int stage) => (long)k << (stage - 1);

    public static string BlockName(int stage, int block) => $"layer{stage}.{block}";

    /// <summary>The first block of stages 2-4 halves the resolution and doubles the width, so it projects its input with a strided 1x1 conv.</summary>
    public static bool HasShortcut(int stage, int block) => stage > 1 && block == 0;

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = input.dim() == 2
            ? input.view(-1, Spec.InputChannels, Spec.ImageSize, Spec.ImageSize)
            : input;
        x = stem.call(x);
        foreach (var block in stages.SelectMany(stage => stage)) x = block.call(x);
        x = functional.relu(bn.call(x));
        x = functional.adaptive_avg_pool2d(x, new long[] { 1, 1 }).flatten(1);
        return head.call(x).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// relu(bn1(x)) feeds both conv1 and the projection shortcut (pre-activation form, He et al. 2016);
    /// without a projection the raw x is added back, so the residual stream carries un-normalised values.
    /// The ReLUs are modules so that their outputs can be observed with forward hooks (activation matching).
    /// </summary>
    sealed class PreActBlock : Module<Tensor, Tensor>
    {
        readonly BatchNorm2d bn1;
        readonly ReLU relu1;
        readonly Conv2d conv1;
        readonly BatchNorm2d bn2;
        readonly ReLU relu2;
        readonly Conv2d conv2;
        readonly Conv2d? shortcut;

        public PreActBlock(string name, long inputs, long outputs, int stride) : base(name)
        {
            bn1 = BatchNorm2d(inputs);
            relu1 = ReLU();
            conv1 = Conv2d(inputs, outputs, kernel_size: 3, stride: stride, padding: 1, bias: false);
            bn2 = BatchNorm2d(outputs);
            relu2 = ReLU();
            conv2 = Conv2d(outputs, outputs, kernel_size: 3, padding: 1, bias: false);
            if (stride != 1 || inputs != outputs)
                shortcut = Conv2d(inputs, outputs, kernel_size: 1, stride: stride, bias: false);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            using var scope = NewDisposeScope();
            var activated = relu1.call(bn1.call(x));
            var residual = shortcut is null ? x : shortcut.call(activated);
            var inner = relu2.call(bn2.call(conv1.call(activated)));
            return conv2.call(inner).add_(residual).MoveToOuterDisposeScope();
        }
    }
}
