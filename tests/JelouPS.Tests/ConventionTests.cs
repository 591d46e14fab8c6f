using System;
using System.Collections;
using System.Linq;
using System.Management.Automation;
using System.Reflection;
using JelouPS.Commands;
using Xunit;

namespace JelouPS.Tests
{
    /// <summary>What every cmdlet owes a PowerShell user, checked over the whole assembly.</summary>
    public sealed class ConventionTests
    {
        private static readonly Type[] Cmdlets = typeof(ConnectJelouCommand).Assembly.GetExportedTypes()
            .Where(t => t.GetCustomAttribute<CmdletAttribute>() != null).ToArray();

        [Fact]
        public void Every_cmdlet_uses_an_approved_verb_and_declares_its_output()
        {
            using PowerShell ps = PowerShell.Create();
            var approved = ps.AddCommand("Get-Verb").Invoke().Select(v => (string)v.Properties["Verb"].Value).ToHashSet();
            Assert.NotEmpty(Cmdlets);
            foreach (Type cmdlet in Cmdlets)
            {
                Assert.Contains(cmdlet.GetCustomAttribute<CmdletAttribute>()!.VerbName, approved);
                Assert.NotEmpty(cmdlet.GetCustomAttributes<OutputTypeAttribute>());
            }
        }

        [Fact]
        public void The_manifest_exports_exactly_the_cmdlets_that_exist()
        {
            string manifest = System.IO.Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "JelouPS.psd1");
            using PowerShell ps = PowerShell.Create();
            var data = (Hashtable)ps.AddCommand("Import-PowerShellDataFile").AddParameter("Path", manifest).Invoke().Single().BaseObject;
            var exported = ((object[])data["CmdletsToExport"]!).Cast<string>().OrderBy(s => s);

            var names = Cmdlets.Select(t => t.GetCustomAttribute<CmdletAttribute>()!).Select(a => a.VerbName + "-" + a.NounName).OrderBy(s => s);
            Assert.Equal(names, exported);
        }

        [Fact]
        public void Cmdlets_that_change_state_support_WhatIf()
        {
            foreach (Type cmdlet in Cmdlets)
            {
                CmdletAttribute attribute = cmdlet.GetCustomAttribute<CmdletAttribute>()!;
                if (attribute.VerbName is "New" or "Set" or "Remove" or "Reset" or "Start" or "Close")
                {
                    Assert.True(attribute.SupportsShouldProcess, cmdlet.Name);
                }
            }
        }
    }
}
