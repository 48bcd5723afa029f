using System.Security.Cryptography;
using FluentAssertions;
using SegNets.Checkpoints;
using SegNets.Tests.Support;
using SegNets.Zoo;

namespace SegNets.Tests.Checkpoints;

/// <summary>Downloads from a real HTTP server on 127.0.0.1: hash checks, atomic placement, resume, offline mode.</summary>
public class WeightsCacheTests
{
    static byte[] Payload(int size)
    {
        var bytes = new byte[size];
        new Random(5).NextBytes(bytes);
        return bytes;
    }

    // torch.hub style: the file name carries the first hex digits of the file's SHA-256.
    static CheckpointSource Source(Uri uri, byte[] content, bool corruptHash = false)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(content))[..8];
        if (corruptHash) hash = hash[0] == '0' ? "1" + hash[1..] : "0" + hash[1..];
        return new CheckpointSource(uri.ToString(), PublishedFormat.Pth, PublishedHash.Sha256Prefix, hash, CheckpointConverter.Identity);
    }

    [Fact]
    public void HuggingFaceHubFilesAreCachedUnderTheirRepositorysName()
    {
        // Every hub repository calls its weights pytorch_model.bin: the cache must not hand B0's file to B5.
        var cache = new WeightsCache(Path.GetTempPath(), offline: true);
        static CheckpointSource Hub(string repo) => new($"https://huggingface.co/{repo}/resolve/main/pytorch_model.bin", PublishedFormat.Pth, null, null, CheckpointConverter.Identity);
        Path.GetFileName(cache.PathOf(Hub("nvidia/segformer-b0-finetuned-ade-512-512")))
            .Should().Be("nvidia--segformer-b0-finetuned-ade-512-512--pytorch_model.bin");
        Path.GetFileName(cache.PathOf(Hub("nvidia/segformer-b5-finetuned-ade-640-640")))
            .Should().Be("nvidia--segformer-b5-finetuned-ade-640-640--pytorch_model.bin");
        Path.GetFileName(cache.PathOf(new CheckpointSource("https://download.pytorch.org/models/fcn_resnet50_coco-1167a1af.pth", PublishedFormat.Pth, null, null, CheckpointConverter.Identity)))
            .Should().Be("fcn_resnet50_coco-1167a1af.pth");
    }

    [Fact]
    public void DownloadsOnceVerifiesAndLeavesNoPartialFile()
    {
        using var server = new LocalHttpServer();
        using var home = new TempDir();
        var content = Payload(3_000_000);
        var source = Source(server.Serve("models/net-abc.pth", content), content);
        var cache = new WeightsCache(home.Path, offline: false);
        var path = cache.Fetch(source, cancel: TestContext.Current.CancellationToken);
        path.Should().Be(Path.Combine(home.Path, "downloads", "net-abc.pth"));
        File.ReadAllBytes(path).Should().Equal(content);
        Directory.GetFiles(cache.DownloadsFolder).Should().ContainSingle();
        cache.Fetch(source, cancel: TestContext.Current.CancellationToken).Should().Be(path);
        server.Requests.Should().ContainSingle("the second call is served from the cache");
    }

    [Fact]
    public void ResumesADroppedDownloadWithARangeRequest()
    {
        using var server = new LocalHttpServer();
        using var home = new TempDir();
        var content = Payload(2_500_000);
        var source = Source(server.Serve("net-resume.pth", content), content);
        server.DropAfter.Enqueue(1_000_000);
        var progress = new List<long>();
        var path = new WeightsCache(home.Path, offline: false).Fetch(source, new SyncProgress(p => progress.Add(p.Done)), TestContext.Current.CancellationToken);
        File.ReadAllBytes(path).Should().Equal(content);
        server.Requests.Should().HaveCount(2);
        server.Requests.Last().Should().MatchRegex(@"^GET /net-resume\.pth range=\d+-$");
        long resumedAt = long.Parse(server.Requests.Last().Split("range=")[1].TrimEnd('-'), System.Globalization.CultureInfo.InvariantCulture);
        resumedAt.Should().BeGreaterThan(0).And.BeLessThanOrEqualTo(1_000_000);
        progress.Last().Should().Be(content.Length);
    }

    [Fact]
    public void ACorruptDownloadIsDeletedAndReported()
    {
        using var server = new LocalHttpServer();
        using var home = new TempDir();
        var content = Payload(100_000);
        var uri = server.Serve("bad-1234.pth", content);
        var cache = new WeightsCache(home.Path, offline: false);
        FluentActions.Invoking(() => cache.Fetch(Source(uri, content, corruptHash: true), cancel: TestContext.Current.CancellationToken)).Should().Throw<InvalidDataException>()
            .WithMessage($"{uri}: the download's SHA-256 is *expected a hash starting with*corrupt*deleted");
        Directory.GetFiles(cache.DownloadsFolder).Should().BeEmpty();
    }

    [Fact]
    public void OfflineUsesTheCacheAndOtherwiseSaysWhereToPutTheFile()
    {
        using var server = new LocalHttpServer();
        using var home = new TempDir();
        var content = Payload(10_000);
        var source = Source(server.Serve("off-line.pth", content), content);
        var offline = new WeightsCache(home.Path, offline: true);
        FluentActions.Invoking(() => offline.Fetch(source, cancel: TestContext.Current.CancellationToken)).Should().Throw<InvalidOperationException>()
            .WithMessage($"offline*off-line.pth is not in {offline.DownloadsFolder}*download {source.Url}*");
        server.Requests.Should().BeEmpty();
        new WeightsCache(home.Path, offline: false).Fetch(source, cancel: TestContext.Current.CancellationToken);
        offline.Fetch(source, cancel: TestContext.Current.CancellationToken).Should().EndWith("off-line.pth");
    }

    [Fact]
    public void MissingFilesAndMirrorsAreHandled()
    {
        using var server = new LocalHttpServer();
        using var home = new TempDir();
        var content = Payload(5_000);
        server.Serve("mirror/w-x.pth", content);
        var original = new CheckpointSource("https://example.invalid/models/w-x.pth", PublishedFormat.Pth, PublishedHash.Sha256Prefix,
            Convert.ToHexStringLower(SHA256.HashData(content))[..8], CheckpointConverter.Identity);
        var mirrored = new WeightsCache(home.Path, offline: false, mirror: new Uri(server.BaseUri, "mirror/"));
        mirrored.SourceUri(original).Should().Be(new Uri(server.BaseUri, "mirror/w-x.pth"));
        File.ReadAllBytes(mirrored.Fetch(original, cancel: TestContext.Current.CancellationToken)).Should().Equal(content);

        var missing = new CheckpointSource(new Uri(server.BaseUri, "none.pth").ToString(), PublishedFormat.Pth, null, null, CheckpointConverter.Identity);
        FluentActions.Invoking(() => new WeightsCache(home.Path, offline: false).Fetch(missing, cancel: TestContext.Current.CancellationToken)).Should().Throw<InvalidOperationException>()
            .WithMessage("*none.pth: the server answered 404*");
    }

    sealed class SyncProgress(Action<(long Done, long? Total)> report) : IProgress<(long Done, long? Total)>
    {
        public void Report((long Done, long? Total) value) => report(value);
    }
}
