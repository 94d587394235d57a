using ImageDedup.Fuzz;
using SharpFuzz;

// Under afl-fuzz (fuzz/run.sh): the fork server feeds inputs to the target. With a folder or file
// argument: replays those inputs once each and reports the first failure (no fuzzer needed).
if (args.Length == 1 && (Directory.Exists(args[0]) || File.Exists(args[0])))
{
    var files = Directory.Exists(args[0]) ? Directory.GetFiles(args[0], "*", SearchOption.AllDirectories) : [args[0]];
    var failed = 0;
    foreach (var file in files.Order(StringComparer.Ordinal))
    {
        try
        {
            StructureTarget.Run(File.ReadAllBytes(file));
        }
        catch (Exception ex)
        {
            failed++;
            Console.Error.WriteLine($"{file}: {ex.GetType().Name}: {ex.Message}");
        }
    }

    Console.WriteLine($"{files.Length} inputs replayed, {failed} failed");
    return failed == 0 ? 0 : 1;
}

Fuzzer.OutOfProcess.Run(stream =>
{
    using var copy = new MemoryStream();
    stream.CopyTo(copy);
    StructureTarget.Run(copy.GetBuffer().AsSpan(0, (int)copy.Length));
});
return 0;
