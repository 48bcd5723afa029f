using System.Net;
using System.Security.Cryptography;

namespace SegNets.Checkpoints;

/// <summary>
/// Where original checkpoints are downloaded to and converted weights kept: <c>$SEGNETS_HOME</c>, by default
/// <c>~/.cache/segnets</c> (downloads/ and converted/). Downloads go to a <c>.partial</c> file that is resumed with an
/// HTTP Range request after a dropped connection, checked against the publisher's hash, and only then renamed into
/// place; a corrupt download is deleted and reported. Offline (<c>SEGNETS_OFFLINE=1</c>) nothing is fetched and a
/// missing file is an error that says where to put it. <c>SEGNETS_MIRROR</c> (a base URL) fetches files by name from
/// a mirror instead of the original host, as GluonCV's MXNET_GLUON_REPO does.
/// </summary>
public sealed class WeightsCache
{
    readonly HttpClient http;

    /// <param name="root">Cache folder; <c>$SEGNETS_HOME</c> or <c>~/.cache/segnets</c> when null.</param>
    /// <param name="offline">Never download; <c>SEGNETS_OFFLINE=1</c> when null.</param>
    /// <param name="mirror">Base URL to fetch files from by name; <c>$SEGNETS_MIRROR</c> when null.</param>
    /// <param name="handler">HTTP handler (proxies, tests).</param>
    public WeightsCache(string? root = null, bool? offline = null, Uri? mirror = null, HttpMessageHandler? handler = null)
    {
        var home = Environment.GetEnvironmentVariable("SEGNETS_HOME");
        Root = Path.GetFullPath(root ?? (string.IsNullOrEmpty(home)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "segnets")
            : home));
        Offline = offline ?? Environment.GetEnvironmentVariable("SEGNETS_OFFLINE") is "1" or "true" or "yes";
        Mirror = mirror ?? (Environment.GetEnvironmentVariable("SEGNETS_MIRROR") is { Length: > 0 } m ? new Uri(m.EndsWith('/') ? m : m + "/") : null);
        http = new HttpClient(handler ?? new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.None }, disposeHandler: true)
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    public string Root { get; }

    public bool Offline { get; }

    public Uri? Mirror { get; }

    /// <summary>Times a dropped download is resumed before giving up.</summary>
    public int Retries { get; init; } = 3;

    /// <summary>Longest wait for the next bytes of a download.</summary>
    public TimeSpan ReadTimeout { get; init; } = TimeSpan.FromSeconds(60);

    public string DownloadsFolder => Path.Combine(Root, "downloads");

    public string ConvertedFolder => Path.Combine(Root, "converted");

    /// <summary>The URL a checkpoint is fetched from (the mirror's, if one is set).</summary>
    public Uri SourceUri(CheckpointSource source) =>
        Mirror is null ? new Uri(source.Url) : new Uri(Mirror, FileName(source));

    /// <summary>The cached file's path (whether or not it is there yet).</summary>
    public string PathOf(CheckpointSource source) => Path.Combine(DownloadsFolder, FileName(source));

    /// <summary>Returns the verified local copy of <paramref name="source"/>, downloading (or resuming) it if needed.</summary>
    public string Fetch(CheckpointSource source, IProgress<(long Done, long? Total)>? progress = null, CancellationToken cancel = default) =>
        FetchAsync(source, progress, cancel).GetAwaiter().GetResult();

    /// <inheritdoc cref="Fetch"/>
    public async Task<string> FetchAsync(CheckpointSource source, IProgress<(long Done, long? Total)>? progress = null, CancellationToken cancel = default)
    {
        var target = PathOf(source);
        if (File.Exists(target)) return target;
        var uri = SourceUri(source);
        if (Offline)
            throw new InvalidOperationException(
                $"offline (SEGNETS_OFFLINE) and {Path.GetFileName(target)} is not in {DownloadsFolder}: download {uri} into that folder " +
                "under the same name, or go online");
        Directory.CreateDirectory(DownloadsFolder);
        var partial = target + ".partial";
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                await DownloadAsync(uri, partial, progress, cancel).ConfigureAwait(false);
                break;
            }
            catch (Exception e) when (attempt < Retries && !cancel.IsCancellationRequested && e is IOException or HttpRequestException or TimeoutException)
            {
                // the .partial file keeps what arrived; the next attempt asks for the rest
                await Task.Delay(TimeSpan.FromMilliseconds(200 * (attempt + 1)), cancel).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or HttpRequestException or TimeoutException)
            {
                throw new IOException($"{uri}: download failed after {Retries + 1} attempts ({e.Message}); " +
                    $"{new FileInfo(partial).Length} bytes are kept in {partial} and the next call resumes from there", e);
            }
        }
        Verify(source, uri, partial);
        File.Move(partial, target, overwrite: true);
        return target;
    }

    async Task DownloadAsync(Uri uri, string partial, IProgress<(long Done, long? Total)>? progress, CancellationToken cancel)
    {
        long have = File.Exists(partial) ? new FileInfo(partial).Length : 0;
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        if (have > 0) request.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(have, null);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel).ConfigureAwait(false);
        if (have > 0 && response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
        {
            // the partial file is already complete (or longer than the file): let the hash decide, or start over
            if (response.Content.Headers.ContentRange?.Length == have) return;
            File.Delete(partial);
            throw new IOException($"{uri}: the server refused to resume at byte {have}; starting over");
        }
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"{uri}: the server answered {(int)response.StatusCode} {response.ReasonPhrase}");
        bool resumed = response.StatusCode == HttpStatusCode.PartialContent && response.Content.Headers.ContentRange?.From == have;
        if (!resumed) have = 0;
        long? total = response.Content.Headers.ContentRange?.Length ?? (response.Content.Headers.ContentLength is long n ? n + have : null);
        await using var output = new FileStream(partial, resumed ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        await using var input = await response.Content.ReadAsStreamAsync(cancel).ConfigureAwait(false);
        var buffer = new byte[1 << 20];
        long done = have;
        while (true)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            timeout.CancelAfter(ReadTimeout);
            int read;
            try
            {
                read = await input.ReadAsync(buffer, timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
            {
                throw new TimeoutException($"{uri}: no data for {ReadTimeout.TotalSeconds:0} s");
            }
            if (read == 0) break;
            await output.WriteAsync(buffer.AsMemory(0, read), cancel).ConfigureAwait(false);
            done += read;
            progress?.Report((done, total));
        }
        if (total is long expected && done != expected)
            throw new IOException($"{uri}: the connection ended after {done} of {expected} bytes");
    }

    static void Verify(CheckpointSource source, Uri uri, string file)
    {
        if (source.HashAlgorithm is null || source.Hash is null) return;
        string actual;
        // GluonCV's model store publishes the SHA-1 of the .params inside its zip (model_store.py get_model_file);
        // PyTorch-Encoding's, the SHA-1 of the .pth inside its zip (encoding/models/model_store.py get_model_file).
        using (var archive = source.Format is PublishedFormat.GluonParamsZip or PublishedFormat.EncodingZip ? System.IO.Compression.ZipFile.OpenRead(file) : null)
        using (var stream = archive is null ? File.OpenRead(file)
            : source.Format == PublishedFormat.EncodingZip ? EncodingModelStoreZip.Member(archive, file).Open() : OpenParams(archive, uri))
        {
            actual = Convert.ToHexStringLower(source.HashAlgorithm == PublishedHash.Sha1 ? SHA1.HashData(stream) : SHA256.HashData(stream));
        }
        bool ok = source.HashAlgorithm == PublishedHash.Sha256Prefix
            ? actual.StartsWith(source.Hash, StringComparison.OrdinalIgnoreCase)
            : actual.Equals(source.Hash, StringComparison.OrdinalIgnoreCase);
        if (ok) return;
        File.Delete(file);
        throw new InvalidDataException(
            $"{uri}: the download's {(source.HashAlgorithm == PublishedHash.Sha1 ? "SHA-1" : "SHA-256")} is {actual}, expected " +
            $"{(source.HashAlgorithm == PublishedHash.Sha1 ? "" : "a hash starting with ")}{source.Hash}: the file is corrupt or not the published one; it was deleted");
    }

    static Stream OpenParams(System.IO.Compression.ZipArchive archive, Uri uri) =>
        archive.Entries.FirstOrDefault(e => e.FullName.EndsWith(".params", StringComparison.Ordinal))?.Open()
        ?? throw new InvalidDataException($"{uri}: the zip holds no .params file (GluonCV's model store zips hold one)");

    /// <summary>
    /// The name a checkpoint is cached (and fetched from a mirror) under: the URL's file name, except for Hugging Face
    /// hub files (https://huggingface.co/OWNER/REPO/resolve/REVISION/FILE), which all share names like
    /// pytorch_model.bin and become OWNER--REPO--FILE (the hub cache's "models--OWNER--REPO" convention).
    /// </summary>
    static string FileName(CheckpointSource source)
    {
        var uri = new Uri(source.Url);
        var parts = uri.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (uri.Host.Equals("huggingface.co", StringComparison.OrdinalIgnoreCase) && parts.Length >= 5 && parts[2] == "resolve")
            return string.Join("--", [parts[0], parts[1], .. parts[4..]]);
        return Path.GetFileName(uri.AbsolutePath);
    }
}
