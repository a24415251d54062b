using System.Collections.Concurrent;
using System.Diagnostics;
using Orleans.Tokens.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Orleans.Tokens.Tests.ProcessLevel;

/// <summary>
/// 100,000 random mutations of valid Widevine and PlayReady requests — in their parameters, and in their framing on
/// the wire: chunked bodies valid and broken, conflicting or repeated framing headers, malformed heads, methods in
/// another case, bodies over the limit — sent over raw HTTP/1.1, several to a connection (pipelined), connections
/// left open, half-closed or reset. Every answer is 200 with a token that opens, or a documented refusal of
/// sections 1 and 2 or of the README's decisions, in order, never a 5xx; and the customer's balance moves by exactly
/// the 200s answered. The seed is printed; set PROCESS_FUZZ_SEED to replay a run, and PROCESS_FUZZ_DUMP=&lt;file&gt;
/// to get every request with its outcome.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class FuzzTests(ITestOutputHelper log)
{
    private const int Cases = 100_000;
    private const int Connections = 16;
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromSeconds(20);

    /// <summary>Outcomes every run must reach at least once, or the generator no longer covers what it should.</summary>
    private static readonly string[] Covered =
        ["200", "400 head refused by Kestrel", "400 body not framed", "405", "413", "414", "no answer (cut short)", "not processed (after Connection: close)"];

    [Fact]
    public async Task Mutated_requests_framed_and_pipelined_get_documented_answers_never_a_5xx_and_debit_exactly_their_200s()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("PROCESS_FUZZ_SEED"), out var given) ? given : Random.Shared.Next();
        log.WriteLine($"fuzz seed {seed} (PROCESS_FUZZ_SEED={seed} replays this run)");

        await using var gateway = await GatewayProcess.StartAsync(log);
        var customer = await gateway.Admin.CreateCustomerAsync(4300001, balance: 1_000_000);
        var opening = await gateway.Admin.ProductionBalanceAsync(customer.Id);
        var judge = new FuzzJudge(gateway.LoadKeyRing(), gateway.BaseUrl);

        // Each script is drawn from the seed as (its own seed, its length) and generated where it is sent, so that a
        // run replays whatever order the connections finish in.
        var master = new Random(seed);
        var plans = new List<(int Seed, int Length)>();
        for (var planned = 0; planned < Cases;)
        {
            var length = Math.Min(WireGenerator.ScriptLength(master), Cases - planned);
            plans.Add((master.Next(), length));
            planned += length;
        }

        var failures = new ConcurrentQueue<(string Kind, string Example)>();
        var outcomes = new ConcurrentDictionary<string, int>();
        var endings = new ConcurrentDictionary<Ending, int>();
        var minted = 0;
        var dump = Environment.GetEnvironmentVariable("PROCESS_FUZZ_DUMP");
        var watch = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, plans.Count), new ParallelOptions { MaxDegreeOfParallelism = Connections }, async (number, cancel) =>
        {
            var random = new Random(plans[number].Seed);
            var script = new WireGenerator(random, new RequestGenerator(random, customer)).Next(number, plans[number].Length);
            endings.AddOrUpdate(script.Ending, 1, (_, n) => n + 1);
            var (answers, broken) = await RunAsync(gateway.HttpPort, script, cancel);
            if (broken is not null) failures.Enqueue((broken, Describe(script, answers)));
            var closed = false;
            for (var i = 0; i < script.Requests.Count; i++)
            {
                var wire = script.Requests[i];
                string outcome;
                string? problem = null;
                if (i < answers.Count)
                {
                    problem = judge.Judge(wire, answers[i], out outcome);
                    closed = answers[i].Closes;
                    if (problem is null && outcome == "200") Interlocked.Increment(ref minted);
                }
                else if (closed) outcome = "not processed (after Connection: close)";
                else if (wire.Framing == Framing.Cut) outcome = "no answer (cut short)";
                else
                {
                    outcome = "no answer";
                    problem = broken is null ? "no answer, and no earlier answer closed the connection" : null;
                }
                outcomes.AddOrUpdate(outcome, 1, (_, n) => n + 1);
                if (problem is not null)
                    failures.Enqueue(($"{outcome}: {problem}", $"request {i + 1} of script {number}: {wire}\n  → {(i < answers.Count ? answers[i] : "no answer")}"));
                if (dump is { Length: > 0 })
                    lock (failures) File.AppendAllText(dump, $"{number}.{i + 1}\t{script.Ending}\t{outcome}\t{wire}\n");
            }
        });
        var closing = await gateway.Admin.ProductionBalanceAsync(customer.Id);
        log.WriteLine($"{Cases} requests on {plans.Count} connections ({Connections} at a time) in {watch.ElapsedMilliseconds} ms; " +
            $"connections {string.Join(", ", endings.OrderBy(e => e.Key).Select(e => $"{e.Key}×{e.Value}"))}");
        log.WriteLine("outcomes: " + string.Join(", ", outcomes.OrderByDescending(o => o.Value).Select(o => $"{o.Key}×{o.Value}")));
        log.WriteLine($"balance {opening} → {closing}: {opening - closing} debited, {minted} mints answered 200");

        var kinds = failures.GroupBy(f => f.Kind).OrderByDescending(g => g.Count()).ToList();
        Assert.True(failures.IsEmpty,
            $"seed {seed} (PROCESS_FUZZ_SEED={seed} replays): {failures.Count} answers break sections 1–2 or the README:\n" +
            string.Join("\n", kinds.Select(k => $"  {k.Count()} × {k.Key}")) + "\n\nexamples:\n\n" +
            string.Join("\n\n", kinds.SelectMany(k => k.Take(2).Select(f => $"[{k.Key}]\n{f.Example}"))));
        var missing = Covered.Where(o => outcomes.GetValueOrDefault(o) == 0).ToList();
        Assert.True(missing.Count == 0, $"seed {seed}: the run never reached {string.Join(", ", missing)}");
        Assert.True(opening - closing == minted, $"seed {seed}: {opening - closing} tokens debited for {minted} mints answered 200");
        Assert.DoesNotMatch(@"(?m)^(fail|crit): ", gateway.Output);
        var metrics = await gateway.Management.GetStringAsync("/metrics");
        Assert.DoesNotMatch(@"(?m)^tokens_requests_total\{[^}]*status=""5\d\d""[^}]*\} [1-9]", metrics);
    }

    /// <summary>
    /// Sends a script's requests at once and reads their answers in order until each has one or the connection
    /// ends; the answers, and what broke the exchange itself (a timeout, a truncated answer), if anything did.
    /// </summary>
    private static async Task<(List<RawResponse> Answers, string? Broken)> RunAsync(int port, FuzzScript script, CancellationToken cancel)
    {
        var answers = new List<RawResponse>();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        timeout.CancelAfter(ScriptTimeout);
        try
        {
            using var connection = await RawConnection.OpenAsync(port, timeout.Token);
            var bytes = script.Requests.SelectMany(r => r.Bytes).ToArray();
            if (script.Ending == Ending.Reset)
            {
                await connection.SendAsync(bytes, timeout.Token);
                connection.Reset();
                return (answers, null);
            }
            // Sent while the answers are read, as a client that pipelines does: neither side waits on the other.
            var sending = Task.Run(async () =>
            {
                await connection.SendAsync(bytes, timeout.Token);
                if (script.Ending == Ending.HalfClose) connection.HalfClose();
            }, timeout.Token);
            string? broken = null;
            while (answers.Count < script.Requests.Count && await connection.ReadAsync(timeout.Token) is { } answer)
            {
                answers.Add(answer);
                if (!answer.Closes) continue;
                if (await connection.ReadAsync(timeout.Token) is not null) broken = "an answer after Connection: close";
                break;
            }
            await sending;
            return (answers, broken);
        }
        catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
        {
            return (answers, $"no answer within {ScriptTimeout.TotalSeconds:0} s");
        }
        catch (InvalidDataException exception)
        {
            return (answers, $"a broken answer: {exception.Message}");
        }
    }

    private static string Describe(FuzzScript script, List<RawResponse> answers) =>
        $"script {script.Number} ({script.Ending}):\n" + string.Join("\n", script.Requests.Select((r, i) =>
            $"  {i + 1}. {r}\n     → {(i < answers.Count ? answers[i] : "no answer")}"));
}
