#!/usr/bin/env bash
# tests/fuzz/elf_note_seeds.sh — writes the seed corpus of the elf_note fuzz target into
# tests/fuzz/corpus/elf_note/: small real shared libraries (about 2 KB, under fuzz.sh's
# -max_len of 8192) built with g++ from a plugin reduced to its LexOS note and gate, and
# variants of them. Run it again after the note's layout changes (sdk/include/lexos/sdk/gate.h).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
out=tests/fuzz/corpus/elf_note
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"
cat >"$tmp/seed.cpp" <<'CPP'
#include "lexos/sdk/gate.h"
#ifndef SEED_NO_NOTE
LEXOS_PLUGIN_NOTE("seed");
#endif
static void* createNothing() { return nullptr; }
LEXOS_SDK_EXPORT const LexosPluginGate* lexos_plugin_gate() {
  static const LexosPluginGate gate = {LEXOS_PLUGIN_MAGIC, sizeof(LexosPluginGate), LEXOS_SDK_ABI_MAJOR,
                                       LEXOS_SDK_ABI_MINOR, "seed", "1.0", LEXOS_SDK_VERSION, "",
                                       LEXOS_SDK_STDLIB, &createNothing};
  return &gate;
}
CPP
# A small shared library: no libc, no page-sized gaps.
build() {
  local name=$1
  shift
  g++ -std=c++17 -O2 -fPIC -shared -nostdlib -fvisibility=hidden -Isdk/include -s \
    -Wl,-z,noseparate-code -Wl,-z,max-page-size=16 -Wl,-z,norelro -Wl,--hash-style=gnu "$@" \
    -o "$out/$name" "$tmp/seed.cpp"
}
build plugin -Wl,--build-id=none
build plugin_build_id -Wl,--build-id=sha1   # a GNU note before the LexOS one
build plugin_abi_99 -Wl,--build-id=none -DLEXOS_TEST_ONLY_NOTE_ABI_MAJOR=99
build no_note -Wl,--build-id=sha1 -DSEED_NO_NOTE
# The same without section headers (e_shoff and e_shnum zero): found through PT_NOTE.
cp "$out/plugin" "$out/plugin_no_section_headers"
printf '\0\0\0\0\0\0\0\0' | dd of="$out/plugin_no_section_headers" bs=1 seek=40 conv=notrunc status=none
printf '\0\0' | dd of="$out/plugin_no_section_headers" bs=1 seek=60 conv=notrunc status=none
# 32-bit class byte, and a file cut short.
cp "$out/plugin" "$out/elfclass32"
printf '\1' | dd of="$out/elfclass32" bs=1 seek=4 conv=notrunc status=none
head -c 1000 "$out/plugin" >"$out/truncated"
printf '#!/bin/sh\necho not a plugin\n' >"$out/not_elf"
chmod 0644 "$out"/*
ls -l "$out"
