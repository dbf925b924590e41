using LossLandscape.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace LossLandscape.Tests.Training;

/// <summary>Our optimisers must follow torch.optim's update rules exactly (float64, several steps).</summary>
public class OptimizerTests
{
    [Theory]
    [InlineData(0.0, false, 0.0)]
    [InlineData(0.9, false, 0.0)]
    [InlineData(0.9, true, 1e-3)]
    public void SgdMatchesTorchOptim(double momentum, bool nesterov, double weightDecay)
    {
        var settings = new OptimizerSettings(OptimizerKind.Sgd, 0.05, momentum, nesterov, weightDecay);
        Compare(settings, p => optim.SGD(p, 0.05, momentum, 0, weightDecay, nesterov));
    }

    [Fact]
    public void AdamMatchesTorchOptim()
    {
        var settings = new OptimizerSettings(OptimizerKind.Adam, 0.01, WeightDecay: 1e-2);
        Compare(settings, p => optim.Adam(p, 0.01, 0.9, 0.999, 1e-8, 1e-2));
    }

    static void Compare(OptimizerSettings settings, Func<IEnumerable<TorchSharp.Modules.Parameter>, optim.Optimizer> reference)
    {
        random.manual_seed(3);
        using var target = randn(16, 3, dtype: ScalarType.Float64);
        using var inputs = randn(16, 5, dtype: ScalarType.Float64);
        var ours = new TorchSharp.Modules.Parameter(randn(5, 3, dtype: ScalarType.Float64));
        var theirs = new TorchSharp.Modules.Parameter(ours.detach().clone());
        using var mine = Optimizer.Create(settings, new[] { ("w", (Tensor)ours) });
        using var other = reference(new[] { theirs });
        for (int step = 0; step < 5; step++)
        {
            mine.ZeroGrad();
            other.zero_grad();
            inputs.matmul(ours).sub(target).pow(2).sum().backward();
            inputs.matmul(theirs).sub(target).pow(2).sum().backward();
            mine.Step(settings.LearningRate);
            other.step();
            Assert.True(ours.allclose(theirs, rtol: 1e-12, atol: 1e-14), $"step {step}: {ours.sub(theirs).abs().max().item<double>()}");
        }
    }
}
