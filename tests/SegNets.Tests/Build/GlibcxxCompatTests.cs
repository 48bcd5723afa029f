using FluentAssertions;
using SegNets.Build;
using SegNets.Tests.Support;

namespace SegNets.Tests.Build;

/// <summary>The build step that makes TorchSharp's native library load on libstdc++ older than GCC 13,
/// exercised on the real libLibTorchSharp.so from the TorchSharp package.</summary>
public class GlibcxxCompatTests
{
    static readonly string[] Marker = [ElfVersionNeeds.MarkerSymbol];

    [Fact]
    public void TheRealLibraryNeedsTheMarkerVersionForTheMarkerSymbolOnly()
    {
        var path = TorchSharpFiles.CachedLibTorchSharp;
        var elf = File.ReadAllBytes(path);
        var needs = ElfVersionNeeds.Read(elf, path);
        needs.Should().Contain(n => n.Library == "libc.so.6" && n.Version == "GLIBC_2.2.5");
        var marker = needs.Single(n => n.Version == ElfVersionNeeds.MarkerVersion);
        marker.Library.Should().Be("libstdc++.so.6");
        marker.IsWeak.Should().BeFalse("the package ships the strict requirement");
        ElfVersionNeeds.SymbolsBoundTo(elf, path, marker.Index).Should().Equal(ElfVersionNeeds.MarkerSymbol);
    }

    [Fact]
    public void WeakenFlipsOneBitKeepsTheTimestampAndIsIdempotent()
    {
        using var dir = new TempDir();
        var copy = dir.File("libLibTorchSharp.so");
        File.Copy(TorchSharpFiles.CachedLibTorchSharp, copy);
        var stamp = new DateTime(2024, 5, 6, 7, 8, 9, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(copy, stamp);
        var before = File.ReadAllBytes(copy);

        ElfVersionNeeds.Weaken(copy, ElfVersionNeeds.MarkerVersion, Marker).Should().BeTrue();

        var after = File.ReadAllBytes(copy);
        after.Length.Should().Be(before.Length);
        var changed = Enumerable.Range(0, before.Length).Where(i => before[i] != after[i]).ToList();
        changed.Should().ContainSingle();
        var need = ElfVersionNeeds.Read(after, copy).Single(n => n.Version == ElfVersionNeeds.MarkerVersion);
        changed[0].Should().Be((int)need.FlagsOffset);
        (after[changed[0]] ^ before[changed[0]]).Should().Be(ElfVersionNeeds.VerFlgWeak);
        need.IsWeak.Should().BeTrue();
        ElfVersionNeeds.Read(after, copy).Where(n => n.Version != ElfVersionNeeds.MarkerVersion)
            .Should().OnlyContain(n => !n.IsWeak, "no other need may change");
        File.GetLastWriteTimeUtc(copy).Should().Be(stamp);

        ElfVersionNeeds.Weaken(copy, ElfVersionNeeds.MarkerVersion, Marker).Should().BeFalse();
        File.ReadAllBytes(copy).Should().Equal(after);
        File.Exists(copy + ".segnets-tmp").Should().BeFalse();
    }

    [Fact]
    public void RefusesToWeakenAVersionThatRealSymbolsNeed()
    {
        using var dir = new TempDir();
        var copy = dir.File("libLibTorchSharp.so");
        File.Copy(TorchSharpFiles.CachedLibTorchSharp, copy);
        var before = File.ReadAllBytes(copy);

        var act = () => ElfVersionNeeds.Weaken(copy, "GLIBCXX_3.4.30", Marker);

        act.Should().Throw<InvalidOperationException>()
            .WithMessage($"{copy}: symbols *need libstdc++.so.6 version GLIBCXX_3.4.30*");
        File.ReadAllBytes(copy).Should().Equal(before);
    }

    [Fact]
    public void AVersionTheLibraryDoesNotNeedLeavesItUnchanged()
    {
        using var dir = new TempDir();
        var copy = dir.File("libLibTorchSharp.so");
        File.Copy(TorchSharpFiles.CachedLibTorchSharp, copy);
        ElfVersionNeeds.Weaken(copy, "GLIBCXX_9.9.9", Marker).Should().BeFalse();
        File.ReadAllBytes(copy).Should().Equal(File.ReadAllBytes(TorchSharpFiles.CachedLibTorchSharp));
    }

    [Fact]
    public void BadFilesGetErrorsNamingTheFile()
    {
        using var dir = new TempDir();
        var text = dir.File("not-elf.so");
        File.WriteAllText(text, "this is not a shared object, just some text that is long enough to read a header from....");
        var notElf = () => ElfVersionNeeds.Weaken(text, ElfVersionNeeds.MarkerVersion, Marker);
        notElf.Should().Throw<InvalidDataException>().WithMessage($"{text}: not an ELF file*");

        var truncated = dir.File("truncated.so");
        File.WriteAllBytes(truncated, File.ReadAllBytes(TorchSharpFiles.CachedLibTorchSharp).AsSpan(0, 100_000).ToArray());
        var cut = () => ElfVersionNeeds.Weaken(truncated, ElfVersionNeeds.MarkerVersion, Marker);
        cut.Should().Throw<InvalidDataException>().WithMessage($"{truncated}: *outside the file*truncated?");

        var elf32 = dir.File("elf32.so");
        var bytes = File.ReadAllBytes(TorchSharpFiles.CachedLibTorchSharp).AsSpan(0, 4096).ToArray();
        bytes[4] = 1;
        File.WriteAllBytes(elf32, bytes);
        var wrongClass = () => ElfVersionNeeds.Weaken(elf32, ElfVersionNeeds.MarkerVersion, Marker);
        wrongClass.Should().Throw<InvalidDataException>().WithMessage($"{elf32}: ELF class 1*expected a 64-bit little-endian*");
    }

    [Fact]
    public void TheBuildPatchedTheOutputCopyExactlyWhenThisSystemNeedsItAndNeverTheCache()
    {
        var libstdcxx = ElfVersionNeeds.FindSystemLibStdCxx();
        libstdcxx.Should().NotBeNull("every glibc system the tests run on has libstdc++");
        ElfVersionNeeds.Defines(libstdcxx!, "GLIBCXX_3.4").Should().BeTrue();
        ElfVersionNeeds.Defines(libstdcxx!, "GLIBCXX_99.0").Should().BeFalse();
        bool systemLacksIt = !ElfVersionNeeds.Defines(libstdcxx!, ElfVersionNeeds.MarkerVersion);

        bool IsWeak(string path) => ElfVersionNeeds.Read(File.ReadAllBytes(path), path)
            .Single(n => n.Version == ElfVersionNeeds.MarkerVersion).IsWeak;

        IsWeak(TorchSharpFiles.OutputLibTorchSharp).Should().Be(systemLacksIt);
        IsWeak(TorchSharpFiles.CachedLibTorchSharp).Should().BeFalse("the NuGet cache must never be modified");
    }
}
