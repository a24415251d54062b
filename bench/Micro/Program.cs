using BenchmarkDotNet.Running;

// bench/micro.sh runs this: BenchmarkDotNet's own switcher, so "--filter *Seal*" and its other options work.
BenchmarkSwitcher.FromAssembly(typeof(Orleans.Tokens.Micro.TokenSealBenchmarks).Assembly).Run(args);
