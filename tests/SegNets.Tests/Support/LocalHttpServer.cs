using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace SegNets.Tests.Support;

/// <summary>
/// A real HTTP server on 127.0.0.1 (HttpListener) serving byte arrays by path, with Range requests (206) as CDNs do,
/// and faults on demand: drop the connection after N bytes, or answer with another status.
/// </summary>
public sealed class LocalHttpServer : IDisposable
{
    readonly HttpListener listener = new();
    readonly ConcurrentDictionary<string, byte[]> files = new();
    readonly Task loop;

    public LocalHttpServer()
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        BaseUri = new Uri($"http://127.0.0.1:{port}/");
        listener.Prefixes.Add(BaseUri.ToString());
        listener.Start();
        loop = Task.Run(Serve);
    }

    public Uri BaseUri { get; }

    /// <summary>Every request as "GET /path" plus " range=N-" when it asked for a range.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>The next responses for a path end abruptly after this many body bytes (once per value queued).</summary>
    public ConcurrentQueue<long> DropAfter { get; } = new();

    public Uri Serve(string path, byte[] content)
    {
        files[path.TrimStart('/')] = content;
        return new Uri(BaseUri, path.TrimStart('/'));
    }

    async Task Serve()
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception) when (!listener.IsListening)
            {
                return;
            }
            catch (HttpListenerException)
            {
                return;
            }
            _ = Task.Run(() => Answer(context));
        }
    }

    async Task Answer(HttpListenerContext context)
    {
        var request = context.Request;
        var response = context.Response;
        var path = request.Url!.AbsolutePath.TrimStart('/');
        var range = request.Headers["Range"];
        Requests.Enqueue($"GET /{path}{(range is null ? "" : $" range={range["bytes=".Length..]}")}");
        try
        {
            if (!files.TryGetValue(path, out var content))
            {
                response.StatusCode = 404;
                response.Close();
                return;
            }
            long start = 0;
            if (range is not null && range.StartsWith("bytes=", StringComparison.Ordinal) && range.EndsWith('-'))
            {
                start = long.Parse(range["bytes=".Length..^1], System.Globalization.CultureInfo.InvariantCulture);
                if (start >= content.Length)
                {
                    response.StatusCode = 416;
                    response.AddHeader("Content-Range", $"bytes */{content.Length}");
                    response.Close();
                    return;
                }
                response.StatusCode = 206;
                response.AddHeader("Content-Range", $"bytes {start}-{content.Length - 1}/{content.Length}");
            }
            long length = content.Length - start;
            response.ContentLength64 = length;
            if (DropAfter.TryDequeue(out var cut) && cut < length)
            {
                await response.OutputStream.WriteAsync(content.AsMemory((int)start, (int)cut));
                await response.OutputStream.FlushAsync();
                response.Abort();   // the connection drops mid-body
                return;
            }
            await response.OutputStream.WriteAsync(content.AsMemory((int)start, (int)length));
            response.Close();
        }
        catch (Exception) when (!listener.IsListening)
        {
        }
        catch (HttpListenerException)
        {
        }
    }

    public void Dispose()
    {
        listener.Stop();
        listener.Close();
        try
        {
            loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
    }
}
