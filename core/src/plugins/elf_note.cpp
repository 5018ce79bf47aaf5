#include "plugins/elf_note.h"

#include <elf.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>

#include "lexos/sdk/gate.h"

namespace lexos::core {
namespace {

using Result = NoteLookup::Result;

static_assert(sizeof(LEXOS_PLUGIN_NOTE_MAGIC) == sizeof(LexosPluginNote::magic),
              "the note magic fills its field, NUL included");

// A plugin never has more; real ones have a few dozen sections and about ten program headers.
constexpr std::uint64_t kMaxSections = 65536;
constexpr std::uint64_t kMaxProgramHeaders = 65535;
// Notes scanned in one section or segment before giving up (a real one holds one to three).
constexpr int kMaxNotesPerRegion = 4096;

#if defined(__x86_64__)
constexpr unsigned kHostMachine = EM_X86_64;
#elif defined(__aarch64__)
constexpr unsigned kHostMachine = EM_AARCH64;
#elif defined(__riscv) && __riscv_xlen == 64
constexpr unsigned kHostMachine = EM_RISCV;
#elif defined(__powerpc64__)
constexpr unsigned kHostMachine = EM_PPC64;
#else
constexpr unsigned kHostMachine = EM_NONE;  // another machine: left to dlopen
#endif

std::uint16_t le16(const unsigned char* p) { return static_cast<std::uint16_t>(p[0] | p[1] << 8); }
std::uint32_t le32(const unsigned char* p) {
  return static_cast<std::uint32_t>(p[0]) | static_cast<std::uint32_t>(p[1]) << 8 |
         static_cast<std::uint32_t>(p[2]) << 16 | static_cast<std::uint32_t>(p[3]) << 24;
}
std::uint64_t le64(const unsigned char* p) {
  return static_cast<std::uint64_t>(le32(p)) | static_cast<std::uint64_t>(le32(p + 4)) << 32;
}

// [offset, offset + length) lies inside a file of `size` bytes (no overflow for any input).
bool inside(std::uint64_t offset, std::uint64_t length, std::uint64_t size) {
  return offset <= size && length <= size - offset;
}

NoteLookup outcome(Result result, std::string problem) {
  NoteLookup r;
  r.result = result;
  r.problem = std::move(problem);
  return r;
}

std::string machineName(unsigned m) {
  switch (m) {
    case EM_X86_64:
      return "x86-64";
    case EM_AARCH64:
      return "arm64 (AArch64)";
    case EM_386:
      return "i386";
    case EM_ARM:
      return "32-bit ARM";
    case EM_RISCV:
      return "RISC-V";
    case EM_PPC64:
      return "64-bit PowerPC";
    case EM_S390:
      return "s390x";
    default:
      return "machine " + std::to_string(m);
  }
}

std::string typeName(unsigned t) {
  switch (t) {
    case ET_NONE:
      return "ET_NONE";
    case ET_REL:
      return "an object file (ET_REL)";
    case ET_EXEC:
      return "an executable (ET_EXEC)";
    case ET_CORE:
      return "a core dump (ET_CORE)";
    default:
      return "ELF type " + std::to_string(t);
  }
}

// The bytes of a string field up to its first NUL; false when the field holds none.
bool stringField(const unsigned char* desc, std::size_t offset, std::size_t size,
                 std::string& out) {
  const void* nul = std::memchr(desc + offset, 0, size);
  if (!nul) return false;
  out.assign(reinterpret_cast<const char*>(desc + offset),
             static_cast<const unsigned char*>(nul) - (desc + offset));
  return true;
}

NoteLookup decodeNote(const unsigned char* desc, const std::string& where) {
  if (std::memcmp(desc + offsetof(LexosPluginNote, magic), LEXOS_PLUGIN_NOTE_MAGIC,
                  sizeof(LexosPluginNote::magic)) != 0)
    return outcome(Result::Malformed,
                   "the LexOS note in " + where + " lacks the '" LEXOS_PLUGIN_NOTE_MAGIC "' magic");
  NoteLookup r;
  r.result = Result::Found;
  PluginNote& n = r.note;
  n.format = le32(desc + offsetof(LexosPluginNote, note_format));
  n.abi_major = le32(desc + offsetof(LexosPluginNote, abi_major));
  n.abi_minor = le32(desc + offsetof(LexosPluginNote, abi_minor));
  n.gate_size = le32(desc + offsetof(LexosPluginNote, gate_size));
  if (n.format == 0)
    return outcome(Result::Malformed, "the LexOS note in " + where + " has format 0");
  const struct {
    std::size_t offset, size;
    const char* name;
    std::string* out;
  } fields[] = {
      {offsetof(LexosPluginNote, stdlib), sizeof(LexosPluginNote::stdlib), "stdlib", &n.stdlib},
      {offsetof(LexosPluginNote, sdk_version), sizeof(LexosPluginNote::sdk_version), "sdk_version",
       &n.sdk_version},
      {offsetof(LexosPluginNote, plugin_id), sizeof(LexosPluginNote::plugin_id), "plugin_id",
       &n.plugin_id},
  };
  for (const auto& f : fields)
    if (!stringField(desc, f.offset, f.size, *f.out))
      return outcome(Result::Malformed, "the LexOS note in " + where + ": field " + f.name +
                                            " has no terminating NUL within its " +
                                            std::to_string(f.size) + " bytes");
  return r;
}

// The notes in [offset, offset + size) of the file, each padded to `align` (4 or 8). Returns the
// first LexOS note, NoNote, or Malformed when a note runs past the region.
NoteLookup scanNotes(const ReadAt& read, std::uint64_t offset, std::uint64_t size,
                     std::uint64_t align, const std::string& where) {
  const auto pad = [align](std::uint64_t n) { return (n + align - 1) / align * align; };
  std::uint64_t pos = 0;
  for (int count = 0; size - pos >= 12; ++count) {
    if (count == kMaxNotesPerRegion)
      return outcome(Result::Malformed,
                     where + " holds more than " + std::to_string(kMaxNotesPerRegion) + " notes");
    unsigned char head[12];
    if (!read(offset + pos, sizeof head, head))
      return outcome(Result::Malformed, "cannot read a note header in " + where);
    const std::uint64_t namesz = le32(head), descsz = le32(head + 4), type = le32(head + 8);
    const std::uint64_t left = size - pos - 12;
    // The last note's descriptor may lack its padding; everything else must fit.
    if (pad(namesz) > left || descsz > left - pad(namesz))
      return outcome(Result::Malformed, "a note in " + where + " (name " + std::to_string(namesz) +
                                            " bytes, data " + std::to_string(descsz) +
                                            " bytes) runs past its end");
    const std::uint64_t at = offset + pos + 12;
    if (namesz == sizeof(LEXOS_PLUGIN_NOTE_NAME) && type == LEXOS_PLUGIN_NOTE_TYPE) {
      char name[sizeof(LEXOS_PLUGIN_NOTE_NAME)];
      if (!read(at, sizeof name, name))
        return outcome(Result::Malformed, "cannot read a note name in " + where);
      if (std::memcmp(name, LEXOS_PLUGIN_NOTE_NAME, sizeof name) == 0) {
        if (descsz < sizeof(LexosPluginNote))
          return outcome(Result::Malformed, "the LexOS note in " + where + " holds " +
                                                std::to_string(descsz) +
                                                " bytes; expected at least " +
                                                std::to_string(sizeof(LexosPluginNote)));
        unsigned char desc[sizeof(LexosPluginNote)];
        if (!read(at + pad(namesz), sizeof desc, desc))
          return outcome(Result::Malformed, "cannot read the LexOS note in " + where);
        return decodeNote(desc, where);
      }
    }
    pos += 12 + pad(namesz) + pad(descsz);
    if (pos > size) break;  // the last descriptor's padding went past the end: done
  }
  return outcome(Result::NoNote, "");
}

// One note region (a SHT_NOTE section or a PT_NOTE segment): inside the file, then scanned.
NoteLookup scanRegion(const ReadAt& read, std::uint64_t fileSize, std::uint64_t off, std::uint64_t size,
                      std::uint64_t alignField, const std::string& where) {
  if (!inside(off, size, fileSize))
    return outcome(Result::Malformed,
                   where + " (" + std::to_string(size) + " bytes at offset " + std::to_string(off) +
                       ") runs past the end of the file (" + std::to_string(fileSize) +
                       " bytes): truncated or damaged");
  return scanNotes(read, off, size, alignField == 8 ? 8 : 4, where);
}

NoteLookup fromSections(const ReadAt& read, std::uint64_t fileSize, std::uint64_t shoff,
                        std::uint64_t shentsize, std::uint64_t shnum) {
  if (shentsize < sizeof(Elf64_Shdr))
    return outcome(Result::Malformed, "section headers of " + std::to_string(shentsize) +
                                          " bytes; expected " + std::to_string(sizeof(Elf64_Shdr)));
  unsigned char sh[sizeof(Elf64_Shdr)];
  if (shnum == 0) {  // extended numbering: the count is in section 0's sh_size
    if (!inside(shoff, sizeof sh, fileSize) || !read(shoff, sizeof sh, sh))
      return outcome(Result::Malformed,
                     "the section header table (at offset " + std::to_string(shoff) +
                         ") lies past the end of the file (" + std::to_string(fileSize) +
                         " bytes): truncated or damaged");
    shnum = le64(sh + offsetof(Elf64_Shdr, sh_size));
  }
  if (shnum > kMaxSections)
    return outcome(Result::Malformed, "the file claims " + std::to_string(shnum) +
                                          " sections; a plugin has far fewer");
  if (!inside(shoff, shnum * shentsize, fileSize))
    return outcome(Result::Malformed,
                   "the section header table (" + std::to_string(shnum) + " entries at offset " +
                       std::to_string(shoff) + ") runs past the end of the file (" +
                       std::to_string(fileSize) + " bytes): truncated or damaged");
  for (std::uint64_t i = 0; i < shnum; ++i) {
    if (!read(shoff + i * shentsize, sizeof sh, sh))
      return outcome(Result::Malformed, "cannot read section header " + std::to_string(i));
    if (le32(sh + offsetof(Elf64_Shdr, sh_type)) != SHT_NOTE) continue;
    NoteLookup r = scanRegion(read, fileSize, le64(sh + offsetof(Elf64_Shdr, sh_offset)),
                              le64(sh + offsetof(Elf64_Shdr, sh_size)),
                              le64(sh + offsetof(Elf64_Shdr, sh_addralign)), "note section " + std::to_string(i));
    if (r.result != Result::NoNote) return r;
  }
  return outcome(Result::NoNote, "");
}

NoteLookup fromSegments(const ReadAt& read, std::uint64_t fileSize, std::uint64_t phoff,
                        std::uint64_t phentsize, std::uint64_t phnum) {
  if (phnum == 0) return outcome(Result::NoNote, "");
  if (phentsize < sizeof(Elf64_Phdr))
    return outcome(Result::Malformed, "program headers of " + std::to_string(phentsize) +
                                          " bytes; expected " + std::to_string(sizeof(Elf64_Phdr)));
  if (phnum > kMaxProgramHeaders || !inside(phoff, phnum * phentsize, fileSize))
    return outcome(Result::Malformed,
                   "the program header table (" + std::to_string(phnum) + " entries at offset " +
                       std::to_string(phoff) + ") runs past the end of the file (" +
                       std::to_string(fileSize) + " bytes): truncated or damaged");
  unsigned char ph[sizeof(Elf64_Phdr)];
  for (std::uint64_t i = 0; i < phnum; ++i) {
    if (!read(phoff + i * phentsize, sizeof ph, ph))
      return outcome(Result::Malformed, "cannot read program header " + std::to_string(i));
    if (le32(ph + offsetof(Elf64_Phdr, p_type)) != PT_NOTE) continue;
    NoteLookup r = scanRegion(read, fileSize, le64(ph + offsetof(Elf64_Phdr, p_offset)),
                              le64(ph + offsetof(Elf64_Phdr, p_filesz)),
                              le64(ph + offsetof(Elf64_Phdr, p_align)), "note segment " + std::to_string(i));
    if (r.result != Result::NoNote) return r;
  }
  return outcome(Result::NoNote, "");
}

}  // namespace

NoteLookup findPluginNote(const ReadAt& read, std::uint64_t fileSize) {
  unsigned char eh[sizeof(Elf64_Ehdr)] = {};
  const std::size_t identSize =
      fileSize < EI_NIDENT ? static_cast<std::size_t>(fileSize) : EI_NIDENT;
  if (identSize < SELFMAG || !read(0, identSize, eh) || std::memcmp(eh, ELFMAG, SELFMAG) != 0)
    return outcome(Result::NotElf,
                   "not an ELF file (expected a shared library built with LEXOS_PLUGIN)");
  if (identSize < EI_NIDENT)
    return outcome(Result::Malformed,
                   "the ELF header is cut short (" + std::to_string(fileSize) + " bytes)");
  if (eh[EI_CLASS] != ELFCLASS64)
    return outcome(
        Result::Unsupported,
        std::string(eh[EI_CLASS] == ELFCLASS32
                        ? "a 32-bit ELF file (ELFCLASS32)"
                        : "an ELF file of unknown class " + std::to_string(eh[EI_CLASS])) +
            "; expected a 64-bit little-endian shared library (ELFCLASS64, ELFDATA2LSB)");
  if (eh[EI_DATA] != ELFDATA2LSB)
    return outcome(
        Result::Unsupported,
        std::string(eh[EI_DATA] == ELFDATA2MSB
                        ? "a big-endian ELF file (ELFDATA2MSB)"
                        : "an ELF file of unknown byte order " + std::to_string(eh[EI_DATA])) +
            "; expected a 64-bit little-endian shared library (ELFCLASS64, ELFDATA2LSB)");
  if (fileSize < sizeof(Elf64_Ehdr) || !read(0, sizeof eh, eh))
    return outcome(Result::Malformed, "the ELF header is cut short (" + std::to_string(fileSize) +
                                          " bytes of " + std::to_string(sizeof(Elf64_Ehdr)) + ")");
  const unsigned type = le16(eh + offsetof(Elf64_Ehdr, e_type));
  if (type != ET_DYN)
    return outcome(Result::Unsupported, typeName(type) + "; expected a shared library (ET_DYN)");
  const unsigned machine = le16(eh + offsetof(Elf64_Ehdr, e_machine));
  if (kHostMachine != EM_NONE && machine != kHostMachine)
    return outcome(Result::Unsupported, "built for " + machineName(machine) +
                                            "; this lexosd runs on " + machineName(kHostMachine));
  const std::uint64_t shoff = le64(eh + offsetof(Elf64_Ehdr, e_shoff));
  if (shoff != 0)
    return fromSections(read, fileSize, shoff, le16(eh + offsetof(Elf64_Ehdr, e_shentsize)),
                        le16(eh + offsetof(Elf64_Ehdr, e_shnum)));
  // No section headers (sstrip and the like remove them): the PT_NOTE segments.
  return fromSegments(read, fileSize, le64(eh + offsetof(Elf64_Ehdr, e_phoff)),
                      le16(eh + offsetof(Elf64_Ehdr, e_phentsize)),
                      le16(eh + offsetof(Elf64_Ehdr, e_phnum)));
}

NoteLookup findPluginNote(const std::string& image) {
  return findPluginNote(
      [&image](std::uint64_t offset, std::size_t size, void* out) {
        if (!inside(offset, size, image.size())) return false;
        std::memcpy(out, image.data() + offset, size);
        return true;
      },
      image.size());
}

NoteLookup findPluginNoteInFile(int fd, std::uint64_t fileSize) {
  return findPluginNote(
      [fd](std::uint64_t offset, std::size_t size, void* out) {
        auto* p = static_cast<char*>(out);
        while (size > 0) {
          const ssize_t n = ::pread(fd, p, size, static_cast<off_t>(offset));
          if (n < 0 && errno == EINTR) continue;
          if (n <= 0) return false;
          p += n;
          size -= static_cast<std::size_t>(n);
          offset += static_cast<std::uint64_t>(n);
        }
        return true;
      },
      fileSize);
}

}  // namespace lexos::core
