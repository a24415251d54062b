using System.Diagnostics;
using System.Text.Json.Nodes;
using Orleans.Tokens.Tests.ProcessLevel;
using Xunit.Abstractions;

namespace Orleans.Tokens.Tests.ClusterLevel.Kubernetes;

/// <summary>
/// Cluster:Kubernetes=true on a real PostgreSQL cluster of two silo processes, against <see cref="FakeKubernetesApi"/>
/// (no Kubernetes runs here): each silo joins under its pod's name and address, labels its pod with the service and
/// cluster ids, and a silo whose pod is deleted is declared dead by the other while its process still runs, which
/// ADO.NET clustering alone would never do (the silo answers every probe).
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class KubernetesHostingTests(ITestOutputHelper log)
{
    private const string Namespace = "orleans-tokens";
    private const string PodIP = "127.0.0.1";
    private static readonly TimeSpan WatchLimit = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan DeclaredDeadLimit = TimeSpan.FromSeconds(15);

    [PostgresFact]
    public async Task Silos_join_as_their_pods_label_them_and_a_silo_whose_pod_is_deleted_is_declared_dead_while_it_runs()
    {
        await using var api = await FakeKubernetesApi.StartAsync(Namespace);
        await using var postgres = await PostgresServer.StartAsync(log);
        await using var cluster = await ClusterProcesses.StartAsync(postgres, log, silos: 0, gateways: 0);
        // Ids of this test, not the defaults; Orleans' own variables name others, which must lose to Cluster:*.
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var (serviceId, clusterId) = ($"tokens-svc-{suffix}", $"tokens-{suffix}");
        string[] pods = [$"tokens-silo-7c9f4-{suffix[..5]}", $"tokens-silo-7c9f4-{suffix[3..]}"];
        // The pods exist before their silos start, with the template's labels but not yet Orleans' own.
        foreach (var pod in pods)
            api.AddPod(pod, new Dictionary<string, string> { ["app.kubernetes.io/name"] = "orleans-tokens", ["app.kubernetes.io/component"] = "silo" });
        // One after the other, so that the first is active before the second joins.
        foreach (var pod in pods)
        {
            await cluster.StartSilosAsync(1, new Dictionary<string, string>
            {
                ["Cluster__Kubernetes"] = "true",
                ["Cluster__ServiceId"] = serviceId,
                ["Cluster__ClusterId"] = clusterId,
                ["ORLEANS_SERVICE_ID"] = "not-" + serviceId,
                ["ORLEANS_CLUSTER_ID"] = "not-" + clusterId,
                ["POD_NAME"] = pod,
                ["POD_NAMESPACE"] = Namespace,
                ["POD_IP"] = PodIP,
                ["KUBECONFIG"] = api.WriteKubeConfig(pod),
            });
        }
        var (first, second) = (cluster.Silos[0], cluster.Silos[1]);

        // (a) Each silo is in the membership table under its pod's name, at the pod's address and its silo port.
        var rows = await MembershipRow.ReadAsync(postgres.ConnectionString, clusterId);
        log.WriteLine("membership: " + string.Join("; ", rows));
        Assert.Equal(
            [new MembershipRow(pods[0], PodIP, first.SiloPort, MembershipRow.Active), new MembershipRow(pods[1], PodIP, second.SiloPort, MembershipRow.Active)],
            rows.OrderBy(r => Array.IndexOf(pods, r.SiloName)));

        // (b) Each silo patched its own pod, and only that, with labels equal to the configured ids, and looks for
        // the cluster's pods by exactly those labels.
        var selector = $"orleans/serviceId={serviceId},orleans/clusterId={clusterId}";
        foreach (var pod in pods)
        {
            var requests = api.Requests.Where(r => r.Caller == pod).ToList();
            log.WriteLine($"{pod}'s requests:\n  " + string.Join("\n  ", requests));
            var patch = Assert.Single(requests, r => r.Method == "PATCH");
            Assert.Equal($"/api/v1/namespaces/{Namespace}/pods/{pod}", patch.Path);
            Assert.StartsWith("application/merge-patch+json", patch.ContentType);
            var labels = JsonNode.Parse(patch.Body)!["metadata"]!["labels"]!.AsObject();
            Assert.Equal(serviceId, labels["orleans/serviceId"]!.GetValue<string>());
            Assert.Equal(clusterId, labels["orleans/clusterId"]!.GetValue<string>());
            Assert.Equal(serviceId, api.Labels(pod)!["orleans/serviceId"]);
            Assert.Equal(clusterId, api.Labels(pod)!["orleans/clusterId"]);
            var lists = requests.Where(r => r.Method == "GET" && r.Path == $"/api/v1/namespaces/{Namespace}/pods").ToList();
            Assert.NotEmpty(lists);
            Assert.All(lists, r => Assert.Equal(selector, r.Query["labelSelector"]));
        }
        Assert.DoesNotContain(api.Requests, r => r.Caller is null);

        // (c) The second silo watches the cluster's pods. The first silo's pod is deleted while its process runs and
        // answers: the second declares it dead, and only it. (The second is the witness because Orleans 10.4.2's agent
        // turns its watching off at every other membership change while it is on: the first silo, which saw the
        // second join and become active, may be off; the second, on since it became active, is on.)
        var watch = Stopwatch.StartNew();
        while (api.OpenWatches(pods[1]) == 0)
        {
            Assert.True(watch.Elapsed < WatchLimit, $"{pods[1]} opened no watch of the pods within {WatchLimit}:\n{ChildProcess.Tail(second.Process.Output)}");
            await Task.Delay(100);
        }
        log.WriteLine($"{pods[1]} watches the pods after {watch.ElapsedMilliseconds} ms");
        Assert.False(first.Process.HasExited, $"{first.Name} exited before its pod was deleted");
        Assert.All(await MembershipRow.ReadAsync(postgres.ConnectionString, clusterId), r => Assert.Equal(MembershipRow.Active, r.Status));

        api.DeletePod(pods[0]);
        var deleted = Stopwatch.StartNew();
        var declared = await WaitForStatusAsync(postgres, clusterId, pods[0], MembershipRow.Dead);
        log.WriteLine($"membership {deleted.ElapsedMilliseconds} ms after {pods[0]} was deleted: {string.Join("; ", declared)}");
        Assert.True(declared.Single(r => r.SiloName == pods[0]).Status == MembershipRow.Dead,
            $"{pods[0]} was not declared dead within {DeclaredDeadLimit} of its pod's deletion: {string.Join("; ", declared)}\n" +
            $"--- {pods[1]} ---\n{ChildProcess.Tail(second.Process.Output)}");
        Assert.Equal(MembershipRow.Active, declared.Single(r => r.SiloName == pods[1]).Status);
        Assert.Contains($"since its corresponding pod, {pods[0]}, has been deleted", second.Process.Output);
    }

    // The rows once the silo has the status, or at the limit.
    private static async Task<List<MembershipRow>> WaitForStatusAsync(PostgresServer postgres, string clusterId, string siloName, int status)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var rows = await MembershipRow.ReadAsync(postgres.ConnectionString, clusterId);
            if (rows.Any(r => r.SiloName == siloName && r.Status == status) || watch.Elapsed > DeclaredDeadLimit) return rows;
            await Task.Delay(100);
        }
    }
}
