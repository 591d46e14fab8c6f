using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using JelouPS.Infrastructure;
using JelouPS.LoadContext;
using Xunit;

namespace JelouPS.Tests
{
    /// <summary>
    /// The Windows PowerShell 5.1 resolver's decision (which cannot run here) and PowerShell 7's load-context
    /// decisions, as pure functions over names, versions and paths.
    /// </summary>
    public sealed class DesktopResolverPolicyTests
    {
        private const string MicrosoftKey = "cc7b13ffcd2ddd51";

        private static readonly string Module = Path.Combine(Path.GetTempPath(), "Modules", "JelouPS", "0.1.0");

        private static readonly string Dependencies = Path.Combine(Module, "dependencies");

        private static readonly IReadOnlyDictionary<string, ShippedAssembly> Shipped = new Dictionary<string, ShippedAssembly>(StringComparer.OrdinalIgnoreCase)
        {
            ["JelouPS.Client"] = Ship("JelouPS.Client, Version=0.1.0.0, Culture=neutral, PublicKeyToken=null"),
            ["System.Text.Json"] = Ship($"System.Text.Json, Version=10.0.0.0, Culture=neutral, PublicKeyToken={MicrosoftKey}"),
            ["System.Memory"] = Ship($"System.Memory, Version=4.0.5.0, Culture=neutral, PublicKeyToken={MicrosoftKey}"),
        };

        private static ShippedAssembly Ship(string fullName)
        {
            var name = new AssemblyName(fullName);
            return new ShippedAssembly(name, Path.Combine(Dependencies, name.Name + ".dll"));
        }

        private static ShippedAssembly? Decide(string requested, string? requester) =>
            DesktopResolverPolicy.Decide(new AssemblyName(requested), requester, Module, Shipped);

        [Fact]
        public void Answers_the_cmdlet_assembly_asking_for_the_client()
        {
            ShippedAssembly? answer = Decide("JelouPS.Client, Version=0.1.0.0, Culture=neutral, PublicKeyToken=null", Path.Combine(Module, "JelouPS.dll"));
            Assert.Equal(Path.Combine(Dependencies, "JelouPS.Client.dll"), answer?.Path);
        }

        [Theory]
        [InlineData("8.0.0.0")]
        [InlineData("10.0.0.0")]
        public void Answers_a_shipped_dependency_asking_for_another_at_a_version_it_satisfies(string version)
        {
            ShippedAssembly? answer = Decide($"System.Text.Json, Version={version}, Culture=neutral, PublicKeyToken={MicrosoftKey}", Path.Combine(Dependencies, "JelouPS.Client.dll"));
            Assert.Equal(Path.Combine(Dependencies, "System.Text.Json.dll"), answer?.Path);
            Assert.NotNull(Decide($"System.Memory, Version=4.0.1.2, Culture=neutral, PublicKeyToken={MicrosoftKey}", Path.Combine(Dependencies, "System.Text.Json.dll")));
        }

        [Fact]
        public void Answers_a_request_by_simple_name()
        {
            Assert.NotNull(Decide("System.Text.Json", Path.Combine(Dependencies, "JelouPS.Client.dll")));
        }

        [Theory]
        [InlineData(null)]
        [InlineData("")]
        public void Declines_when_the_requester_is_unknown(string? requester)
        {
            Assert.Null(Decide($"System.Text.Json, Version=10.0.0.0, Culture=neutral, PublicKeyToken={MicrosoftKey}", requester));
        }

        [Fact]
        public void Declines_other_modules_even_in_look_alike_folders()
        {
            string json = $"System.Text.Json, Version=8.0.0.0, Culture=neutral, PublicKeyToken={MicrosoftKey}";
            string modules = Path.GetDirectoryName(Path.GetDirectoryName(Module))!;
            Assert.Null(Decide(json, Path.Combine(modules, "Az.Accounts", "3.0.0", "Az.Accounts.dll")));
            Assert.Null(Decide(json, Path.Combine(Module + "-copy", "Other.dll")));
            Assert.Null(Decide(json, Path.Combine(Module, "dependencies2", "Other.dll")));
            Assert.Null(Decide(json, Path.Combine(Dependencies, "nested", "Other.dll")));
            Assert.Null(Decide(json, Path.Combine(Path.GetDirectoryName(Module)!, "JelouPS.dll")));
        }

        [Fact]
        public void Declines_names_it_does_not_ship()
        {
            Assert.Null(Decide($"Newtonsoft.Json, Version=13.0.0.0, Culture=neutral, PublicKeyToken=30ad4fe6b2a6aeed", Path.Combine(Module, "JelouPS.dll")));
            Assert.Null(Decide("JelouPS", Path.Combine(Dependencies, "JelouPS.Client.dll")));
        }

        [Fact]
        public void Declines_versions_newer_than_shipped()
        {
            Assert.Null(Decide($"System.Text.Json, Version=10.0.0.1, Culture=neutral, PublicKeyToken={MicrosoftKey}", Path.Combine(Dependencies, "JelouPS.Client.dll")));
            Assert.Null(Decide($"System.Memory, Version=4.0.6.0, Culture=neutral, PublicKeyToken={MicrosoftKey}", Path.Combine(Dependencies, "System.Text.Json.dll")));
        }

        [Fact]
        public void Declines_another_publisher_or_a_satellite_assembly()
        {
            Assert.Null(Decide("System.Text.Json, Version=10.0.0.0, Culture=neutral, PublicKeyToken=0123456789abcdef", Path.Combine(Module, "JelouPS.dll")));
            Assert.Null(Decide($"System.Text.Json, Version=10.0.0.0, Culture=fr-FR, PublicKeyToken={MicrosoftKey}", Path.Combine(Module, "JelouPS.dll")));
        }

        [Fact]
        public void Refusal_below_the_floor_names_the_version_and_what_to_do()
        {
            string message = ModuleInitializer.UnsupportedRuntimeMessage("7.1.7");
            Assert.Contains("PowerShell 7.1.7", message);
            Assert.Contains("$PSVersionTable.PSVersion", message);
            Assert.Contains("PowerShell 7.2 or later", message);
            Assert.Contains("Windows PowerShell 5.1", message);
            Assert.Contains("Azure Automation", message);
        }
    }

    public sealed class LoadPolicyTests
    {
        private static AssemblyName Name(string fullName) => new AssemblyName(fullName);

        [Fact]
        public void The_default_context_is_answered_for_the_client_alone()
        {
            Assert.True(LoadPolicy.AnswersDefaultContext(Name("JelouPS.Client, Version=0.1.0.0")));
            Assert.True(LoadPolicy.AnswersDefaultContext(Name("JelouPS.Client")));
            Assert.True(LoadPolicy.AnswersDefaultContext(Name("jelouPS.client")));
            Assert.False(LoadPolicy.AnswersDefaultContext(Name("System.Text.Json, Version=10.0.0.0")));
            Assert.False(LoadPolicy.AnswersDefaultContext(Name("Newtonsoft.Json")));
        }

        private static string? FileFor(string requested) => LoadPolicy.ShippedFileName(Name(requested), ModuleInitializer.Dependencies);

        [Fact]
        public void The_private_context_looks_for_the_client_and_its_libraries_in_dependencies()
        {
            Assert.Equal("JelouPS.Client.dll", FileFor("JelouPS.Client, Version=0.1.0.0"));
            Assert.Equal("System.Text.Json.dll", FileFor("System.Text.Json, Version=10.0.0.0"));
            Assert.Equal("System.Text.Encodings.Web.dll", FileFor("System.Text.Encodings.Web"));
            // .NET matches names in any case; the file is named as the module ships it (a case-sensitive file system too).
            Assert.Equal("System.Text.Json.dll", FileFor("system.text.JSON, Version=10.0.0.0"));
        }

        [Fact]
        public void The_private_context_leaves_runtime_types_satellites_and_names_it_does_not_ship_to_the_runtime()
        {
            // A second System.Memory would be a second Span<T>: .NET's own is used.
            Assert.Null(FileFor("System.Memory, Version=4.0.1.2"));
            Assert.Null(FileFor("system.runtime.compilerservices.unsafe, Version=6.0.0.0"));
            Assert.Null(FileFor("System.Text.Json.resources, Version=10.0.0.0, Culture=de"));
            Assert.Null(FileFor("System.Text.Json, Version=10.0.0.0, Culture=de"));
            // Framework names, and names that are paths, are never looked up in dependencies/.
            Assert.Null(FileFor("netstandard, Version=2.0.0.0"));
            Assert.Null(FileFor("System.Runtime"));
            Assert.Null(LoadPolicy.ShippedFileName(new AssemblyName { Name = "../Other/System.Text.Json" }, ModuleInitializer.Dependencies));
            Assert.Null(LoadPolicy.ShippedFileName(new AssemblyName { Name = "..\\Other\\System.Text.Json" }, ModuleInitializer.Dependencies));
        }

        [Theory]
        [InlineData("System.Text.Json, Version=8.0.0.0", true)]
        [InlineData("System.Text.Json, Version=10.0.0.0", true)]
        [InlineData("System.Text.Json", true)]
        [InlineData("System.Text.Json, Version=10.0.0.0, PublicKeyToken=cc7b13ffcd2ddd51", true)]
        [InlineData("System.Text.Json, Version=11.0.0.0", false)]
        [InlineData("System.Text.Json, Version=10.0.0.0, PublicKeyToken=0123456789abcdef", false)]
        [InlineData("system.text.json, Version=10.0.0.0", true)]
        [InlineData("System.IO.Pipelines, Version=10.0.0.0", false)]
        public void A_shipped_copy_answers_only_a_version_and_publisher_it_satisfies(string requested, bool answers)
        {
            AssemblyName shipped = Name("System.Text.Json, Version=10.0.0.0, Culture=neutral, PublicKeyToken=cc7b13ffcd2ddd51");
            Assert.Equal(answers, LoadPolicy.Satisfies(Name(requested), shipped));
        }

        [Fact]
        public void A_client_asked_for_at_a_newer_version_is_not_answered()
        {
            Assert.False(LoadPolicy.Satisfies(Name("JelouPS.Client, Version=0.2.0.0"), Name("JelouPS.Client, Version=0.1.0.0, Culture=neutral, PublicKeyToken=null")));
        }
    }
}

namespace JelouPS.Tests
{
    /// <summary>
    /// The private context on this runtime, over a folder that stands in for dependencies/: it holds a copy of the
    /// runtime's System.Text.Json (version 10), as the module ships one.
    /// </summary>
    public sealed class JelouLoadContextTests : IDisposable
    {
        private readonly string _folder = Directory.CreateTempSubdirectory("JelouLoadContextTests-").FullName;
        private readonly JelouLoadContext _context;
        private readonly Version _shipped;

        public JelouLoadContextTests()
        {
            Assembly json = typeof(System.Text.Json.JsonSerializer).Assembly;
            _shipped = json.GetName().Version!;
            File.Copy(json.Location, Path.Combine(_folder, "System.Text.Json.dll"));
            File.Copy(json.Location, Path.Combine(_folder, "System.Memory.dll"));
            _context = new JelouLoadContext(_folder, ModuleInitializer.Dependencies, ModuleInitializer.Damaged);
        }

        public void Dispose() => Directory.Delete(_folder, recursive: true);

        private Assembly? Load(string name) => _context.LoadShipped(new AssemblyName(name));

        [Fact]
        public void Loads_the_shipped_copy_once_into_its_own_context()
        {
            Assembly? first = Load($"System.Text.Json, Version={_shipped.Major - 2}.0.0.0");
            Assert.NotNull(first);
            Assert.Same(_context, System.Runtime.Loader.AssemblyLoadContext.GetLoadContext(first));
            Assert.Equal(Path.Combine(_folder, "System.Text.Json.dll"), first.Location);
            Assert.Same(first, Load("System.Text.Json"));
        }

        [Fact]
        public void Leaves_to_the_runtime_only_what_it_does_not_ship()
        {
            Assert.Null(Load("Newtonsoft.Json"));
            // Shipped for .NET Framework only: .NET's own is used, even with a file of that name in the folder.
            Assert.Null(Load("System.Memory"));
            Assert.Null(_context.LoadShipped(new AssemblyName { Name = Path.Combine("..", Path.GetFileName(_folder), "System.Text.Json") }));
        }

        [Fact]
        public void A_shipped_library_missing_or_older_than_asked_is_a_damaged_installation_not_the_runtime_s_copy()
        {
            FileLoadException missing = Assert.Throws<FileLoadException>(() => Load("System.Text.Encodings.Web"));
            Assert.StartsWith("JelouPS ", missing.Message);
            Assert.Contains($"{Path.Combine(_folder, "System.Text.Encodings.Web.dll")} is missing", missing.Message);
            Assert.Contains("reinstall it", missing.Message);

            FileLoadException old = Assert.Throws<FileLoadException>(() => Load($"System.Text.Json, Version={_shipped.Major + 1}.0.0.0"));
            Assert.Contains($"holds System.Text.Json, Version={_shipped}", old.Message);
            Assert.Contains($"not the System.Text.Json, Version={_shipped.Major + 1}.0.0.0", old.Message);
        }

        [Fact]
        public void A_shipped_file_that_holds_another_assembly_is_a_damaged_installation()
        {
            File.Copy(typeof(System.Text.Encodings.Web.JavaScriptEncoder).Assembly.Location, Path.Combine(_folder, "System.IO.Pipelines.dll"));
            FileLoadException damaged = Assert.Throws<FileLoadException>(() => Load("System.IO.Pipelines"));
            Assert.Contains($"{Path.Combine(_folder, "System.IO.Pipelines.dll")} holds System.Text.Encodings.Web, Version=", damaged.Message);
        }

        [Fact]
        public void Loads_what_an_assembly_needs_at_once_and_names_a_damaged_library_before_any_use_of_it()
        {
            FileLoadException missing = Assert.Throws<FileLoadException>(() => _context.LoadClosure(new AssemblyName("System.Text.Json")));
            Assert.Matches(@"System\.(IO\.Pipelines|Text\.Encodings\.Web)\.dll is missing", missing.Message);

            foreach (Type type in new[] { typeof(System.Text.Encodings.Web.JavaScriptEncoder), typeof(System.IO.Pipelines.PipeReader) })
            {
                File.Copy(type.Assembly.Location, Path.Combine(_folder, Path.GetFileName(type.Assembly.Location)));
            }
            _context.LoadClosure(new AssemblyName("System.Text.Json"));
            Assert.Equal(new[] { "System.IO.Pipelines", "System.Text.Encodings.Web", "System.Text.Json" }, _context.Assemblies.Select(a => a.GetName().Name).OrderBy(n => n));
        }

        [Fact]
        public void A_shipped_file_that_is_no_assembly_is_a_damaged_installation()
        {
            File.WriteAllBytes(Path.Combine(_folder, "System.IO.Pipelines.dll"), new byte[] { 0x4d, 0x5a, 0, 0, 1, 2, 3 });
            FileLoadException damaged = Assert.Throws<FileLoadException>(() => Load("System.IO.Pipelines"));
            Assert.Contains($"{Path.Combine(_folder, "System.IO.Pipelines.dll")} cannot be loaded", damaged.Message);
            Assert.IsType<BadImageFormatException>(damaged.InnerException);
        }
    }
}
