using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

if (args is ["load-pth", _, ..]) return SegNets.Benchmarks.LoadCheckpointMeasure.Run(args);
if (args is ["loader-throughput", _, ..]) return SegNets.Benchmarks.Loader.LoaderThroughputMeasure.Run(args);
if (args is ["train-soak", ..]) return SegNets.Benchmarks.Soak.TrainSoak.Run(args);
if (args is ["infer-soak", ..]) return SegNets.Benchmarks.Soak.InferSoak.Run(args);
if (args is ["scalar-race", ..]) return SegNets.Benchmarks.Soak.ScalarRace.Run(args);

// In-process: no child builds, so the staged assembly also runs on the GPU machine, which has a .NET runtime but no SDK.
var config = DefaultConfig.Instance
    // ShortRun (3 warm-ups, 3 iterations): a 2-core VM's timings move by more than longer runs would resolve.
    .AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance))
    .WithOptions(ConfigOptions.DisableOptimizationsValidator);
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config);
return 0;
