#nullable enable
// Build step shipped in the SegNets package (compiled by MSBuild's RoslynCodeTaskFactory, so it sticks to
// netstandard2.0 APIs): lets TorchSharp 0.107's native library load where libstdc++ predates GCC 13.
//
// Why: libLibTorchSharp.so lists GLIBCXX_3.4.32 among the versions it needs from libstdc++.so.6, and glibc's
// loader refuses a library whose needed version is absent (elf/dl-version.c, match_symbol) unless that need is
// flagged VER_FLG_WEAK, in which case it only complains under LD_DEBUG. The one symbol bound to that version is
// std::ios_base_library_init(): GCC 13's <iostream> emits a bare `.globl` reference to it as a link-time marker
// and nothing ever calls or relocates it. So flagging the need weak changes nothing at run time except that the
// library loads. Before flagging, the step checks that no other symbol is bound to the version; if one is, the
// build fails with the names instead of producing a library that would crash when the symbol is used.
// The NuGet cache is never touched: the patched bytes go to a temp file that replaces the output folder's copy.
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;

namespace SegNets.Build
{
    /// <summary>One version a shared object needs from one library (an Elf64_Vernaux entry).</summary>
    public sealed class ElfVersionNeed
    {
        public ElfVersionNeed(string library, string version, ushort flags, ushort index, long flagsOffset)
        {
            Library = library;
            Version = version;
            Flags = flags;
            Index = index;
            FlagsOffset = flagsOffset;
        }

        public string Library { get; }
        public string Version { get; }
        public ushort Flags { get; }
        /// <summary>vna_other: the index that .gnu.version uses for symbols bound to this version.</summary>
        public ushort Index { get; }
        /// <summary>File offset of vna_flags.</summary>
        public long FlagsOffset { get; }
        public bool IsWeak => (Flags & ElfVersionNeeds.VerFlgWeak) != 0;
    }

    /// <summary>Reads and edits the version-needs table (.gnu.version_r) of a 64-bit little-endian ELF file.</summary>
    public static class ElfVersionNeeds
    {
        public const ushort VerFlgWeak = 0x2;
        public const string MarkerVersion = "GLIBCXX_3.4.32";
        public const string MarkerSymbol = "_ZSt21ios_base_library_initv";

        const uint ShtDynsym = 11;
        const uint ShtGnuVerneed = 0x6ffffffe;
        const uint ShtGnuVersym = 0x6fffffff;

        sealed class Section
        {
            public uint Type;
            public long Offset;
            public long Size;
            public uint Link;
            public uint Info;
            public long EntSize;
        }

        public static IReadOnlyList<ElfVersionNeed> Read(byte[] elf, string path)
        {
            var sections = Sections(elf, path);
            var verneed = sections.FirstOrDefault(s => s.Type == ShtGnuVerneed);
            if (verneed == null) return new ElfVersionNeed[0];
            var strtab = SectionAt(sections, verneed.Link, path, ".gnu.version_r's string table");

            var needs = new List<ElfVersionNeed>();
            long entry = verneed.Offset;
            for (uint i = 0; i < verneed.Info; i++)
            {
                // Elf64_Verneed: vn_version u16, vn_cnt u16, vn_file u32, vn_aux u32, vn_next u32
                Check(elf, entry, 16, path, "Elf64_Verneed");
                ushort count = U16(elf, entry + 2);
                string library = Str(elf, strtab, U32(elf, entry + 4), path);
                long aux = entry + U32(elf, entry + 8);
                for (int j = 0; j < count; j++)
                {
                    // Elf64_Vernaux: vna_hash u32, vna_flags u16, vna_other u16, vna_name u32, vna_next u32
                    Check(elf, aux, 16, path, "Elf64_Vernaux");
                    needs.Add(new ElfVersionNeed(library, Str(elf, strtab, U32(elf, aux + 8), path),
                        U16(elf, aux + 4), U16(elf, aux + 6), aux + 4));
                    uint nextAux = U32(elf, aux + 12);
                    if (nextAux == 0) break;
                    aux += nextAux;
                }
                uint next = U32(elf, entry + 12);
                if (next == 0) break;
                entry += next;
            }
            return needs;
        }

        /// <summary>Names of the dynamic symbols bound to the given needed-version index.</summary>
        public static IReadOnlyList<string> SymbolsBoundTo(byte[] elf, string path, ushort versionIndex)
        {
            var sections = Sections(elf, path);
            var dynsym = sections.FirstOrDefault(s => s.Type == ShtDynsym);
            var versym = sections.FirstOrDefault(s => s.Type == ShtGnuVersym);
            if (dynsym == null || versym == null) return new string[0];
            var strtab = SectionAt(sections, dynsym.Link, path, ".dynsym's string table");
            long entSize = dynsym.EntSize == 0 ? 24 : dynsym.EntSize;
            long count = dynsym.Size / entSize;
            var names = new List<string>();
            for (long i = 0; i < count; i++)
            {
                Check(elf, versym.Offset + 2 * i, 2, path, ".gnu.version entry");
                if ((U16(elf, versym.Offset + 2 * i) & 0x7fff) != versionIndex) continue;
                long sym = dynsym.Offset + i * entSize;
                Check(elf, sym, 24, path, "Elf64_Sym");
                names.Add(Str(elf, strtab, U32(elf, sym), path));
            }
            return names;
        }

        /// <summary>
        /// Flags the need for <paramref name="version"/> weak in the file at <paramref name="path"/>, if every symbol
        /// bound to it is in <paramref name="allowedSymbols"/>. Returns true if the file changed, false if it has no
        /// such need or it is weak already. The file is replaced atomically and keeps its timestamp, so MSBuild's
        /// incremental copy treats it as up to date.
        /// </summary>
        public static bool Weaken(string path, string version, ICollection<string> allowedSymbols)
        {
            byte[] elf = File.ReadAllBytes(path);
            var needs = Read(elf, path).Where(n => n.Version == version).ToList();
            if (needs.Count == 0 || needs.All(n => n.IsWeak)) return false;

            foreach (var need in needs)
            {
                var bound = SymbolsBoundTo(elf, path, need.Index);
                var unexpected = bound.Where(s => !allowedSymbols.Contains(s)).ToList();
                if (unexpected.Count > 0)
                    throw new InvalidOperationException(
                        $"{path}: symbols {string.Join(", ", unexpected)} need {need.Library} version {version}; " +
                        "only the marker " + string.Join(", ", allowedSymbols) + " may be weakened. " +
                        "Install a libstdc++ that provides " + version + " (GCC 13 or newer) instead.");
                ushort flags = (ushort)(need.Flags | VerFlgWeak);
                elf[need.FlagsOffset] = (byte)flags;
                elf[need.FlagsOffset + 1] = (byte)(flags >> 8);
            }

            var stamp = File.GetLastWriteTimeUtc(path);
            string temp = path + ".segnets-tmp";
            File.WriteAllBytes(temp, elf);
            File.SetLastWriteTimeUtc(temp, stamp);
            // A rename over the old entry: atomic, so a crash leaves the old or the new file, never none; and, not
            // writing in place, it keeps a hard-linked NuGet cache file intact when the build copies with hard links.
            File.Replace(temp, path, null);
            return true;
        }

        /// <summary>The libstdc++.so.6 the dynamic loader resolves on this machine, or null if none is found.</summary>
        public static string? FindSystemLibStdCxx()
        {
            // The copy already mapped into this (dotnet) process is the one the loader picks here.
            try
            {
                foreach (var line in File.ReadLines("/proc/self/maps"))
                {
                    int slash = line.IndexOf('/');
                    if (slash >= 0 && line.IndexOf("/libstdc++.so.6", StringComparison.Ordinal) >= 0)
                        return line.Substring(slash).Trim();
                }
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }

            var dirs = (Environment.GetEnvironmentVariable("LD_LIBRARY_PATH") ?? "")
                .Split(new[] { ':' }, StringSplitOptions.RemoveEmptyEntries)
                .Concat(new[]
                {
                    "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu",
                    "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/lib64", "/usr/lib", "/lib",
                });
            return dirs.Select(d => Path.Combine(d, "libstdc++.so.6")).FirstOrDefault(File.Exists);
        }

        /// <summary>Whether the library defines the symbol version (its name is in the file's version strings).</summary>
        public static bool Defines(string library, string version)
        {
            byte[] bytes = File.ReadAllBytes(library);
            byte[] needle = Encoding.ASCII.GetBytes(version + "\0");
            for (int i = 0; i + needle.Length <= bytes.Length; i++)
            {
                if (bytes[i] != needle[0]) continue;
                int k = 1;
                while (k < needle.Length && bytes[i + k] == needle[k]) k++;
                if (k == needle.Length && (i == 0 || bytes[i - 1] == 0)) return true;
            }
            return false;
        }

        static List<Section> Sections(byte[] elf, string path)
        {
            if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
                throw new InvalidDataException($"{path}: not an ELF file (bad magic).");
            if (elf[4] != 2 || elf[5] != 1)
                throw new InvalidDataException(
                    $"{path}: ELF class {elf[4]} / data encoding {elf[5]}; expected a 64-bit little-endian file (2/1).");
            long shoff = (long)U64(elf, 0x28);
            ushort shentsize = U16(elf, 0x3a);
            ushort shnum = U16(elf, 0x3c);
            if (shoff == 0 || shnum == 0)
                throw new InvalidDataException($"{path}: ELF file has no section headers; cannot locate .gnu.version_r.");
            if (shentsize < 64)
                throw new InvalidDataException($"{path}: section header size {shentsize}; expected 64.");
            var sections = new List<Section>(shnum);
            for (int i = 0; i < shnum; i++)
            {
                long h = shoff + (long)i * shentsize;
                Check(elf, h, 64, path, "section header");
                var s = new Section
                {
                    Type = U32(elf, h + 4),
                    Offset = (long)U64(elf, h + 0x18),
                    Size = (long)U64(elf, h + 0x20),
                    Link = U32(elf, h + 0x28),
                    Info = U32(elf, h + 0x2c),
                    EntSize = (long)U64(elf, h + 0x38),
                };
                if (s.Type != 8 /* SHT_NOBITS */) Check(elf, s.Offset, s.Size, path, $"section {i}");
                sections.Add(s);
            }
            return sections;
        }

        static Section SectionAt(List<Section> sections, uint index, string path, string what)
        {
            if (index >= sections.Count)
                throw new InvalidDataException($"{path}: {what} is section {index}, but the file has {sections.Count}.");
            return sections[(int)index];
        }

        static string Str(byte[] elf, Section strtab, uint offset, string path)
        {
            long start = strtab.Offset + offset;
            long end = start;
            long limit = strtab.Offset + strtab.Size;
            while (end < limit && elf[end] != 0) end++;
            if (start >= limit || end >= limit)
                throw new InvalidDataException($"{path}: string at offset {offset} runs past its string table.");
            return Encoding.ASCII.GetString(elf, (int)start, (int)(end - start));
        }

        static void Check(byte[] elf, long offset, long size, string path, string what)
        {
            if (offset < 0 || size < 0 || offset + size > elf.Length)
                throw new InvalidDataException(
                    $"{path}: {what} at offset {offset} (+{size} bytes) lies outside the file ({elf.Length} bytes); truncated?");
        }

        static ushort U16(byte[] b, long o) => (ushort)(b[o] | (b[o + 1] << 8));
        static uint U32(byte[] b, long o) => (uint)(U16(b, o) | ((uint)U16(b, o + 2) << 16));
        static ulong U64(byte[] b, long o) => U32(b, o) | ((ulong)U32(b, o + 4) << 32);
    }

#if !SEGNETS_ELF_ONLY
    /// <summary>
    /// MSBuild task: flags the GLIBCXX_3.4.32 marker need weak in the given copies of libLibTorchSharp.so.
    /// Mode: auto (only when the system libstdc++ lacks the version), always, never.
    /// </summary>
    public sealed class WeakenGlibcxxMarker : Microsoft.Build.Utilities.Task
    {
        [Microsoft.Build.Framework.Required]
        public Microsoft.Build.Framework.ITaskItem[] Files { get; set; } = new Microsoft.Build.Framework.ITaskItem[0];

        public string Mode { get; set; } = "auto";

        public override bool Execute()
        {
            if (Mode == "never" || Files.Length == 0) return true;
            if (Mode != "auto" && Mode != "always")
            {
                Log.LogError($"SegNetsGlibcxxCompat='{Mode}' is not a mode; expected auto, always or never.");
                return false;
            }
            if (Mode == "auto")
            {
                if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux)) return true;
                string? libstdcxx = ElfVersionNeeds.FindSystemLibStdCxx();
                if (libstdcxx == null || ElfVersionNeeds.Defines(libstdcxx, ElfVersionNeeds.MarkerVersion))
                {
                    Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Low,
                        $"SegNets: {libstdcxx ?? "no libstdc++.so.6 found"} needs no {ElfVersionNeeds.MarkerVersion} compatibility step.");
                    return true;
                }
            }
            foreach (var item in Files)
            {
                string path = item.ItemSpec;
                try
                {
                    if (ElfVersionNeeds.Weaken(path, ElfVersionNeeds.MarkerVersion, new[] { ElfVersionNeeds.MarkerSymbol }))
                        Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Normal,
                            $"SegNets: flagged the {ElfVersionNeeds.MarkerVersion} need of {path} weak (this system's libstdc++ predates GCC 13).");
                }
                catch (Exception e) when (e is InvalidDataException || e is InvalidOperationException || e is IOException)
                {
                    Log.LogError($"SegNets: cannot make {path} loadable on this system: {e.Message}");
                }
            }
            return !Log.HasLoggedErrors;
        }
    }
#endif
}
