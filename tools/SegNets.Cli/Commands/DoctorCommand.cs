using System.CommandLine;
using SegNets.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace SegNets.Cli.Commands;

/// <summary>`segnets doctor`: which libtorch this program runs on, and a forward on each device that proves it computes.</summary>
public static class DoctorCommand
{
    public static Command Create()
    {
        var device = new Option<string>("--device")
        {
            Description = "auto (CUDA when present), cpu, cuda or cuda:N; the self-test also runs on the CPU for reference",
            DefaultValueFactory = _ => "auto",
        };
        var command = new Command("doctor", "Report the native backend and run a self-test forward") { device };
        command.SetAction(parse => Run(parse.GetValue(device)!));
        return command;
    }

    static int Run(string deviceName)
    {
        try
        {
            Console.WriteLine($"backend: {TorchBackend.Describe()}");
            var target = TorchBackend.ParseDevice(deviceName);
            Console.WriteLine($"self-test {TorchBackend.SelfTest(CPU)}");
            if (target.type != DeviceType.CPU)
            {
                var result = TorchBackend.SelfTest(target);
                Console.WriteLine($"self-test {result}");
                if (result.MaxAbsDiffToCpu > 1e-3)
                {
                    Console.Error.WriteLine($"error: {target} differs from the CPU by {result.MaxAbsDiffToCpu:E2} (tolerance 1e-3)");
                    return 1;
                }
            }
            Console.WriteLine("ok");
            return 0;
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 2;
        }
    }
}
