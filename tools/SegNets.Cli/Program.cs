using System.CommandLine;
using SegNets.Cli.Commands;

var root = new RootCommand("segnets: semantic segmentation model zoos on TorchSharp")
{
    DoctorCommand.Create(),
    QuickstartCommand.Create(),
};
return root.Parse(args).Invoke();
