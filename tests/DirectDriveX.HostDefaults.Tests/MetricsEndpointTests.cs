using System.Net;
using DirectDriveX.Grains.Interfaces;
using DirectDriveX.Grains.Interfaces.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace DirectDriveX.HostDefaults.Tests;

/// <summary>The hosting extension and the scrape endpoint together, over a real socket on 127.0.0.1.</summary>
[Collection(MeterCollection.Name)]
public sealed class MetricsEndpointTests
{
    [Fact]
    public async Task Scrape_shows_the_upload_instruments_under_their_prometheus_names()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var cancellation = deadline.Token;
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddDirectDriveXTelemetry("directdrivex-test");
        await using var app = builder.Build();
        app.MapDirectDriveXMetrics();
        await app.StartAsync(cancellation);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();

        var metrics = app.Services.GetRequiredService<UploadMetrics>();
        using var budgets = metrics.ObserveNodeBudgets(() => [new NodeBudgetReading("silo-1", 4096, 1024)]);
        using var buffers = metrics.ObserveChunkBuffers(() => new ChunkBufferReading("silo-1", 2));
        metrics.UploadStarted();
        metrics.RecordBytesReceived(1000);
        metrics.UploadCompleted();
        metrics.UploadRefused(RefusalReason.InsufficientHeadroom);
        metrics.UploadFailed(RefusalReason.Expired);
        metrics.SessionOpened();
        metrics.RecordChunkWrite(TimeSpan.FromMilliseconds(3));

        using var http = new HttpClient { BaseAddress = new Uri(address) };
        using var response = await http.GetAsync(TelemetryEndpointRouteBuilderExtensions.MetricsPath, cancellation);
        var body = await response.Content.ReadAsStringAsync(cancellation);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var scrape = new PrometheusText(body);
        Assert.Equal(1, scrape.Sample("directdrivex_upload_started_total"));
        Assert.Equal(1, scrape.Sample("directdrivex_upload_completed_total"));
        Assert.Equal(1000, scrape.Sample("directdrivex_upload_received_bytes_total"));
        Assert.Equal(1, scrape.Sample("directdrivex_upload_refused_total", "reason=insufficient_headroom"));
        Assert.Equal(1, scrape.Sample("directdrivex_upload_failed_total", "reason=expired"));
        Assert.Equal(1, scrape.Sample("directdrivex_upload_active_sessions"));
        Assert.Equal(4096, scrape.Sample("directdrivex_memory_headroom_bytes", "node=silo-1"));
        Assert.Equal(1024, scrape.Sample("directdrivex_memory_leased_bytes", "node=silo-1"));
        Assert.Equal(2, scrape.Sample("directdrivex_chunk_buffer_in_use", "node=silo-1"));
        Assert.Equal(0, scrape.Sample("directdrivex_upload_chunk_write_duration_seconds_bucket", "le=0.0025"));
        Assert.Equal(1, scrape.Sample("directdrivex_upload_chunk_write_duration_seconds_bucket", "le=0.005"));
        Assert.Equal(1, scrape.Sample("directdrivex_upload_chunk_write_duration_seconds_count"));
        Assert.NotNull(scrape.Sample("target_info", "service_name=directdrivex-test"));
    }
}
