using System.CommandLine;
using System.Text.Json;
using DirectDriveX.Upload.Progress;
using DirectDriveX.Upload.Protocol;
using DirectDriveX.Upload.Transfers;

namespace DirectDriveX.Upload;

/// <summary>
/// The commands: <c>upload FILE</c> (WebSocket protocol, or <c>--multipart</c>) and <c>download FILE_ID OUTPUT</c>.
/// Progress goes to stderr, the result as one JSON line to stdout; the exit code is 0 on success, 1 on failure.
/// </summary>
internal static class UploadCommandLine
{
    public static RootCommand Build()
    {
        var gatewayOption = new Option<Uri[]>("--gateway", "-g")
        {
            Description = "Gateway base URL; give it more than once (or comma-separated) to resume through the next one when one goes away "
                + "(default: $DDX_GATEWAY_URL, which may list several, else http://127.0.0.1:8080)",
            DefaultValueFactory = _ => ParseGateways(Environment.GetEnvironmentVariable("DDX_GATEWAY_URL") is { Length: > 0 } url ? url : "http://127.0.0.1:8080", out string? _)!,
            CustomParser = result =>
            {
                var gateways = ParseGateways(string.Join(',', result.Tokens.Select(t => t.Value)), out var error);
                if (error is not null) result.AddError(error);
                return gateways;
            },
        };
        gatewayOption.AllowMultipleArgumentsPerToken = false;
        var quietOption = new Option<bool>("--quiet", "-q") { Description = "No progress on stderr" };

        var fileArgument = new Argument<FileInfo>("file") { Description = "The file to upload" };
        var multipartOption = new Option<bool>("--multipart") { Description = "One POST /api/v1/upload multipart/form-data request instead of the WebSocket protocol" };
        var contentTypeOption = new Option<string?>("--content-type") { Description = "Content type recorded with the file" };
        var reconnectsOption = new Option<int>("--max-reconnects") { Description = "Reconnect attempts after a dropped connection", DefaultValueFactory = _ => 10 };
        var ackTimeoutOption = new Option<double>("--ack-timeout") { Description = "Seconds without an acknowledgement before the connection counts as dropped", DefaultValueFactory = _ => 60 };
        var apiKeyOption = new Option<string?>("--api-key")
        {
            Description = "API key sent as 'Authorization: Bearer' when creating the upload (default: $DDX_API_KEY)",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("DDX_API_KEY") is { Length: > 0 } key ? key : null,
        };
        var dropOption = new Option<long?>("--simulate-drop-at") { Description = "Test aid: cut the WebSocket once, after this many bytes are sent, and resume" };

        var upload = new Command("upload", "Upload a file to the gateway")
        {
            fileArgument, gatewayOption, apiKeyOption, multipartOption, contentTypeOption, reconnectsOption, ackTimeoutOption, dropOption, quietOption,
        };
        upload.SetAction(async (parse, cancellationToken) =>
        {
            var file = parse.GetValue(fileArgument)!;
            if (!file.Exists) return Fail($"no such file: {file.FullName}");
            var settings = new UploadSettings(
                parse.GetValue(contentTypeOption),
                ReconnectPolicy.Default with { MaxAttempts = parse.GetValue(reconnectsOption) },
                TimeSpan.FromSeconds(parse.GetValue(ackTimeoutOption)),
                TimeSpan.FromMinutes(10),
                parse.GetValue(dropOption));
            var multipart = parse.GetValue(multipartOption);
            return await RunAsync(parse.GetValue(gatewayOption)!, parse.GetValue(apiKeyOption), async gateway =>
            {
                using var progress = TransferProgress.OnStandardError($"{(multipart ? "multipart" : "websocket")} {file.Name}", file.Length, parse.GetValue(quietOption));
                return multipart
                    ? await new MultipartUploader(gateway, settings).UploadAsync(file, progress, cancellationToken)
                    : await new WebSocketUploader(gateway, settings).UploadAsync(file, progress, cancellationToken);
            });
        });

        var fileIdArgument = new Argument<string>("file-id") { Description = "The stored file's id (from an upload's result)" };
        var outputArgument = new Argument<FileInfo>("output") { Description = "Where to write the file" };
        var download = new Command("download", "Stream a stored file from the gateway to disk") { fileIdArgument, outputArgument, gatewayOption, quietOption };
        download.SetAction(async (parse, cancellationToken) =>
        {
            var fileId = parse.GetValue(fileIdArgument)!;
            var output = parse.GetValue(outputArgument)!;
            return await RunAsync(parse.GetValue(gatewayOption)!, apiKey: null, gateway => new FileDownloader(gateway).DownloadAsync(fileId, output,
                length => TransferProgress.OnStandardError($"download {fileId}", length, parse.GetValue(quietOption)), cancellationToken));
        });

        return new RootCommand("DirectDriveX upload client: uploads over the gateway's WebSocket protocol (resuming after drops) or multipart, and downloads")
        {
            upload, download,
        };
    }

    /// <summary>Gateway URLs, comma-separated: each an http:// or https:// URL.</summary>
    internal static Uri[]? ParseGateways(string text, out string? error)
    {
        var gateways = new List<Uri>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Uri.TryCreate(part, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                error = $"--gateway: '{part}' is not an http:// or https:// URL";
                return null;
            }
            gateways.Add(uri);
        }
        error = gateways.Count == 0 ? "--gateway: no URL given" : null;
        return error is null ? [.. gateways] : null;
    }

    private static async Task<int> RunAsync<TResult>(Uri[] gateways, string? apiKey, Func<GatewayClient, Task<TResult>> transfer)
    {
        // Redirects are followed by GatewayClient itself, with a client that does not carry the API key.
        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = gateways[0], Timeout = Timeout.InfiniteTimeSpan };
        using var links = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        if (apiKey is not null) http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", apiKey);
        try
        {
            var result = await transfer(new GatewayClient(http, gateways, links));
            Console.Out.WriteLine(JsonSerializer.Serialize(result, GatewayClient.Json));
            return 0;
        }
        catch (Exception e) when (e is UploadRefusedException or HttpRequestException or IOException or InvalidDataException
                                      or System.Net.WebSockets.WebSocketException or TimeoutException)
        {
            return Fail(e.Message);
        }
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine($"error: {message}");
        return 1;
    }
}
