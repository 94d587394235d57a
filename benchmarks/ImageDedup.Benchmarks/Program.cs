using BenchmarkDotNet.Running;
using ImageDedup.Benchmarks;

// `dotnet run -c Release --project benchmarks/ImageDedup.Benchmarks -- --filter '*'`;
// IMAGEDEDUP_BENCH_SCOPE=headline|short narrows the sizes (see BenchmarkScope).
BenchmarkSwitcher.FromAssembly(typeof(BenchmarkConfig).Assembly).Run(args, BenchmarkConfig.Create());
